/* router_main.c - the router service: IPv4 forwarding between two or more interfaces,
 * static routes from the command line (route=, gw=), nothing printed per packet. */
#include "uk.h"

const char app_name[] = "router";

int app_option(const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key, (void)klen, (void)val, (void)vlen;
    return -1;
}

void app_start(void)
{
    if (netif_count < 2)
        fatal("the router needs two or more virtio-net devices (found %u)", netif_count);
    for (unsigned i = 0; i < netif_count; i++)
        if (!netifs[i].ip)
            fatal("interface %u has no address (ip%u=A.B.C.D/N)", i, i);
    ip_forwarding(1, NULL);
}
