/*
 * udprate - forwarding-rate probe: paced small UDP datagrams one way, counted at the far end.
 *
 *   udprate recv PORT SECONDS              count datagrams on 0.0.0.0:PORT for SECONDS, print
 *                                          "received N" (stops by itself)
 *   udprate send ADDR PORT RATE SECONDS [SIZE]
 *                                          send RATE datagrams/s of SIZE payload bytes (default 18:
 *                                          a 64-byte Ethernet frame) for SECONDS, paced in 1 ms
 *                                          slots; print "sent N achieved R/s"
 *
 * Meant for the lab's namespaces (scripts/topology-numbers.sh): both ends bounded in time.
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

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int usage(void)
{
    fprintf(stderr, "usage: udprate recv PORT SECONDS | udprate send ADDR PORT RATE SECONDS [SIZE]\n");
    return 2;
}

static int do_recv(int port, double secs)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "udprate: bind port %d: %s\n", port, strerror(errno));
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    long n = 0;
    double end = now_s() + secs;
    char buf[2048];
    struct mmsghdr m[64];
    struct iovec iov[64];
    for (int i = 0; i < 64; i++) {
        iov[i].iov_base = buf;
        iov[i].iov_len = sizeof buf;
        memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
        m[i].msg_hdr.msg_iov = &iov[i];
        m[i].msg_hdr.msg_iovlen = 1;
    }
    for (;;) {
        double left = end - now_s();
        if (left <= 0)
            break;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
            continue;
        int r = recvmmsg(fd, m, 64, MSG_DONTWAIT, NULL);
        if (r > 0)
            n += r;
    }
    printf("received %ld\n", n);
    return 0;
}

static int do_send(const char *addr, int port, double rate, double secs, int size)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (fd < 0 || inet_pton(AF_INET, addr, &a.sin_addr) != 1 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "udprate: cannot reach %s:%d\n", addr, port);
        return 1;
    }
    char payload[1472];
    memset(payload, 'u', sizeof payload);
    long sent = 0, errors = 0;
    double t0 = now_s();
    for (;;) {
        double t = now_s() - t0;
        if (t >= secs)
            break;
        long due = (long)(t * rate);
        while (sent + errors < due) {
            if (send(fd, payload, (size_t)size, MSG_DONTWAIT) == size)
                sent++;
            else
                errors++; /* a full socket buffer: counted as not sent */
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    double el = now_s() - t0;
    printf("sent %ld errors %ld achieved %.0f/s\n", sent, errors, sent / el);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "recv"))
        return do_recv(atoi(argv[2]), atof(argv[3]));
    if ((argc == 6 || argc == 7) && !strcmp(argv[1], "send")) {
        int size = argc == 7 ? atoi(argv[6]) : 18;
        double rate = atof(argv[4]), secs = atof(argv[5]);
        if (size < 1 || size > 1472 || rate <= 0 || rate > 5e6 || secs <= 0 || secs > 60)
            return usage();
        return do_send(argv[2], atoi(argv[3]), rate, secs, size);
    }
    return usage();
}
