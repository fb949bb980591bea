/*
 * dns-server: the unibench DNS service (unikernels/apps/dns.c) behind POSIX UDP and TCP
 * sockets. One thread, epoll; UDP in batches of datagrams with recvmmsg/sendmmsg; TCP per
 * RFC 7766: 2-byte length-prefixed messages, several per connection, answered in order as
 * they arrive (pipelined), connections idle for --tcp-idle seconds closed, at most
 * --tcp-conns connections (the least recently active one is closed to admit a new one).
 * Memory per TCP connection is bounded: a connection whose unsent answers exceed
 * TCP_OUT_HIGH is not read until the client has taken them. Nothing is printed per
 * request; exits 0 on SIGTERM/SIGINT.
 * Workers: with more than one whole CPU granted (--workers auto, the default: the affinity
 * mask capped by the cgroup quota, i.e. docker --cpus) or --workers N, N processes each
 * serve their own SO_REUSEPORT UDP and TCP sockets on the port (the kernel spreads clients
 * by their address and port); the first binds before the others start, so a port in use
 * still fails with exit 1, and it stops the others on SIGTERM. --tcp-conns and the
 * stats.unibench. CH TXT counters are per worker.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "dns.h"
#include "dnsstats.h"

#define PROG "dns-server"
#define USAGE "[--port N] [--bind ADDR] [--zone ORIGIN:LABEL=IPv4,...] [--rcvbuf BYTES] [--tcp-conns N] [--tcp-idle SECONDS] [--workers N|auto]"
#define BATCH 64
#define QMAX 1500   /* largest query we read; longer datagrams are truncated -> FORMERR/drop */
#define RMAX DNS_EDNS_PAYLOAD
/* Default UDP receive buffer (--rcvbuf): the kernel default (net.core.rmem_default, 208 KiB)
 * holds only 256 small datagrams (each costs ~830 B of skb truesize), i.e. 2.5 ms of queries at
 * 100k qps: one lost scheduler slice on a shared host overflowed it, and an open-loop load
 * generator (unlike dnsperf's capped in-flight window) saw that as loss at rates the server
 * sustains. 4 MiB (the kernel doubles it: ~10000 queries, 100 ms at 100k qps) absorbs such
 * stalls; their cost shows as latency, not loss. The unikernel's equivalent is its rx ring plus the tap device's queue.
 * The kernel caps it at net.core.rmem_max. */
#define DEFAULT_RCVBUF (4UL << 20)

static struct dns_zone zone;

/* ---------------------------------------------------------------- TCP (RFC 7766) */

#define TCP_QMAX 1024               /* longest query message over TCP; longer closes */
#define TCP_OUT_HIGH (16 * 1024)    /* stop reading a connection while this much waits */
#define TCP_OUT_CAP (TCP_OUT_HIGH + 2 + DNS_TCP_MAX)

enum kind { K_UDP, K_TCP_LISTEN, K_SIGNAL, K_TCP, K_DEAD };

struct handle {
    enum kind kind;
    int fd;
};

struct tconn {
    struct handle h;           /* first: epoll data.ptr points here */
    uint32_t events;
    uint64_t last_ms;
    struct tconn *prev, *next; /* activity order, oldest first */
    size_t in_len;
    uint8_t in[2 + TCP_QMAX];
    uint8_t *out;              /* TCP_OUT_CAP bytes once the first answer is queued */
    size_t out_off, out_len;
    int eof;                   /* the client finished sending */
};

static int ep;
static struct tconn *lru_head, *lru_tail, *dead;
static size_t ntconns, max_tconns = 1024;
static uint64_t tcp_idle_ms = 10000, now_ms;
static uint8_t tcp_reply[DNS_TCP_MAX];

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void lru_unlink(struct tconn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        lru_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        lru_tail = c->prev;
    c->prev = c->next = NULL;
}

static void lru_append(struct tconn *c)
{
    c->prev = lru_tail;
    c->next = NULL;
    if (lru_tail)
        lru_tail->next = c;
    else
        lru_head = c;
    lru_tail = c;
}

static void touch(struct tconn *c)
{
    c->last_ms = now_ms;
    if (c != lru_tail) {
        lru_unlink(c);
        lru_append(c);
    }
}

static void tconn_close(struct tconn *c)
{
    lru_unlink(c);
    close(c->h.fd);
    c->h.kind = K_DEAD;
    c->next = dead;
    dead = c;
    ntconns--;
}

static void free_dead(void)
{
    while (dead) {
        struct tconn *c = dead;
        dead = c->next;
        free(c->out);
        free(c);
    }
}

static void set_events(struct tconn *c, uint32_t events)
{
    if (events == c->events)
        return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->h.fd, &ev);
    c->events = events;
}

/* Send what is queued; then read interest only while little output waits. -1: closed. */
static int tflush(struct tconn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t k = send(c->h.fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k > 0) {
            c->out_off += (size_t)k;
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            tconn_close(c);
            return -1;
        }
    }
    size_t pending = c->out_len - c->out_off;
    if (pending == 0) {
        c->out_off = c->out_len = 0;
        if (c->eof) {
            tconn_close(c);
            return -1;
        }
    }
    uint32_t ev = pending ? EPOLLOUT : 0;
    if (pending < TCP_OUT_HIGH && !c->eof)
        ev |= EPOLLIN;
    set_events(c, ev);
    return 0;
}

/* Answer every complete message in c->in while output room allows. -1: closed. */
static int tanswer(struct tconn *c)
{
    while (c->in_len >= 2) {
        size_t mlen = (size_t)c->in[0] << 8 | c->in[1];
        if (mlen == 0 || mlen > TCP_QMAX) {
            tconn_close(c);
            return -1;
        }
        if (c->in_len < 2 + mlen || c->out_len - c->out_off >= TCP_OUT_HIGH)
            return 0;
        size_t n = dns_respond_tcp(&zone, c->in + 2, mlen, tcp_reply, sizeof tcp_reply);
        c->in_len = 0;
        if (n == 0)
            continue;
        if (!c->out) {
            c->out = malloc(TCP_OUT_CAP);
            if (!c->out) {
                tconn_close(c);
                return -1;
            }
        }
        if (c->out_off) {
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off;
            c->out_off = 0;
        }
        c->out[c->out_len] = (uint8_t)(n >> 8);
        c->out[c->out_len + 1] = (uint8_t)n;
        memcpy(c->out + c->out_len + 2, tcp_reply, n);
        c->out_len += 2 + n;
    }
    return 0;
}

/* Read one message at a time (never past its end), so a pipelining client that does not
 * read our answers is throttled by its own socket buffers, not by our memory. */
static void tread(struct tconn *c)
{
    for (int round = 0; round < 64; round++) {
        if (tanswer(c) != 0)
            return;
        if (c->out_len - c->out_off >= TCP_OUT_HIGH || c->eof)
            break;
        size_t want = c->in_len < 2 ? 2 : 2 + ((size_t)c->in[0] << 8 | c->in[1]);
        if (want > sizeof c->in) {
            tconn_close(c);
            return;
        }
        if (want == c->in_len)
            break;
        ssize_t k = recv(c->h.fd, c->in + c->in_len, want - c->in_len, MSG_DONTWAIT);
        if (k < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            tconn_close(c);
            return;
        }
        if (k == 0) {
            c->eof = 1;
            break;
        }
        touch(c);
        c->in_len += (size_t)k;
    }
    tflush(c);
}

static void tcp_accept_all(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && lru_head) {
                tconn_close(lru_head);
                continue;
            }
            return;
        }
        if (ntconns >= max_tconns)
            tconn_close(lru_head);
        struct tconn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        c->h.kind = K_TCP;
        c->h.fd = fd;
        c->events = EPOLLIN;
        c->last_ms = now_ms;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        lru_append(c);
        ntconns++;
    }
}

/* Counters answered to "stats.unibench. CH TXT"; rx_dropped is the kernel's count of datagrams
 * dropped at our full UDP socket buffer (SO_RXQ_OVFL, cumulative per socket, summed here). */
static struct dns_stats stats;
#define MAX_UDP_FDS 8
static int ovfl_fd[MAX_UDP_FDS];
static uint32_t ovfl_seen[MAX_UDP_FDS];
static char qctrl[BATCH][CMSG_SPACE(sizeof(uint32_t))];

static void note_overflow(int fd, const struct msghdr *h)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)h); c; c = CMSG_NXTHDR((struct msghdr *)h, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL)
            continue;
        uint32_t total;
        memcpy(&total, CMSG_DATA(c), sizeof total);
        for (int i = 0; i < MAX_UDP_FDS; i++) {
            if (ovfl_fd[i] == fd || ovfl_fd[i] == 0) {
                ovfl_fd[i] = fd;
                if (total > ovfl_seen[i]) {
                    stats.rx_dropped += total - ovfl_seen[i];
                    ovfl_seen[i] = total;
                }
                break;
            }
        }
    }
}

static uint8_t qbuf[BATCH][QMAX];
static uint8_t rbuf[BATCH][RMAX];
static struct sockaddr_storage peers[BATCH];
static struct iovec qiov[BATCH], riov[BATCH];
static struct mmsghdr qmsg[BATCH], rmsg[BATCH];

/* Source port 0 or an echo-style service (echo, daytime, chargen, time): never answered,
 * a spoofed query from one of them would start a packet loop or an amplifier. */
static int reflector(const struct sockaddr_storage *ss)
{
    uint16_t port = 0;
    if (ss->ss_family == AF_INET)
        port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
    else if (ss->ss_family == AF_INET6)
        port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return port == 0 || port == 7 || port == 13 || port == 19 || port == 37;
}

/* Read and answer everything queued on fd (bounded, to stay fair between sockets). */
static void serve(int fd)
{
    for (int round = 0; round < 64; round++) {
        for (int i = 0; i < BATCH; i++) {
            qiov[i].iov_base = qbuf[i];
            qiov[i].iov_len = QMAX;
            memset(&qmsg[i].msg_hdr, 0, sizeof qmsg[i].msg_hdr);
            qmsg[i].msg_hdr.msg_name = &peers[i];
            qmsg[i].msg_hdr.msg_namelen = sizeof peers[i];
            qmsg[i].msg_hdr.msg_iov = &qiov[i];
            qmsg[i].msg_hdr.msg_iovlen = 1;
            qmsg[i].msg_hdr.msg_control = qctrl[i];
            qmsg[i].msg_hdr.msg_controllen = sizeof qctrl[i];
        }
        int n = recvmmsg(fd, qmsg, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return; /* EAGAIN, or a transient error (ICMP-induced): try again on the next event */
        int m = 0;
        for (int i = 0; i < n; i++) {
            size_t len = qmsg[i].msg_len;
            note_overflow(fd, &qmsg[i].msg_hdr);
            if (reflector(&peers[i]))
                continue;
            if (qmsg[i].msg_hdr.msg_flags & MSG_TRUNC)
                len = QMAX;
            size_t r = dns_stats_answer(&stats, qbuf[i], len, rbuf[m], RMAX);
            if (r == 0) {
                r = dns_respond(&zone, qbuf[i], len, rbuf[m], RMAX);
                dns_stats_count(&stats, rbuf[m], r);
            }
            if (r == 0)
                continue;
            riov[m].iov_base = rbuf[m];
            riov[m].iov_len = r;
            memset(&rmsg[m].msg_hdr, 0, sizeof rmsg[m].msg_hdr);
            rmsg[m].msg_hdr.msg_name = &peers[i];
            rmsg[m].msg_hdr.msg_namelen = qmsg[i].msg_hdr.msg_namelen;
            rmsg[m].msg_hdr.msg_iov = &riov[m];
            rmsg[m].msg_hdr.msg_iovlen = 1;
            m++;
        }
        int sent = 0;
        while (sent < m) {
            int k = sendmmsg(fd, rmsg + sent, (unsigned)(m - sent), MSG_DONTWAIT);
            if (k > 0) {
                sent += k;
            } else if (k < 0 && errno == EINTR) {
                continue;
            } else {
                sent++; /* this reply cannot go out (EAGAIN, unreachable peer): drop it */
            }
        }
        if (n < BATCH)
            return;
    }
}

int main(int argc, char **argv)
{
    unsigned long port = 53, rcvbuf = DEFAULT_RCVBUF, nworkers = 0;
    const char *bind_addr = NULL;
    const char *spec = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: %s %s\n", PROG, USAGE);
            return 0;
        }
        if (i + 1 >= argc && (strcmp(a, "--port") == 0 || strcmp(a, "--zone") == 0 ||
                              strcmp(a, "--bind") == 0 || strcmp(a, "--rcvbuf") == 0 ||
                              strcmp(a, "--tcp-conns") == 0 || strcmp(a, "--tcp-idle") == 0 ||
                              strcmp(a, "--workers") == 0))
            usage_error(PROG, USAGE, "%s needs a value", a);
        if (strcmp(a, "--port") == 0) {
            if (parse_uint(argv[++i], 1, 65535, &port) != 0)
                usage_error(PROG, USAGE, "bad port '%s'", argv[i]);
        } else if (strcmp(a, "--zone") == 0) {
            spec = argv[++i];
        } else if (strcmp(a, "--bind") == 0) {
            bind_addr = argv[++i];
        } else if (strcmp(a, "--rcvbuf") == 0) {
            if (parse_uint(argv[++i], 1, 1UL << 30, &rcvbuf) != 0)
                usage_error(PROG, USAGE, "bad --rcvbuf '%s'", argv[i]);
        } else if (strcmp(a, "--tcp-conns") == 0) {
            unsigned long v;
            if (parse_uint(argv[++i], 1, 100000, &v) != 0)
                usage_error(PROG, USAGE, "bad --tcp-conns '%s'", argv[i]);
            max_tconns = v;
        } else if (strcmp(a, "--tcp-idle") == 0) {
            unsigned long v;
            if (parse_uint(argv[++i], 1, 3600, &v) != 0)
                usage_error(PROG, USAGE, "bad --tcp-idle '%s'", argv[i]);
            tcp_idle_ms = v * 1000;
        } else if (strcmp(a, "--workers") == 0) {
            unsigned long v;
            if (strcmp(argv[++i], "auto") == 0)
                nworkers = 0;
            else if (parse_uint(argv[i], 1, 64, &v) == 0)
                nworkers = v;
            else
                usage_error(PROG, USAGE, "bad --workers '%s' (1..64 or auto)", argv[i]);
        } else {
            usage_error(PROG, USAGE, "unknown option '%s'", a);
        }
    }
    if (spec) {
        if (dns_zone_parse(&zone, spec) != 0)
            usage_error(PROG, USAGE, "bad --zone '%s'", spec);
    } else {
        dns_zone_default(&zone);
    }

    int sfd = termination_fd();
    if (nworkers == 0)
        nworkers = granted_cpus();
    listen_reuseport(nworkers > 1);
    struct listeners l, tl;
    open_listeners(&l, PROG, SOCK_DGRAM, bind_addr, (uint16_t)port, (int)rcvbuf);
    open_listeners(&tl, PROG, SOCK_STREAM, bind_addr, (uint16_t)port, 0);
    unsigned worker = nworkers > 1 ? spawn_workers((unsigned)nworkers, PROG) : 0;
    if (worker) {
        /* a worker: its own sockets in the port's SO_REUSEPORT group, not the parent's */
        listen_reuseport(2);
        for (int k = 0; k < l.count; k++)
            close(l.fd[k]);
        for (int k = 0; k < tl.count; k++)
            close(tl.fd[k]);
        open_listeners(&l, PROG, SOCK_DGRAM, bind_addr, (uint16_t)port, (int)rcvbuf);
        open_listeners(&tl, PROG, SOCK_STREAM, bind_addr, (uint16_t)port, 0);
    }

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        perror("epoll_create1");
        return 1;
    }
    static struct handle sig, uh[MAX_LISTEN], th[MAX_LISTEN];
    sig.kind = K_SIGNAL;
    sig.fd = sfd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &sig};
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    int one = 1;
    stats.rx_dropped_known = 1;
    for (int i = 0; i < l.count; i++) {
        /* the kernel then tells, with each datagram, how many it dropped at this full socket */
        if (setsockopt(l.fd[i], SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) != 0)
            stats.rx_dropped_known = 0;
        uh[i].kind = K_UDP;
        uh[i].fd = l.fd[i];
        ev.data.ptr = &uh[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, l.fd[i], &ev);
    }
    for (int i = 0; i < tl.count; i++) {
        th[i].kind = K_TCP_LISTEN;
        th[i].fd = tl.fd[i];
        ev.data.ptr = &th[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, tl.fd[i], &ev);
    }
    if (!worker)
        announce_ready("dns");

    now_ms = monotonic_ms();
    uint64_t last_sweep = now_ms;
    for (;;) {
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, ntconns ? 1000 : -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_wait");
            return 1;
        }
        if (ntconns || n > 0)
            now_ms = monotonic_ms();
        for (int i = 0; i < n; i++) {
            struct handle *h = evs[i].data.ptr;
            switch (h->kind) {
            case K_SIGNAL:
                while (lru_head)
                    tconn_close(lru_head);
                free_dead();
                for (int k = 0; k < l.count; k++)
                    close(l.fd[k]);
                for (int k = 0; k < tl.count; k++)
                    close(tl.fd[k]);
                stop_workers();
                return 0;
            case K_UDP:
                serve(h->fd);
                break;
            case K_TCP_LISTEN:
                tcp_accept_all(h->fd);
                break;
            case K_TCP: {
                struct tconn *c = (struct tconn *)h;
                if ((evs[i].events & EPOLLOUT) && tflush(c) != 0)
                    break;
                tread(c); /* new input, or room again for a message already read */
                break;
            }
            case K_DEAD:
                break;
            }
        }
        free_dead();
        if (ntconns && now_ms - last_sweep >= 500) {
            while (lru_head && now_ms - lru_head->last_ms >= tcp_idle_ms)
                tconn_close(lru_head);
            free_dead();
            last_sweep = now_ms;
        }
    }
}
