/* echo_main.c - the null echo guest: the library OS's boot, virtio driver and main loop
 * (batched RX, suppressed notifications, busy-poll), but every IPv4/UDP frame for our
 * address is reflected at layer 2 (net/reflect.c) instead of going through IP, UDP and an
 * application. ARP still goes through the stack, so a client can reach it on a lab bridge.
 * Its packet rate is the platform's cap (QEMU's user-space tap backend); scripts/perf-numbers.sh
 * measures each build's distance from it. Not a service unibench deploys (no manifest). */
#include "uk.h"

const char app_name[] = "echo";

int app_option(const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key, (void)klen, (void)val, (void)vlen;
    return -1;
}

static int echo_frame(struct netif *nif, uint8_t *f, size_t len)
{
    if (len < ETH_HLEN + 20 || memcmp(f + ETH_HLEN + 16, (uint8_t[]){(uint8_t)(nif->ip >> 24), (uint8_t)(nif->ip >> 16),
                                                                     (uint8_t)(nif->ip >> 8), (uint8_t)nif->ip}, 4))
        return 0;
    size_t n = udp_reflect(f, len);
    if (!n)
        return 0;
    uint8_t *out = netif_tx_begin(nif);
    if (out) {
        memcpy(out, f, n);
        netif_tx_commit(nif, n);
    }
    return 1;
}

void app_start(void)
{
    eth_set_hook(echo_frame);
}
