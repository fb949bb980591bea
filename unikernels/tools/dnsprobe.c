/*
 * dnsprobe - time from spawning a command to the first correct DNS answer.
 *
 *   dnsprobe [-s 127.0.0.1] -p PORT [-n www.cetic.be] [-e 10.0.0.5] [-i 1000] [-T 10000]
 *            [-k] [-w] [-- command args...]
 *
 * Forks and execs the command (if given), then sends an A query every -i microseconds
 * (default 1000) from one UDP socket until a reply carries the expected A record, and
 * prints the elapsed milliseconds since just before the fork on stdout. Replies that are
 * wrong (other rcode, no matching record) are ignored; errors such as ECONNREFUSED while
 * nothing listens yet are ignored too. -T is the overall timeout (ms, exit 1).
 * -k: SIGTERM the spawned process afterwards (and reap it). -w: start probing only once the
 * command has exited (for `docker run -d`, whose published port accepts datagrams before the
 * container is reachable); the time still runs from the spawn. The command's stdout goes to
 * stderr, so stdout carries only the result. Host tool, not for the kernel.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t build_query(uint8_t *q, uint16_t id, const char *name)
{
    size_t n = 0;
    q[n++] = id >> 8;
    q[n++] = id & 0xff;
    q[n++] = 0x00; /* no RD: we ask the authority */
    q[n++] = 0x00;
    q[n++] = 0;
    q[n++] = 1; /* QDCOUNT */
    memset(q + n, 0, 6);
    n += 6;
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0 || len > 63)
            break;
        q[n++] = (uint8_t)len;
        memcpy(q + n, p, len);
        n += len;
        p += len;
        if (*p == '.')
            p++;
    }
    q[n++] = 0;
    q[n++] = 0;
    q[n++] = 1; /* A */
    q[n++] = 0;
    q[n++] = 1; /* IN */
    return n;
}

static int skip_name(const uint8_t *m, size_t len, size_t *off)
{
    size_t o = *off;
    for (int guard = 0; guard < 128; guard++) {
        if (o >= len)
            return -1;
        uint8_t l = m[o];
        if (l == 0) {
            *off = o + 1;
            return 0;
        }
        if ((l & 0xC0) == 0xC0) {
            if (o + 1 >= len)
                return -1;
            *off = o + 2;
            return 0;
        }
        o += 1 + l;
    }
    return -1;
}

/* 1 when the reply answers with the expected address. */
static int reply_ok(const uint8_t *m, size_t len, const uint8_t expect[4])
{
    if (len < 12 || !(m[2] & 0x80) || (m[3] & 0x0F) != 0)
        return 0;
    unsigned qd = m[4] << 8 | m[5], an = m[6] << 8 | m[7];
    size_t off = 12;
    for (unsigned i = 0; i < qd; i++) {
        if (skip_name(m, len, &off) || off + 4 > len)
            return 0;
        off += 4;
    }
    for (unsigned i = 0; i < an; i++) {
        if (skip_name(m, len, &off) || off + 10 > len)
            return 0;
        unsigned type = m[off] << 8 | m[off + 1];
        unsigned rdlen = m[off + 8] << 8 | m[off + 9];
        off += 10;
        if (off + rdlen > len)
            return 0;
        if (type == 1 && rdlen == 4 && !memcmp(m + off, expect, 4))
            return 1;
        off += rdlen;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *server = "127.0.0.1", *name = "www.cetic.be", *expect_s = "10.0.0.5";
    int port = 0, interval_us = 1000, timeout_ms = 10000, kill_child = 0, wait_exit = 0, opt;
    while ((opt = getopt(argc, argv, "s:p:n:e:i:T:kw")) != -1) {
        switch (opt) {
        case 's': server = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'n': name = optarg; break;
        case 'e': expect_s = optarg; break;
        case 'i': interval_us = atoi(optarg); break;
        case 'T': timeout_ms = atoi(optarg); break;
        case 'k': kill_child = 1; break;
        case 'w': wait_exit = 1; break;
        default:
            fprintf(stderr, "usage: dnsprobe [-s addr] -p port [-n name] [-e ipv4] [-i us] [-T ms] [-k] [-w] [-- cmd...]\n");
            return 2;
        }
    }
    uint8_t expect[4];
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (port <= 0 || port > 65535 || inet_pton(AF_INET, server, &sa.sin_addr) != 1 ||
        inet_pton(AF_INET, expect_s, expect) != 1 || interval_us <= 0) {
        fprintf(stderr, "dnsprobe: need -p PORT, a valid -s address and -e IPv4\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("dnsprobe: socket");
        return 2;
    }
    double t0 = now_ms();
    pid_t child = -1;
    if (optind < argc) {
        child = fork();
        if (child == 0) {
            dup2(2, 1);
            execvp(argv[optind], argv + optind);
            perror("dnsprobe: exec");
            _exit(127);
        }
        if (child < 0) {
            perror("dnsprobe: fork");
            return 2;
        }
        if (wait_exit) {
            int st;
            if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "dnsprobe: the command failed\n");
                return 1;
            }
            child = -1;
        }
    }
    uint8_t q[512], r[1500];
    uint16_t id = (uint16_t)getpid();
    int rc = 1;
    unsigned sent = 0;
    double next = t0;
    for (;;) {
        double t = now_ms();
        if (t - t0 > timeout_ms) {
            fprintf(stderr, "dnsprobe: no correct answer within %d ms (%u queries)\n", timeout_ms, sent);
            break;
        }
        if (t >= next) {
            size_t n = build_query(q, ++id, name);
            (void)send(fd, q, n, 0);
            sent++;
            next = t + interval_us / 1000.0;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int wait_ms = (int)(next - now_ms());
        if (wait_ms < 0)
            wait_ms = 0;
        /* poll has ms resolution: sleep the sub-ms remainder instead of spinning */
        if (poll(&pfd, 1, wait_ms) == 0 && wait_ms == 0) {
            double rem = next - now_ms();
            if (rem > 0) {
                struct timespec ts = {0, (long)(rem * 1e6)};
                nanosleep(&ts, NULL);
            }
        }
        ssize_t got;
        int ok = 0;
        while ((got = recv(fd, r, sizeof(r), 0)) >= 0 || errno == ECONNREFUSED) {
            if (got >= 0 && reply_ok(r, (size_t)got, expect)) {
                ok = 1;
                break;
            }
        }
        if (ok) {
            printf("%.3f\n", now_ms() - t0);
            fflush(stdout);
            rc = 0;
            break;
        }
        if (child > 0 && waitpid(child, NULL, WNOHANG) == child) {
            child = -1;
            fprintf(stderr, "dnsprobe: the command exited before answering\n");
        }
    }
    if (child > 0 && kill_child) {
        kill(child, SIGTERM);
        waitpid(child, NULL, 0);
    }
    return rc;
}
