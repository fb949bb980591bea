/*
 * Shared helpers of the POSIX front ends (dns-server, web-server): option parsing,
 * listening sockets, termination signals through a signalfd.
 */
#ifndef UNIBENCH_POSIX_COMMON_H
#define UNIBENCH_POSIX_COMMON_H

#include <stdint.h>
#include <sys/socket.h>

#define MAX_LISTEN 2

struct listeners {
    int fd[MAX_LISTEN];
    int count;
};

/* Print "prog: msg" and the usage line on stderr, exit 2. */
void usage_error(const char *prog, const char *usage, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

/* Parse a decimal number in [min, max]; returns 0 or -1. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* Open non-blocking sockets of the given type bound to addr:port. addr NULL means the
 * IPv4 and (if the host supports it) IPv6 wildcards. Exits 1 with a message on failure.
 * rcvbuf > 0 sets SO_RCVBUF. */
void open_listeners(struct listeners *l, const char *prog, int type, const char *addr,
                    uint16_t port, int rcvbuf);

/* Block SIGTERM, SIGINT (and ignore SIGPIPE); return a non-blocking signalfd for them. */
int termination_fd(void);

/* Print the one ready line on stdout and flush it. */
void announce_ready(const char *service);

#endif
