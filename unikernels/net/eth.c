/* eth.c - Ethernet demultiplexing and ARP (reply, cache, resolve, gratuitous announce). */
#include "uk.h"

struct net_cfg net_cfg;

#define ARP_CACHE 16
#define ARP_REQ_INTERVAL_NS 200000000ULL

struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t valid;
    uint64_t last_req; /* when we last asked for an unresolved address */
};
static struct arp_entry arp_cache[ARP_CACHE];
static unsigned arp_next;
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static struct arp_entry *arp_find(uint32_t ip)
{
    for (unsigned i = 0; i < ARP_CACHE; i++)
        if (arp_cache[i].ip == ip && (arp_cache[i].valid || arp_cache[i].last_req))
            return &arp_cache[i];
    return NULL;
}

void arp_learn(uint32_t ip, const uint8_t *mac)
{
    if (ip == 0 || ip == net_cfg.ip)
        return;
    struct arp_entry *e = arp_find(ip);
    if (!e) {
        e = &arp_cache[arp_next];
        arp_next = (arp_next + 1) % ARP_CACHE;
        e->ip = ip;
    }
    if (e->valid && !memcmp(e->mac, mac, 6))
        return;
    memcpy(e->mac, mac, 6);
    e->valid = 1;
    e->last_req = 0;
}

static void arp_send(uint16_t op, const uint8_t *dmac, const uint8_t *tmac, uint32_t tip)
{
    uint8_t *f = netif_tx_begin();
    if (!f)
        return;
    memcpy(f, dmac, 6);
    memcpy(f + 6, netif_mac, 6);
    put16(f + 12, ETHTYPE_ARP);
    uint8_t *a = f + ETH_HLEN;
    put16(a, 1);          /* Ethernet */
    put16(a + 2, 0x0800); /* IPv4 */
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, netif_mac, 6);
    put32(a + 14, net_cfg.ip);
    memcpy(a + 18, tmac, 6);
    put32(a + 24, tip);
    memset(a + 28, 0, 18); /* pad to the 60-byte minimum */
    netif_tx_commit(60);
}

static void arp_request(uint32_t ip)
{
    static const uint8_t zero[6];
    arp_send(1, bcast, zero, ip);
}

void arp_announce(void)
{
    static const uint8_t zero[6];
    arp_send(1, bcast, zero, net_cfg.ip); /* gratuitous: slirp learns our MAC */
    if (net_cfg.gw)
        (void)arp_lookup(net_cfg.gw);
}

const uint8_t *arp_lookup(uint32_t ip)
{
    struct arp_entry *e = arp_find(ip);
    if (e && e->valid)
        return e->mac;
    uint64_t now = now_ns();
    if (!e) {
        e = &arp_cache[arp_next];
        arp_next = (arp_next + 1) % ARP_CACHE;
        e->ip = ip;
        e->valid = 0;
        e->last_req = 0;
    }
    if (!e->last_req || now - e->last_req >= ARP_REQ_INTERVAL_NS) {
        e->last_req = now ? now : 1;
        arp_request(ip);
    }
    return NULL;
}

static void arp_input(const uint8_t *a, size_t len)
{
    if (len < 28 || get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4)
        return;
    uint16_t op = get16(a + 6);
    uint32_t sip = get32(a + 14), tip = get32(a + 24);
    if (tip != net_cfg.ip) {
        /* Refresh only entries we already know (gratuitous updates). */
        struct arp_entry *e = arp_find(sip);
        if (e)
            arp_learn(sip, a + 8);
        return;
    }
    arp_learn(sip, a + 8);
    if (op == 1)
        arp_send(2, a + 8, a + 8, sip);
}

void eth_input(uint8_t *f, size_t len)
{
    if (len < ETH_HLEN)
        return;
    if (memcmp(f, netif_mac, 6) && memcmp(f, bcast, 6))
        return;
    uint16_t type = get16(f + 12);
    if (type == ETHTYPE_IP)
        ip_input(f, f + ETH_HLEN, len - ETH_HLEN);
    else if (type == ETHTYPE_ARP)
        arp_input(f + ETH_HLEN, len - ETH_HLEN);
}
