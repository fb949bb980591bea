/* tcp.c - TCP is not implemented yet: segments are dropped. */
#include "uk.h"
void tcp_input(uint32_t src, uint32_t dst, uint8_t *seg, size_t len) { (void)src; (void)dst; (void)seg; (void)len; }
void tcp_timers(uint64_t now) { (void)now; }
uint64_t tcp_next_deadline(void) { return 0; }
void tcp_flush_all(void) { }
