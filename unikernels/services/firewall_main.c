/* firewall_main.c - the firewall service: forwarding like the router, every forwarded
 * packet checked against the rule file compiled in at build time (services/firewall.rules,
 * apps/fw.h); matches of logging rules are printed at most once a second per rule, with
 * a count of the ones in between. Interface 0 faces outside, interface 1 inside. */
#include "uk.h"
#include "fw.h"

const char app_name[] = "firewall";

extern const struct fw_ruleset fw_builtin;
static struct fw_logger logger;

int app_option(const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key, (void)klen, (void)val, (void)vlen;
    return -1;
}

static void log_line(const char *line)
{
    kprintf("unibench: firewall: %s\n", line);
}

static int filter(struct netif *in, const uint8_t *ip, size_t len)
{
    (void)in;
    int r = fw_match(&fw_builtin, ip, len);
    if (r < 0)
        return 0;
    if (fw_builtin.rule[r].log[0]) {
        char line[96];
        uint32_t src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
        if (fw_log_match(&logger, &fw_builtin, r, src, now_ns(), line, sizeof(line)))
            log_line(line);
    }
    return fw_drops(&fw_builtin, r);
}

uint64_t app_timers(uint64_t now)
{
    char line[96];
    while (fw_log_flush(&logger, &fw_builtin, now, line, sizeof(line)))
        log_line(line);
    return fw_log_deadline(&logger, &fw_builtin);
}

void app_start(void)
{
    if (netif_count < 2)
        fatal("the firewall needs two virtio-net devices, outside and inside (found %u)", netif_count);
    for (unsigned i = 0; i < netif_count; i++)
        if (!netifs[i].ip)
            fatal("interface %u has no address (ip%u=A.B.C.D/N)", i, i);
    ip_forwarding(1, filter);
}
