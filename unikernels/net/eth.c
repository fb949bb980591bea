/* eth.c - interfaces, Ethernet demultiplexing and ARP per interface (reply, cache,
 * resolve, gratuitous announce, a few packets held while their next hop resolves). */
#include "uk.h"

struct netif netifs[NETIF_MAX];
unsigned netif_count;

#define ARP_REQ_INTERVAL_NS 200000000ULL
#define ARP_HOLD 4
#define ARP_HOLD_NS 1000000000ULL /* a held packet older than this is dropped */

struct arp_held {
    uint32_t nexthop;
    uint16_t len; /* 0: free */
    uint32_t seq; /* arrival order */
    uint64_t since;
    uint8_t pkt[1500];
};
static struct arp_held held[NETIF_MAX][ARP_HOLD];
static uint32_t hold_seq;

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

struct netif *netif_by_addr(uint32_t ip)
{
    for (unsigned i = 0; i < netif_count; i++)
        if (netifs[i].ip && netifs[i].ip == ip)
            return &netifs[i];
    return NULL;
}

static struct arp_entry *arp_find(struct netif *nif, uint32_t ip)
{
    for (unsigned i = 0; i < ARP_CACHE; i++)
        if (nif->arp[i].ip == ip && (nif->arp[i].valid || nif->arp[i].last_req))
            return &nif->arp[i];
    return NULL;
}

/* Send what waited for ip, oldest first; drop what waited too long. */
static void hold_release(struct netif *nif, uint32_t ip, const uint8_t *mac)
{
    uint64_t now = now_ns();
    for (;;) {
        struct arp_held *h = NULL;
        for (unsigned i = 0; i < ARP_HOLD; i++) {
            struct arp_held *c = &held[nif->index][i];
            if (c->len && c->nexthop == ip && (!h || (int32_t)(c->seq - h->seq) < 0))
                h = c;
        }
        if (!h)
            return;
        uint8_t *f = now - h->since < ARP_HOLD_NS ? netif_tx_begin(nif) : NULL;
        if (f) {
            memcpy(f, mac, 6);
            memcpy(f + 6, nif->mac, 6);
            put16(f + 12, ETHTYPE_IP);
            memcpy(f + ETH_HLEN, h->pkt, h->len);
            size_t flen = ETH_HLEN + (size_t)h->len;
            if (flen < 60) {
                memset(f + flen, 0, 60 - flen);
                flen = 60;
            }
            netif_tx_commit(nif, flen);
        }
        h->len = 0;
    }
}

void arp_learn(struct netif *nif, uint32_t ip, const uint8_t *mac)
{
    if (ip == 0 || ip == nif->ip)
        return;
    struct arp_entry *e = arp_find(nif, ip);
    if (!e) {
        e = &nif->arp[nif->arp_next];
        nif->arp_next = (nif->arp_next + 1) % ARP_CACHE;
        e->ip = ip;
    }
    if (e->valid && !memcmp(e->mac, mac, 6))
        return;
    memcpy(e->mac, mac, 6);
    e->valid = 1;
    e->last_req = 0;
    hold_release(nif, ip, mac);
}

int arp_hold(struct netif *nif, uint32_t nexthop, const uint8_t *pkt, size_t len)
{
    if (len > sizeof(held[0][0].pkt) || nif->index >= NETIF_MAX)
        return -1;
    struct arp_held *slot = &held[nif->index][0];
    for (unsigned i = 0; i < ARP_HOLD; i++) {
        struct arp_held *h = &held[nif->index][i];
        if (!h->len) {
            slot = h;
            break;
        }
        if ((int32_t)(h->seq - slot->seq) < 0)
            slot = h; /* all taken: replace the oldest */
    }
    slot->nexthop = nexthop;
    slot->len = (uint16_t)len;
    slot->seq = hold_seq++;
    slot->since = now_ns();
    memcpy(slot->pkt, pkt, len);
    return 0;
}

static void arp_send(struct netif *nif, uint16_t op, const uint8_t *dmac, const uint8_t *tmac, uint32_t tip)
{
    uint8_t *f = netif_tx_begin(nif);
    if (!f)
        return;
    memcpy(f, dmac, 6);
    memcpy(f + 6, nif->mac, 6);
    put16(f + 12, ETHTYPE_ARP);
    uint8_t *a = f + ETH_HLEN;
    put16(a, 1);          /* Ethernet */
    put16(a + 2, 0x0800); /* IPv4 */
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, nif->mac, 6);
    put32(a + 14, nif->ip);
    memcpy(a + 18, tmac, 6);
    put32(a + 24, tip);
    memset(a + 28, 0, 18); /* pad to the 60-byte minimum */
    netif_tx_commit(nif, 60);
}

static void arp_request(struct netif *nif, uint32_t ip)
{
    static const uint8_t zero[6];
    arp_send(nif, 1, bcast, zero, ip);
}

void arp_announce(struct netif *nif)
{
    static const uint8_t zero[6];
    if (nif->ip)
        arp_send(nif, 1, bcast, zero, nif->ip); /* gratuitous: slirp and switches learn our MAC */
}

const uint8_t *arp_lookup(struct netif *nif, uint32_t ip)
{
    struct arp_entry *e = arp_find(nif, ip);
    if (e && e->valid)
        return e->mac;
    uint64_t now = now_ns();
    if (!e) {
        e = &nif->arp[nif->arp_next];
        nif->arp_next = (nif->arp_next + 1) % ARP_CACHE;
        e->ip = ip;
        e->valid = 0;
        e->last_req = 0;
    }
    if (!e->last_req || now - e->last_req >= ARP_REQ_INTERVAL_NS) {
        e->last_req = now ? now : 1;
        arp_request(nif, ip);
    }
    return NULL;
}

static void arp_input(struct netif *nif, const uint8_t *a, size_t len)
{
    if (len < 28 || get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4)
        return;
    uint16_t op = get16(a + 6);
    uint32_t sip = get32(a + 14), tip = get32(a + 24);
    /* Per interface: only this interface's address is answered (no proxy ARP). */
    if (tip != nif->ip) {
        /* Refresh only entries we already know (gratuitous updates). */
        struct arp_entry *e = arp_find(nif, sip);
        if (e)
            arp_learn(nif, sip, a + 8);
        return;
    }
    arp_learn(nif, sip, a + 8);
    if (op == 1)
        arp_send(nif, 2, a + 8, a + 8, sip);
}

void eth_input(struct netif *nif, uint8_t *f, size_t len)
{
    if (len < ETH_HLEN || !nif->ip)
        return;
    if (memcmp(f, nif->mac, 6) && memcmp(f, bcast, 6))
        return;
    uint16_t type = get16(f + 12);
    if (type == ETHTYPE_IP)
        ip_input(nif, f, f + ETH_HLEN, len - ETH_HLEN);
    else if (type == ETHTYPE_ARP)
        arp_input(nif, f + ETH_HLEN, len - ETH_HLEN);
}
