/* eth.c - interfaces, Ethernet demultiplexing and ARP per interface (reply, cache,
 * resolve, gratuitous announce, one packet held per next hop being resolved).
 *
 * ARP policy (a service on a shared L2 segment must not be redirected by a forged frame):
 * only ARP addressed to this interface's address is looked at; a reply is believed only
 * while we are asking for that address (our request, at most ARP_ASK_NS ago); a request
 * for us is answered, and its sender learnt only if we know nothing about that address
 * yet (it never changes a known mapping, and such entries are evicted first); IP packets
 * teach nothing. Mappings age: after ARP_REACHABLE_NS a new request refreshes them while
 * they are still used, and without a reply within ARP_STALE_NS they are dropped. */
#include "uk.h"

struct netif netifs[NETIF_MAX];
unsigned netif_count;

#define ARP_REQ_INTERVAL_NS 200000000ULL
#define ARP_ASK_NS 1000000000ULL          /* a reply is believed this long after our request */
#define ARP_REACHABLE_NS 60000000000ULL   /* then refresh */
#define ARP_STALE_NS 5000000000ULL        /* still used while the refresh is pending */
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
        if (nif->arp[i].state != ARP_FREE && nif->arp[i].ip == ip)
            return &nif->arp[i];
    return NULL;
}

/* A free entry, else the oldest incomplete one, else the oldest learnt from a request,
 * else the oldest confirmed one: a flood of forged requests cannot push out the gateway. */
static struct arp_entry *arp_slot(struct netif *nif, uint32_t ip)
{
    struct arp_entry *best = NULL;
    int best_rank = 4;
    for (unsigned i = 0; i < ARP_CACHE; i++) {
        struct arp_entry *e = &nif->arp[i];
        int rank = e->state == ARP_FREE ? 0 : e->state == ARP_INCOMPLETE ? 1 : e->solicited ? 3 : 2;
        uint64_t age = e->state == ARP_INCOMPLETE ? e->last_req : e->confirmed;
        uint64_t best_age = !best ? 0 : best->state == ARP_INCOMPLETE ? best->last_req : best->confirmed;
        if (rank < best_rank || (rank == best_rank && age < best_age)) {
            best = e;
            best_rank = rank;
        }
    }
    memset(best, 0, sizeof *best);
    best->ip = ip;
    return best;
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
    if (!e)
        e = arp_slot(nif, ip);
    memcpy(e->mac, mac, 6);
    e->state = ARP_REACHABLE;
    e->solicited = 1;
    e->confirmed = now_ns();
    e->last_req = 0;
    hold_release(nif, ip, mac);
}

int arp_hold(struct netif *nif, uint32_t nexthop, const uint8_t *pkt, size_t len)
{
    if (len > sizeof(held[0][0].pkt) || nif->index >= NETIF_MAX)
        return -1;
    struct arp_held *slot = NULL;
    for (unsigned i = 0; i < ARP_HOLD && !slot; i++) /* one per next hop: the newest */
        if (held[nif->index][i].len && held[nif->index][i].nexthop == nexthop)
            slot = &held[nif->index][i];
    for (unsigned i = 0; i < ARP_HOLD && !slot; i++)
        if (!held[nif->index][i].len)
            slot = &held[nif->index][i];
    if (!slot) { /* all taken: the oldest pending resolution loses its packet */
        slot = &held[nif->index][0];
        for (unsigned i = 1; i < ARP_HOLD; i++)
            if ((int32_t)(held[nif->index][i].seq - slot->seq) < 0)
                slot = &held[nif->index][i];
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
    uint64_t now = now_ns();
    if (e && e->state == ARP_REACHABLE) {
        uint64_t age = now - e->confirmed;
        if (age < ARP_REACHABLE_NS)
            return e->mac;
        if (age < ARP_REACHABLE_NS + ARP_STALE_NS) { /* refresh, keep using it meanwhile */
            if (!e->last_req || now - e->last_req >= ARP_REQ_INTERVAL_NS) {
                e->last_req = now ? now : 1;
                arp_request(nif, ip);
            }
            return e->mac;
        }
        e->state = ARP_INCOMPLETE; /* expired unconfirmed: resolve again */
        e->last_req = 0;
    }
    if (!e) {
        e = arp_slot(nif, ip);
        e->state = ARP_INCOMPLETE;
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
    const uint8_t *sha = a + 8;
    /* Only ARP for this interface's own address (no proxy ARP, no gratuitous updates). */
    if (tip != nif->ip || sip == nif->ip || (sha[0] & 1))
        return;
    if (sip == 0) { /* an address probe (RFC 5227): answer, learn nothing */
        if (op == 1)
            arp_send(nif, 2, sha, sha, sip);
        return;
    }
    struct arp_entry *e = arp_find(nif, sip);
    uint64_t now = now_ns();
    if (op == 2) {
        if (e && e->last_req && now - e->last_req < ARP_ASK_NS)
            arp_learn(nif, sip, sha); /* the answer to our question */
        else if (e && e->state == ARP_REACHABLE && !memcmp(e->mac, sha, 6))
            e->confirmed = now;       /* unsolicited, but says what we know */
        return;                       /* anything else unsolicited: ignored */
    }
    if (op != 1)
        return;
    arp_send(nif, 2, sha, sha, sip);
    if (!e) { /* first we hear of it: learnt, but evicted before confirmed entries */
        e = arp_slot(nif, sip);
        memcpy(e->mac, sha, 6);
        e->state = ARP_REACHABLE;
        e->confirmed = now;
        hold_release(nif, sip, sha);
    } else if (e->state == ARP_REACHABLE && !memcmp(e->mac, sha, 6)) {
        e->confirmed = now;
    }
}

static eth_hook_fn eth_hook;

void eth_set_hook(eth_hook_fn fn)
{
    eth_hook = fn;
}

void eth_input(struct netif *nif, uint8_t *f, size_t len)
{
    if (len < ETH_HLEN || !nif->ip)
        return;
    if (memcmp(f, nif->mac, 6) && memcmp(f, bcast, 6))
        return;
    uint16_t type = get16(f + 12);
    if (type == ETHTYPE_IP && eth_hook && eth_hook(nif, f, len))
        return;
    if (type == ETHTYPE_IP)
        ip_input(nif, f, f + ETH_HLEN, len - ETH_HLEN);
    else if (type == ETHTYPE_ARP)
        arp_input(nif, f + ETH_HLEN, len - ETH_HLEN);
}
