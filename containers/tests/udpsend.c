/*
 * udpsend: send each file as one UDP datagram to a DNS server on loopback and report the
 * answer's rcode. With --check, the outcome must match the file name's prefix, as in
 * unikernels/apps/tests/corpus/ (drop-, formerr-, notimp-, refused-, nxdomain-, noerror-,
 * servfail-, badvers-); exits 1 on any mismatch.
 *   udpsend [--check] HOST PORT FILE...      HOST: 127.0.0.1 or ::1 only
 * With --probe, it measures readiness instead: it sends "www.cetic.be A" every 2 ms until an
 * answer carries 10.0.0.5, then prints the milliseconds since it started (exit 1 on timeout).
 *   udpsend --probe HOST PORT TIMEOUT_MS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Readiness probe: a fixed A query for www.cetic.be, resent every 2 ms. */
static int probe(int fd, int timeout_ms)
{
    static const unsigned char q[] = {0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                      3, 'w', 'w', 'w', 5, 'c', 'e', 't', 'i', 'c', 2, 'b', 'e', 0,
                                      0, 1, 0, 1};
    double t0 = now_ms();
    while (now_ms() - t0 < timeout_ms) {
        (void)send(fd, q, sizeof q, 0); /* ECONNREFUSED before the server is up: retry */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while (poll(&p, 1, 2) > 0) {
            unsigned char r[1500];
            ssize_t n = recv(fd, r, sizeof r, 0);
            if (n < 0)
                break;
            /* ID, NOERROR with one answer whose last 4 bytes are 10.0.0.5 */
            if (n >= 46 && r[0] == 0xAB && r[1] == 0xCD && (r[3] & 0x0F) == 0 && r[7] == 1 &&
                memcmp(r + n - 4, "\x0a\x00\x00\x05", 4) == 0) {
                printf("%.1f\n", now_ms() - t0);
                return 0;
            }
        }
    }
    fprintf(stderr, "udpsend: no answer within %d ms\n", timeout_ms);
    return 1;
}

static const char *outcome_name(const unsigned char *r, ssize_t n)
{
    static const char *names[] = {"noerror", "formerr", "servfail", "nxdomain", "notimp", "refused"};
    if (n < 12)
        return "short";
    int rc = r[3] & 0x0F;
    unsigned ar = (unsigned)(r[10] << 8 | r[11]);
    if (rc == 0 && ar >= 1 && n >= 23 && r[n - 11] == 0 && r[n - 10] == 0 && r[n - 9] == 41 &&
        r[n - 6] == 1)
        return "badvers";
    return rc < 6 ? names[rc] : "other";
}

int main(int argc, char **argv)
{
    int check = 0, do_probe = 0, argi = 1;
    if (argi < argc && strcmp(argv[argi], "--check") == 0) {
        check = 1;
        argi++;
    } else if (argi < argc && strcmp(argv[argi], "--probe") == 0) {
        do_probe = 1;
        argi++;
    }
    if (argc - argi < 3) {
        fprintf(stderr, "usage: udpsend [--check] HOST PORT FILE... | udpsend --probe HOST PORT TIMEOUT_MS\n");
        return 2;
    }
    const char *host = argv[argi++];
    int port = atoi(argv[argi++]);
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1 && a4->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        sl = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 &&
               memcmp(&a6->sin6_addr, &in6addr_loopback, sizeof in6addr_loopback) == 0) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        sl = sizeof *a6;
    } else {
        fprintf(stderr, "udpsend: only 127.0.0.1 or ::1 allowed, not %s\n", host);
        return 2;
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        perror("udpsend: socket");
        return 1;
    }
    if (do_probe)
        return probe(fd, atoi(argv[argi]));
    int bad = 0;
    for (int i = argi; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        unsigned char q[4096], r[4096];
        size_t qlen = fread(q, 1, sizeof q, f);
        fclose(f);
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        int expect_drop = strncmp(base, "drop-", 5) == 0;
        /* a reply is matched by its ID (bytes 0-1) when the query has one */
        const char *got = "none";
        for (int attempt = 0; attempt < (expect_drop ? 1 : 3) && strcmp(got, "none") == 0; attempt++) {
            if (send(fd, q, qlen, 0) < 0 && errno != ECONNREFUSED) {
                perror("udpsend: send");
                return 1;
            }
            struct pollfd p = {.fd = fd, .events = POLLIN};
            int wait_ms = expect_drop ? 300 : 1000;
            while (poll(&p, 1, wait_ms) > 0) {
                ssize_t n = recv(fd, r, sizeof r, 0);
                if (n < 0)
                    break;
                if (qlen >= 2 && (n < 2 || r[0] != q[0] || r[1] != q[1]))
                    continue; /* late answer to an earlier query */
                got = outcome_name(r, n);
                break;
            }
        }
        const char *want = expect_drop ? "none" : NULL;
        int ok = 1;
        if (check) {
            if (!want) {
                size_t k = strcspn(base, "-");
                ok = strlen(got) == k && strncmp(base, got, k) == 0;
            } else {
                ok = strcmp(got, want) == 0;
            }
        }
        printf("%-45s %s%s\n", base, got, ok ? "" : "  MISMATCH");
        bad += !ok;
    }
    close(fd);
    return bad ? 1 : 0;
}
