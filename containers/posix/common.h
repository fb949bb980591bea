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

/* SO_REUSEPORT workers. granted_cpus(): the whole CPUs this process may use: its affinity
 * mask, capped by a cgroup CPU quota (docker --cpus: cgroup v1 cpu.cfs_quota_us /
 * cfs_period_us, or v2 cpu.max), rounded up, at least 1. listen_reuseport(1) (the first
 * process) makes every later open_listeners() socket SO_REUSEPORT after checking with a
 * bare socket that no one holds the port; listen_reuseport(2) (a worker) joins without
 * the check. spawn_workers(n): fork n - 1 workers
 * (each dies with the parent); returns 0 in the parent, 1..n-1 in a worker; exits 1 if a
 * fork fails. stop_workers(): SIGTERM every worker and reap it (the parent, on its exit). */
unsigned granted_cpus(void);
void listen_reuseport(int on);
unsigned spawn_workers(unsigned n, const char *prog);
void stop_workers(void);

/* Block SIGTERM, SIGINT (and ignore SIGPIPE); return a non-blocking signalfd for them. */
int termination_fd(void);

/* Print the one ready line on stdout and flush it. */
void announce_ready(const char *service);

#endif
