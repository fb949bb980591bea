#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

void usage_error(const char *prog, const char *usage, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; usage: %s %s\n", prog, usage);
    exit(2);
}

int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    if (!s || !*s)
        return -1;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > (max - (unsigned long)(*p - '0')) / 10)
            return -1;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int reuseport;

void listen_reuseport(int on)
{
    reuseport = on;
}

/* The quota as a number of whole CPUs (rounded up), 0 when unlimited or unreadable. */
static unsigned quota_cpus(void)
{
    long long quota = -1, period = 0;
    FILE *f = fopen("/sys/fs/cgroup/cpu.max", "r"); /* v2: "max 100000" or "100000 100000" */
    if (f) {
        char q[32];
        if (fscanf(f, "%31s %lld", q, &period) == 2 && strcmp(q, "max") != 0)
            quota = atoll(q);
        fclose(f);
    } else if ((f = fopen("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "r"))) { /* v1 */
        if (fscanf(f, "%lld", &quota) != 1)
            quota = -1;
        fclose(f);
        if ((f = fopen("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "r"))) {
            if (fscanf(f, "%lld", &period) != 1)
                period = 0;
            fclose(f);
        }
    }
    if (quota <= 0 || period <= 0)
        return 0;
    return (unsigned)((quota + period - 1) / period);
}

unsigned granted_cpus(void)
{
    cpu_set_t set;
    unsigned n = 1;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        n = (unsigned)CPU_COUNT(&set);
    unsigned q = quota_cpus();
    if (q && q < n)
        n = q;
    return n;
}

#define MAX_WORKERS 64
static pid_t workers[MAX_WORKERS];
static unsigned n_workers;

unsigned spawn_workers(unsigned n, const char *prog)
{
    pid_t parent = getpid();
    for (unsigned i = 1; i < n && i < MAX_WORKERS; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "%s: cannot start worker %u: %s\n", prog, i, strerror(errno));
            stop_workers();
            exit(1);
        }
        if (pid == 0) {
            n_workers = 0;
            /* die with the parent (and if it is already gone, now) */
            if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
                _exit(0);
            return i;
        }
        workers[n_workers++] = pid;
    }
    return 0;
}

void stop_workers(void)
{
    for (unsigned i = 0; i < n_workers; i++)
        kill(workers[i], SIGTERM);
    for (unsigned i = 0; i < n_workers; i++)
        waitpid(workers[i], NULL, 0);
    n_workers = 0;
}

static int open_one(int family, int type, const struct sockaddr *sa, socklen_t salen, int rcvbuf,
                    int *err)
{
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    int one = 1;
    if (reuseport == 1) {
        /* The first of the workers: a bare socket must bind first, so a port that any other
         * process holds (SO_REUSEPORT ones included: same user, they would let us join them)
         * fails here. It is closed right away; the group below forms on the free port. */
        int probe = socket(family, type | SOCK_CLOEXEC, 0);
        if (probe >= 0 && family == AF_INET6)
            setsockopt(probe, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (probe < 0 || bind(probe, sa, salen) != 0) {
            *err = errno;
            if (probe >= 0)
                close(probe);
            close(fd);
            return -1;
        }
        close(probe);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport)
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (bind(fd, sa, salen) != 0 || (type == SOCK_STREAM && listen(fd, 4096) != 0)) {
        *err = errno;
        close(fd);
        return -1;
    }
    return fd;
}

void open_listeners(struct listeners *l, const char *prog, int type, const char *addr,
                    uint16_t port, int rcvbuf)
{
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    a4.sin_family = AF_INET;
    a4.sin_port = htons(port);
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(port);
    l->count = 0;
    int err = 0;
    if (addr) {
        int fd;
        if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1)
            fd = open_one(AF_INET, type, (struct sockaddr *)&a4, sizeof a4, rcvbuf, &err);
        else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1)
            fd = open_one(AF_INET6, type, (struct sockaddr *)&a6, sizeof a6, rcvbuf, &err);
        else {
            fprintf(stderr, "%s: --bind %s: not an IPv4 or IPv6 address\n", prog, addr);
            exit(2);
        }
        if (fd < 0) {
            fprintf(stderr, "%s: cannot listen on %s port %u: %s\n", prog, addr, port,
                    strerror(err));
            exit(1);
        }
        l->fd[l->count++] = fd;
        return;
    }
    a4.sin_addr.s_addr = htonl(INADDR_ANY);
    int fd = open_one(AF_INET, type, (struct sockaddr *)&a4, sizeof a4, rcvbuf, &err);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot listen on port %u: %s\n", prog, port, strerror(err));
        exit(1);
    }
    l->fd[l->count++] = fd;
    a6.sin6_addr = in6addr_any;
    fd = open_one(AF_INET6, type, (struct sockaddr *)&a6, sizeof a6, rcvbuf, &err);
    if (fd >= 0) /* IPv6 is optional: containers often have it disabled */
        l->fd[l->count++] = fd;
}

int termination_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    /* Blocked signals are queued even for PID 1 (no --init), so signalfd sees them. */
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        perror("sigprocmask");
        exit(1);
    }
    signal(SIGPIPE, SIG_IGN);
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        perror("signalfd");
        exit(1);
    }
    return fd;
}

void announce_ready(const char *service)
{
    printf("unibench: %s ready\n", service);
    fflush(stdout);
}
