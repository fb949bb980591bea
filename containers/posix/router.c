/*
 * router: the unibench router container's process. The Linux kernel of the container's
 * network namespace does the forwarding (net.ipv4.ip_forward=1, set by `docker run
 * --sysctl`); unibench adds the interfaces and static routes. This process checks that
 * forwarding is on, prints the ready line and waits for SIGTERM/SIGINT (exit 0).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define PROG "router"
#define USAGE "(no options; run with --sysctl net.ipv4.ip_forward=1)"

int main(int argc, char **argv)
{
    if (argc > 1)
        usage_error(PROG, USAGE, "unexpected argument '%s'", argv[1]);
    char v[4] = {0};
    int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY);
    if (fd < 0 || read(fd, v, sizeof(v) - 1) < 1) {
        fprintf(stderr, PROG ": cannot read /proc/sys/net/ipv4/ip_forward\n");
        return 1;
    }
    close(fd);
    if (v[0] != '1') {
        fprintf(stderr, PROG ": net.ipv4.ip_forward is 0 in this network namespace (docker run --sysctl "
                        "net.ipv4.ip_forward=1)\n");
        return 1;
    }
    int sfd = termination_fd();
    announce_ready("router");
    struct pollfd p = {sfd, POLLIN, 0};
    while (poll(&p, 1, -1) < 0)
        ;
    return 0;
}
