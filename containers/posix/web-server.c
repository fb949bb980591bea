/*
 * web-server: the unibench HTTP service (unikernels/apps/http.c) behind POSIX TCP sockets.
 *
 * One thread, level-triggered epoll, non-blocking sockets. Each connection has its own
 * parser state and a fixed output buffer (responses wait there when the peer reads slowly:
 * EAGAIN). Memory is bounded whatever clients do: a connection is read only as far as the
 * responses that input can trigger fit in OUT_LIMIT (16 KiB) of unsent output, so a
 * pipelining client that never reads is simply not read any more (the same rule as the
 * unikernel's send buffer), and the socket buffers are fixed (SO_RCVBUF/SO_SNDBUF).
 * The connection table is bounded (--max-conns): when it is full, the least recently active
 * connection is closed to admit the new one, so floods of idle or half-open connections
 * cannot lock clients out. A request head must be complete within --header-timeout of its
 * first byte (slowloris: 408, close); idle keep-alive connections are closed after
 * --idle-timeout, and beyond --max-idle of them the longest idle go first. A connection
 * the logic asks to close is shut down for writing once its output is flushed, and its
 * remaining input is read and discarded until the peer closes (so the peer sees the
 * response instead of a reset). Nothing is printed per request; exits 0 on SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "http.h"

#define PROG "web-server"
#define USAGE "[--port N] [--bind ADDR] [--max-conns N] [--idle-timeout SECONDS] " \
    "[--header-timeout SECONDS] [--max-idle N]"
#define READ_CHUNK 16384
#define OUT_LIMIT (16 * 1024)  /* unsent output a connection may have; input waits beyond it */
#define MIN_REQUEST 16         /* shortest request ("GET / HTTP/1.0" + blank line): at most
                                  one response per 16 input bytes */
#define SOCK_BUF (64 * 1024)   /* fixed kernel socket buffers per connection */

enum kind { K_LISTEN, K_SIGNAL, K_CONN, K_DEAD };
enum state { S_OPEN, S_DRAIN };

struct handle {
    enum kind kind;
    int fd;
};

struct conn {
    struct handle h;         /* first: epoll data.ptr points here */
    enum state state;
    int closing;             /* the logic returned HTTP_CLOSE */
    int failed;              /* output overflow: close without flushing */
    uint32_t events;         /* current epoll interest */
    uint64_t last_ms;        /* last activity */
    uint64_t head_ms;        /* when the request under way started (0: between requests) */
    struct conn *prev, *next; /* activity order, oldest first */
    char *out;
    size_t out_off, out_len, out_cap;
    struct http_conn http;
};

static struct http_site site;
static int ep;
static struct conn *lru_head, *lru_tail;
static struct conn *dead; /* closed during this epoll batch, freed after it */
static size_t nconns, max_conns = 1024, max_idle = 256;
static uint64_t idle_ms = 10000, header_ms = 10000, now_ms;
static size_t reserve;  /* room for the largest response: the page plus its head */
static size_t out_cap;  /* per-connection output buffer: OUT_LIMIT + reserve */

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void lru_unlink(struct conn *c)
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

static void lru_append(struct conn *c)
{
    c->prev = lru_tail;
    c->next = NULL;
    if (lru_tail)
        lru_tail->next = c;
    else
        lru_head = c;
    lru_tail = c;
}

static void touch(struct conn *c)
{
    c->last_ms = now_ms;
    if (c != lru_tail) {
        lru_unlink(c);
        lru_append(c);
    }
}

/* Close now; free after the current batch of events, which may still name c. */
static void conn_close(struct conn *c)
{
    lru_unlink(c);
    close(c->h.fd); /* also removes it from the epoll set */
    c->h.kind = K_DEAD;
    c->next = dead;
    dead = c;
    nconns--;
}

static void free_dead(void)
{
    while (dead) {
        struct conn *c = dead;
        dead = c->next;
        free(c->out);
        free(c);
    }
}

static void set_events(struct conn *c, uint32_t events)
{
    if (events == c->events)
        return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->h.fd, &ev);
    c->events = events;
}

static void emit(void *ctx, const void *data, size_t len)
{
    struct conn *c = ctx;
    if (c->failed)
        return;
    if (!c->out) {
        c->out = malloc(out_cap);
        if (!c->out) {
            c->failed = 1;
            return;
        }
        c->out_cap = out_cap;
    }
    if (c->out_len + len > c->out_cap && c->out_off) { /* compact first */
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    if (c->out_len + len > c->out_cap) { /* cannot happen: input is fed within budget */
        c->failed = 1;
        return;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

/* Input bytes that may be fed now: every response they can trigger must fit OUT_LIMIT. */
static size_t input_budget(const struct conn *c)
{
    size_t pending = c->out_len - c->out_off;
    if (pending >= OUT_LIMIT)
        return 0;
    size_t n = (OUT_LIMIT - pending) / reserve * MIN_REQUEST;
    return n > READ_CHUNK ? READ_CHUNK : n;
}

/* Send pending output. Returns -1 if the connection was closed. */
static int flush(struct conn *c)
{
    if (c->failed) {
        conn_close(c);
        return -1;
    }
    while (c->out_off < c->out_len) {
        ssize_t k = send(c->h.fd, c->out + c->out_off, c->out_len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k > 0) {
            c->out_off += (size_t)k;
            touch(c);
        } else if (k < 0 && errno == EINTR) {
            continue;
        } else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            conn_close(c);
            return -1;
        }
    }
    size_t pending = c->out_len - c->out_off;
    if (pending == 0) {
        c->out_off = c->out_len = 0;
        if (c->closing && c->state == S_OPEN) {
            shutdown(c->h.fd, SHUT_WR);
            c->state = S_DRAIN;
        }
    }
    uint32_t ev = 0;
    if (pending)
        ev |= EPOLLOUT;
    if (c->state == S_DRAIN || (!c->closing && input_budget(c) > 0))
        ev |= EPOLLIN;
    set_events(c, ev);
    return 0;
}

/* Read and answer within the output budget; a few rounds per event, so that a long
 * request head is not read in one budget-sized slice per epoll wake-up. */
static void on_readable(struct conn *c)
{
    static uint8_t buf[READ_CHUNK];
    for (int round = 0; round < 8; round++) {
        int discard = c->state == S_DRAIN || c->closing;
        size_t budget = discard ? sizeof buf : input_budget(c);
        if (budget == 0)
            break; /* output waits: read again once the peer has taken some */
        ssize_t n = recv(c->h.fd, buf, budget, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            conn_close(c);
            return;
        }
        if (n == 0) { /* peer finished sending: answer what we have, then close */
            if (c->state == S_DRAIN || c->out_off == c->out_len) {
                conn_close(c);
                return;
            }
            c->closing = 1;
            break;
        }
        touch(c);
        if (!discard) {
            if (http_conn_feed(&c->http, &site, buf, (size_t)n, emit, c) == HTTP_CLOSE)
                c->closing = 1;
            if (http_conn_idle(&c->http))
                c->head_ms = 0;
            else if (!c->head_ms)
                c->head_ms = now_ms ? now_ms : 1;
        }
        if ((size_t)n < budget)
            break;
    }
    flush(c);
}

static void accept_all(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && lru_head) {
                conn_close(lru_head); /* make room, try again */
                continue;
            }
            return; /* EAGAIN, or nothing we can free */
        }
        if (nconns >= max_conns)
            conn_close(lru_head);
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            continue;
        }
        int one = 1, sb = SOCK_BUF;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof sb);
        c->h.kind = K_CONN;
        c->h.fd = fd;
        c->state = S_OPEN;
        c->events = EPOLLIN;
        c->last_ms = now_ms;
        http_conn_init(&c->http);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        lru_append(c);
        nconns++;
    }
}

/* Idle keep-alive timeout, the cap on idle connections (longest idle first), and the
 * request-head deadline (408). Oldest activity first. */
static void expire(void)
{
    size_t idle = 0;
    for (struct conn *c = lru_head; c; c = c->next)
        if (!c->closing && c->out_off == c->out_len && http_conn_idle(&c->http))
            idle++;
    struct conn *next;
    for (struct conn *c = lru_head; c; c = next) {
        next = c->next;
        if (c->state == S_DRAIN || c->closing) {
            if (now_ms - c->last_ms >= idle_ms)
                conn_close(c);
            continue;
        }
        int is_idle = c->out_off == c->out_len && http_conn_idle(&c->http);
        if (is_idle && (idle > max_idle || now_ms - c->last_ms >= idle_ms)) {
            conn_close(c);
            idle--;
        } else if (!is_idle && c->head_ms && now_ms - c->head_ms >= header_ms) {
            http_conn_timeout(&c->http, emit, c); /* slowloris: 408, then close */
            c->closing = 1;
            c->head_ms = 0;
            flush(c);
        } else if (!is_idle && now_ms - c->last_ms >= idle_ms) {
            conn_close(c); /* a client that stopped reading our output */
        }
    }
}

int main(int argc, char **argv)
{
    unsigned long port = 80, v;
    const char *bind_addr = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: %s %s\n", PROG, USAGE);
            return 0;
        }
        if (i + 1 >= argc && (strcmp(a, "--port") == 0 || strcmp(a, "--bind") == 0 ||
                              strcmp(a, "--max-conns") == 0 || strcmp(a, "--idle-timeout") == 0 ||
                              strcmp(a, "--header-timeout") == 0 || strcmp(a, "--max-idle") == 0))
            usage_error(PROG, USAGE, "%s needs a value", a);
        if (strcmp(a, "--port") == 0) {
            if (parse_uint(argv[++i], 1, 65535, &port) != 0)
                usage_error(PROG, USAGE, "bad port '%s'", argv[i]);
        } else if (strcmp(a, "--bind") == 0) {
            bind_addr = argv[++i];
        } else if (strcmp(a, "--max-conns") == 0) {
            if (parse_uint(argv[++i], 1, 1000000, &v) != 0)
                usage_error(PROG, USAGE, "bad --max-conns '%s'", argv[i]);
            max_conns = v;
        } else if (strcmp(a, "--idle-timeout") == 0) {
            if (parse_uint(argv[++i], 1, 86400, &v) != 0)
                usage_error(PROG, USAGE, "bad --idle-timeout '%s'", argv[i]);
            idle_ms = v * 1000;
        } else if (strcmp(a, "--header-timeout") == 0) {
            if (parse_uint(argv[++i], 1, 86400, &v) != 0)
                usage_error(PROG, USAGE, "bad --header-timeout '%s'", argv[i]);
            header_ms = v * 1000;
        } else if (strcmp(a, "--max-idle") == 0) {
            if (parse_uint(argv[++i], 0, 1000000, &v) != 0)
                usage_error(PROG, USAGE, "bad --max-idle '%s'", argv[i]);
            max_idle = v;
        } else {
            usage_error(PROG, USAGE, "unknown option '%s'", a);
        }
    }

    /* Use the file descriptors we may; keep the table below the limit. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
        if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 32 && max_conns > rl.rlim_cur - 16)
            max_conns = rl.rlim_cur - 16;
    }

    http_site_default(&site);
    reserve = site.body_len + 1024;
    out_cap = OUT_LIMIT + reserve;
    static struct handle sig;
    sig.kind = K_SIGNAL;
    sig.fd = termination_fd();
    struct listeners l;
    open_listeners(&l, PROG, SOCK_STREAM, bind_addr, (uint16_t)port, SOCK_BUF);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        perror("epoll_create1");
        return 1;
    }
    static struct handle lh[MAX_LISTEN];
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &sig};
    epoll_ctl(ep, EPOLL_CTL_ADD, sig.fd, &ev);
    for (int i = 0; i < l.count; i++) {
        lh[i].kind = K_LISTEN;
        lh[i].fd = l.fd[i];
        ev.data.ptr = &lh[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, l.fd[i], &ev);
    }
    announce_ready("web");

    now_ms = monotonic_ms();
    uint64_t last_sweep = now_ms;
    for (;;) {
        struct epoll_event evs[256];
        /* with connections open, sweep at least every 100 ms (idle cap, head deadline) */
        int n = epoll_wait(ep, evs, 256, nconns ? 100 : 1000);
        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            return 1;
        }
        now_ms = monotonic_ms();
        for (int i = 0; i < n; i++) {
            struct handle *h = evs[i].data.ptr;
            if (h->kind == K_SIGNAL) {
                while (lru_head)
                    conn_close(lru_head);
                free_dead();
                for (int k = 0; k < l.count; k++)
                    close(l.fd[k]);
                return 0;
            }
            if (h->kind == K_LISTEN) {
                accept_all(h->fd);
                continue;
            }
            if (h->kind == K_DEAD)
                continue;
            struct conn *c = (struct conn *)h;
            uint32_t e = evs[i].events;
            if (e & EPOLLOUT) {
                if (flush(c) != 0)
                    continue;
            }
            if (e & (EPOLLIN | EPOLLHUP | EPOLLERR))
                on_readable(c);
        }
        free_dead();
        if (now_ms - last_sweep >= 100) {
            expire();
            free_dead();
            last_sweep = now_ms;
        }
    }
}
