/* dns_main.c - the DNS service: UDP port 53 answered by the apps' dns_respond. */
#include "uk.h"
#include "dns.h"

const char app_name[] = "dns";

static struct dns_zone zone;
static int zone_set;
static char zone_spec[1024];
static uint8_t reply[1500];

int app_option(const char *key, size_t klen, const char *val, size_t vlen)
{
    if (klen != 4 || memcmp(key, "zone", 4))
        return -1;
    if (vlen >= sizeof(zone_spec)) {
        kprintf("unibench: error: zone= is longer than %zu bytes\n", sizeof(zone_spec) - 1);
        return -2;
    }
    memcpy(zone_spec, val, vlen);
    zone_spec[vlen] = 0;
    if (dns_zone_parse(&zone, zone_spec) != 0 || zone.count == 0) {
        kprintf("unibench: error: invalid zone=%s (expected ORIGIN:LABEL=IP,..., e.g. "
                "zone=cetic.be:@=10.0.0.5,www=10.0.0.5)\n", zone_spec);
        return -2;
    }
    zone_set = 1;
    return 0;
}

static void on_query(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *q, size_t len)
{
    size_t n = dns_respond(&zone, q, len, reply, sizeof(reply) - 28);
    if (n)
        udp_send(src, dport, sport, reply, n);
}

void app_start(void)
{
    if (!zone_set)
        dns_zone_default(&zone);
    udp_bind(53, on_query);
}
