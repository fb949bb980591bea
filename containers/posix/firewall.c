/*
 * firewall: the unibench firewall container's process, over the same compiled rule file
 * as the firewall unikernel (unikernels/services/firewall.rules, apps/fw.h).
 *
 *   firewall --print-nft [--nflog-group N]   the rules as an nftables script (unibench loads it into
 *                                            the container's network namespace: nsenter ... nft -f -)
 *   firewall [--nflog-group N]               read the packets the logging rules send to NFLOG group N
 *                                            and print the same rate-limited lines as the unikernel
 *
 * The kernel forwards and filters (net.ipv4.ip_forward=1 from `docker run --sysctl`); plain
 * nft `log` from a non-initial namespace is dropped by the kernel, so logging goes through
 * NFLOG (needs CAP_NET_ADMIN in the container). Exits 0 on SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "fw.h"

#define PROG "firewall"
#define USAGE "[--print-nft] [--nflog-group N]"

extern const struct fw_ruleset fw_builtin;
static struct fw_logger logger;
static char nft[64 * 1024];

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void log_line(const char *line)
{
    printf("unibench: firewall: %s\n", line);
    fflush(stdout);
}

/* One NFULNL_MSG_CONFIG request, acknowledged; returns 0 or -errno. */
static int nflog_config(int fd, uint16_t group, uint8_t family, const void *attr, uint16_t atype, uint16_t alen)
{
    struct {
        struct nlmsghdr nh;
        struct nfgenmsg g;
        char attrs[64];
    } req;
    memset(&req, 0, sizeof(req));
    struct nlattr *a = (struct nlattr *)req.attrs;
    a->nla_type = atype;
    a->nla_len = (uint16_t)(NLA_HDRLEN + alen);
    memcpy((char *)a + NLA_HDRLEN, attr, alen);
    req.nh.nlmsg_len = (uint32_t)(NLMSG_LENGTH(sizeof(struct nfgenmsg)) + NLA_ALIGN(a->nla_len));
    req.nh.nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req.nh.nlmsg_seq = 1;
    req.g.nfgen_family = family;
    req.g.version = NFNETLINK_V0;
    req.g.res_id = htons(group);
    if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
        return -errno;
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < (ssize_t)sizeof(struct nlmsghdr))
        return -EIO;
    struct nlmsghdr *nh = (struct nlmsghdr *)buf;
    if (nh->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(nh);
        return e->error;
    }
    return 0;
}

static int nflog_open(uint16_t group)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0) {
        fprintf(stderr, PROG ": netlink socket: %s\n", strerror(errno));
        exit(1);
    }
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr, PROG ": netlink bind: %s\n", strerror(errno));
        exit(1);
    }
    struct nfulnl_msg_config_cmd cmd = {NFULNL_CFG_CMD_BIND};
    int r = nflog_config(fd, group, AF_INET, &cmd, NFULA_CFG_CMD, sizeof(cmd));
    if (r) {
        fprintf(stderr, PROG ": cannot bind NFLOG group %u: %s%s\n", group, strerror(-r),
                r == -EPERM ? " (the container needs --cap-add NET_ADMIN)" : "");
        exit(1);
    }
    struct nfulnl_msg_config_mode mode = {htonl(128), NFULNL_COPY_PACKET, 0};
    r = nflog_config(fd, group, AF_UNSPEC, &mode, NFULA_CFG_MODE, sizeof(mode));
    if (r) {
        fprintf(stderr, PROG ": cannot set the NFLOG copy mode: %s\n", strerror(-r));
        exit(1);
    }
    return fd;
}

/* Every NFULNL_MSG_PACKET in buf: its payload (the IPv4 packet) through the rules' logger. */
static void nflog_input(const char *buf, size_t len)
{
    for (const struct nlmsghdr *nh = (const void *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
        if (nh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
            continue;
        const char *p = (const char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(struct nfgenmsg));
        const char *end = (const char *)nh + nh->nlmsg_len;
        while (p + NLA_HDRLEN <= end) {
            const struct nlattr *a = (const void *)p;
            if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
                break;
            if ((a->nla_type & NLA_TYPE_MASK) == NFULA_PAYLOAD) {
                const uint8_t *ip = (const uint8_t *)p + NLA_HDRLEN;
                size_t iplen = a->nla_len - NLA_HDRLEN;
                int rule = fw_match(&fw_builtin, ip, iplen);
                if (rule >= 0 && iplen >= 20) {
                    uint32_t src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
                    char line[96];
                    if (fw_log_match(&logger, &fw_builtin, rule, src, now_ns(), line, sizeof(line)))
                        log_line(line);
                }
            }
            p += NLA_ALIGN(a->nla_len);
        }
    }
}

int main(int argc, char **argv)
{
    unsigned long group = 1;
    int print_nft = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--print-nft")) {
            print_nft = 1;
        } else if (!strcmp(argv[i], "--nflog-group") && i + 1 < argc) {
            if (parse_uint(argv[++i], 0, 65535, &group))
                usage_error(PROG, USAGE, "invalid --nflog-group '%s' (0..65535)", argv[i]);
        } else {
            usage_error(PROG, USAGE, "unknown option '%s'", argv[i]);
        }
    }
    if (print_nft) {
        size_t n = fw_to_nft(&fw_builtin, (unsigned)group, nft, sizeof(nft));
        if (!n) {
            fprintf(stderr, PROG ": nftables script too large\n");
            return 1;
        }
        fwrite(nft, 1, n, stdout);
        return 0;
    }
    int sfd = termination_fd();
    int nfd = nflog_open((uint16_t)group);
    announce_ready("firewall");
    static char buf[65536];
    for (;;) {
        uint64_t d = fw_log_deadline(&logger, &fw_builtin), now = now_ns();
        int timeout = d == 0 ? -1 : d <= now ? 0 : (int)((d - now) / 1000000 + 1);
        struct pollfd p[2] = {{sfd, POLLIN, 0}, {nfd, POLLIN, 0}};
        int r = poll(p, 2, timeout);
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
            return 1;
        }
        if (p[0].revents)
            return 0;
        if (p[1].revents & POLLIN) {
            ssize_t n = recv(nfd, buf, sizeof(buf), MSG_DONTWAIT);
            if (n > 0)
                nflog_input(buf, (size_t)n);
            else if (n < 0 && errno == ENOBUFS)
                fprintf(stderr, PROG ": NFLOG overrun: some matches were not counted\n");
        }
        char line[96];
        while (fw_log_flush(&logger, &fw_builtin, now_ns(), line, sizeof(line)))
            log_line(line);
    }
}
