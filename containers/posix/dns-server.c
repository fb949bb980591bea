/*
 * dns-server: the unibench DNS service (unikernels/apps/dns.c) behind POSIX UDP sockets.
 * One thread, epoll, batches of datagrams with recvmmsg/sendmmsg. Nothing is printed per
 * request; exits 0 on SIGTERM/SIGINT.
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
#include <unistd.h>

#include "common.h"
#include "dns.h"

#define PROG "dns-server"
#define USAGE "[--port N] [--bind ADDR] [--zone ORIGIN:LABEL=IPv4,...] [--rcvbuf BYTES]"
#define BATCH 64
#define QMAX 1500   /* largest query we read; longer datagrams are truncated -> FORMERR/drop */
#define RMAX DNS_EDNS_PAYLOAD

static struct dns_zone zone;

static uint8_t qbuf[BATCH][QMAX];
static uint8_t rbuf[BATCH][RMAX];
static struct sockaddr_storage peers[BATCH];
static struct iovec qiov[BATCH], riov[BATCH];
static struct mmsghdr qmsg[BATCH], rmsg[BATCH];

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
        }
        int n = recvmmsg(fd, qmsg, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return; /* EAGAIN, or a transient error (ICMP-induced): try again on the next event */
        int m = 0;
        for (int i = 0; i < n; i++) {
            size_t len = qmsg[i].msg_len;
            if (qmsg[i].msg_hdr.msg_flags & MSG_TRUNC)
                len = QMAX;
            size_t r = dns_respond(&zone, qbuf[i], len, rbuf[m], RMAX);
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
    unsigned long port = 53, rcvbuf = 0;
    const char *bind_addr = NULL;
    const char *spec = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: %s %s\n", PROG, USAGE);
            return 0;
        }
        if (i + 1 >= argc && (strcmp(a, "--port") == 0 || strcmp(a, "--zone") == 0 ||
                              strcmp(a, "--bind") == 0 || strcmp(a, "--rcvbuf") == 0))
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
    struct listeners l;
    open_listeners(&l, PROG, SOCK_DGRAM, bind_addr, (uint16_t)port, (int)rcvbuf);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        perror("epoll_create1");
        return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.fd = sfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    for (int i = 0; i < l.count; i++) {
        ev.data.fd = l.fd[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, l.fd[i], &ev);
    }
    announce_ready("dns");

    for (;;) {
        struct epoll_event evs[8];
        int n = epoll_wait(ep, evs, 8, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.fd == sfd) {
                for (int k = 0; k < l.count; k++)
                    close(l.fd[k]);
                return 0;
            }
            serve(evs[i].data.fd);
        }
    }
}
