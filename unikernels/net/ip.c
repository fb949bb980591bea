/* ip.c - IPv4 input/output over several interfaces: routes (connected + static, longest
 * prefix), forwarding (TTL decrement, RFC 1624 checksum update, an optional filter), ICMP
 * echo, time-exceeded and net-unreachable, UDP. */
#include "uk.h"

#define UDP_BINDS 4

static struct {
    uint16_t port;
    udp_handler fn;
} udp_binds[UDP_BINDS];

static struct route routes[ROUTE_MAX];
static unsigned n_routes;
static int fwd_on;
static ip_filter_fn fwd_filter;
struct ip_stats ip_stats;

/* The packet under construction between ip_tx_begin and ip_tx_commit: in the interface's
 * TX ring, or in tx_scratch while its next hop is being resolved (then held by ARP). */
static uint8_t tx_scratch[ETH_HLEN + 1500];
static uint8_t *tx_frame;
static struct netif *tx_nif;
static uint32_t tx_dst, tx_src, tx_nexthop;
static uint8_t tx_proto, tx_hold;
static uint16_t ip_id;

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

uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t s = sum;
    while (len >= 2) {
        s += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)(p[0] << 8);
    while (s >> 32)
        s = (s & 0xFFFFFFFF) + (s >> 32);
    return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    uint64_t s = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + proto + len;
    while (s >> 32)
        s = (s & 0xFFFFFFFF) + (s >> 32);
    return (uint32_t)s;
}

uint16_t csum_update16(uint16_t csum, uint16_t old, uint16_t new_)
{
    /* HC' = ~(~HC + ~m + m'), in one's complement arithmetic. */
    uint32_t s = (uint32_t)(uint16_t)~csum + (uint16_t)~old + new_;
    s = (s & 0xFFFF) + (s >> 16);
    s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

/* ---- routes ---- */

static int on_link(const struct netif *nif, uint32_t a)
{
    return nif->ip && (a & nif->mask) == (nif->ip & nif->mask);
}

int route_add(uint32_t net, uint32_t mask, uint32_t gw)
{
    if (n_routes == ROUTE_MAX)
        return -1;
    for (unsigned i = 0; i < netif_count; i++)
        if (gw && on_link(&netifs[i], gw) && gw != netifs[i].ip) {
            routes[n_routes++] = (struct route){net & mask, mask, gw, &netifs[i]};
            return 0;
        }
    return -2;
}

int route_lookup(uint32_t dst, struct netif **nif, uint32_t *nexthop)
{
    struct netif *best = NULL;
    uint32_t best_mask = 0, hop = 0;
    int found = 0;
    for (unsigned i = 0; i < netif_count; i++)
        if (on_link(&netifs[i], dst) && (!found || netifs[i].mask > best_mask)) {
            best = &netifs[i];
            best_mask = netifs[i].mask;
            hop = dst;
            found = 1;
        }
    for (unsigned i = 0; i < n_routes; i++)
        if ((dst & routes[i].mask) == routes[i].net && (!found || routes[i].mask > best_mask)) {
            best = routes[i].nif;
            best_mask = routes[i].mask;
            hop = routes[i].gw;
            found = 1;
        }
    if (!found)
        return -1;
    *nif = best;
    *nexthop = hop;
    return 0;
}

void ip_forwarding(int on, ip_filter_fn filter)
{
    fwd_on = on;
    fwd_filter = filter;
}

void net_announce(void)
{
    for (unsigned i = 0; i < netif_count; i++)
        arp_announce(&netifs[i]);
    for (unsigned i = 0; i < n_routes; i++)
        (void)arp_lookup(routes[i].nif, routes[i].gw);
}

/* ---- output ---- */

uint8_t *ip_tx_begin(uint32_t dst, uint8_t proto)
{
    struct netif *nif;
    uint32_t hop;
    if (route_lookup(dst, &nif, &hop))
        return NULL;
    const uint8_t *mac = arp_lookup(nif, hop);
    uint8_t *f;
    if (mac) {
        f = netif_tx_begin(nif);
        if (!f)
            return NULL;
        memcpy(f, mac, 6);
        memcpy(f + 6, nif->mac, 6);
        put16(f + 12, ETHTYPE_IP);
        tx_hold = 0;
    } else {
        f = tx_scratch; /* held until the next hop answers ARP */
        tx_hold = 1;
    }
    tx_frame = f;
    tx_nif = nif;
    tx_dst = dst;
    tx_src = nif->ip;
    tx_nexthop = hop;
    tx_proto = proto;
    return f + ETH_HLEN + IP_HLEN;
}

uint32_t ip_tx_src(void)
{
    return tx_src;
}

void ip_tx_commit(size_t plen)
{
    if (!tx_frame)
        return;
    uint8_t *ip = tx_frame + ETH_HLEN;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(IP_HLEN + plen));
    put16(ip + 4, ip_id++);
    put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = tx_proto;
    put16(ip + 10, 0);
    put32(ip + 12, tx_src);
    put32(ip + 16, tx_dst);
    put16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));
    if (tx_hold) {
        (void)arp_hold(tx_nif, tx_nexthop, ip, IP_HLEN + plen);
    } else {
        size_t flen = ETH_HLEN + IP_HLEN + plen;
        if (flen < 60) {
            memset(tx_frame + flen, 0, 60 - flen);
            flen = 60;
        }
        netif_tx_commit(tx_nif, flen);
    }
    tx_frame = NULL;
}

/* ---- ICMP ---- */

static int icmp_is_error(uint8_t type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* An ICMP error about the packet orig (RFC 792: its header + 8 bytes), never about an
 * ICMP error, a fragment after the first, or a broadcast/multicast/martian source. */
static void icmp_error(uint8_t type, uint8_t code, const uint8_t *orig, size_t len)
{
    size_t ihl = (size_t)(orig[0] & 0xF) * 4;
    uint32_t src = get32(orig + 12);
    if (get16(orig + 6) & 0x1FFF)
        return;
    if (orig[9] == IPPROTO_ICMP && (len <= ihl || icmp_is_error(orig[ihl])))
        return;
    if (src == 0 || src == 0xFFFFFFFF || (src >> 28) >= 0xE || (src >> 24) == 127)
        return;
    size_t quote = ihl + 8 < len ? ihl + 8 : len;
    uint8_t *o = ip_tx_begin(src, IPPROTO_ICMP);
    if (!o)
        return;
    o[0] = type;
    o[1] = code;
    put16(o + 2, 0);
    put32(o + 4, 0);
    memcpy(o + 8, orig, quote);
    put16(o + 2, csum_fold(csum_add(0, o, 8 + quote)));
    ip_tx_commit(8 + quote);
}

static void icmp_input(uint32_t src, const uint8_t *p, size_t len)
{
    if (len < 8 || p[0] != 8 || csum_fold(csum_add(0, p, len)) != 0)
        return;
    if (len > 1480)
        return;
    uint8_t *o = ip_tx_begin(src, IPPROTO_ICMP);
    if (!o)
        return;
    memcpy(o, p, len);
    o[0] = 0; /* echo reply */
    put16(o + 2, 0);
    put16(o + 2, csum_fold(csum_add(0, o, len)));
    ip_tx_commit(len);
}

/* ---- UDP ---- */

int udp_bind(uint16_t port, udp_handler fn)
{
    for (int i = 0; i < UDP_BINDS; i++)
        if (!udp_binds[i].fn) {
            udp_binds[i].port = port;
            udp_binds[i].fn = fn;
            return 0;
        }
    return -1;
}

int udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
    if (len > 1480 - 8)
        return -1;
    uint8_t *u = ip_tx_begin(dst, IPPROTO_UDP);
    if (!u)
        return -1;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + len));
    put16(u + 6, 0);
    memcpy(u + 8, data, len);
    uint16_t c = csum_fold(csum_add(csum_pseudo(tx_src, dst, IPPROTO_UDP, (uint16_t)(8 + len)), u, 8 + len));
    put16(u + 6, c ? c : 0xFFFF);
    ip_tx_commit(8 + len);
    return 0;
}

static void udp_input(uint32_t src, uint32_t dst, const uint8_t *u, size_t len)
{
    if (len < 8)
        return;
    uint16_t ulen = get16(u + 4);
    if (ulen < 8 || ulen > len)
        return;
    if (get16(u + 6) != 0 &&
        csum_fold(csum_add(csum_pseudo(src, dst, IPPROTO_UDP, ulen), u, ulen)) != 0)
        return;
    uint16_t sport = get16(u), dport = get16(u + 2);
    /* Never answer source port 0 or echo-style services (echo, daytime, chargen, time):
     * a spoofed query from one of them would start a packet loop or an amplifier. */
    if (sport == 0 || sport == 7 || sport == 13 || sport == 19 || sport == 37)
        return;
    for (int i = 0; i < UDP_BINDS; i++)
        if (udp_binds[i].fn && udp_binds[i].port == dport) {
            udp_binds[i].fn(src, sport, dport, u + 8, ulen - 8);
            return;
        }
    /* No ICMP port unreachable: silently drop, like a firewalled host. */
}

/* ---- forwarding ---- */

static int is_directed_broadcast(uint32_t dst)
{
    for (unsigned i = 0; i < netif_count; i++)
        if (netifs[i].ip && on_link(&netifs[i], dst) && (dst | netifs[i].mask) == 0xFFFFFFFF)
            return 1;
    return 0;
}

static void ip_forward(struct netif *in, uint8_t *frame, uint8_t *ip, size_t tot)
{
    uint32_t dst = get32(ip + 16);
    if (memcmp(frame, in->mac, 6)) /* link-layer broadcast: never forwarded */
        return;
    if (dst == 0 || (dst >> 28) >= 0xE || (dst >> 24) == 127 || (dst >> 24) == 0 || is_directed_broadcast(dst))
        return;
    struct netif *out;
    uint32_t hop;
    if (route_lookup(dst, &out, &hop)) {
        ip_stats.no_route++;
        icmp_error(3, 0, ip, tot); /* net unreachable */
        return;
    }
    if (ip[8] <= 1) {
        ip_stats.ttl_expired++;
        icmp_error(11, 0, ip, tot); /* time exceeded in transit */
        return;
    }
    if (fwd_filter && fwd_filter(in, ip, tot)) {
        ip_stats.filtered++;
        return;
    }
    uint16_t old = get16(ip + 8);
    ip[8]--;
    put16(ip + 10, csum_update16(get16(ip + 10), old, get16(ip + 8)));
    const uint8_t *mac = arp_lookup(out, hop);
    if (!mac) {
        ip_stats.held++;
        (void)arp_hold(out, hop, ip, tot);
        return;
    }
    uint8_t *f = netif_tx_begin(out);
    if (!f) {
        ip_stats.no_buffer++;
        return;
    }
    memcpy(f, mac, 6);
    memcpy(f + 6, out->mac, 6);
    put16(f + 12, ETHTYPE_IP);
    memcpy(f + ETH_HLEN, ip, tot);
    size_t flen = ETH_HLEN + tot;
    if (flen < 60) {
        memset(f + flen, 0, 60 - flen);
        flen = 60;
    }
    netif_tx_commit(out, flen);
    ip_stats.forwarded++;
}

/* ---- input ---- */

void ip_input(struct netif *nif, uint8_t *frame, uint8_t *ip, size_t len)
{
    if (len < IP_HLEN || (ip[0] >> 4) != 4)
        return;
    size_t ihl = (size_t)(ip[0] & 0xF) * 4;
    if (ihl < IP_HLEN || ihl > len)
        return;
    size_t tot = get16(ip + 2);
    if (tot < ihl || tot > len)
        return;
    if (csum_fold(csum_add(0, ip, ihl)) != 0)
        return;
    uint32_t src = get32(ip + 12), dst = get32(ip + 16);
    if (src == 0 || src == 0xFFFFFFFF || (src >> 28) == 0xE)
        return;
    int local = netif_by_addr(dst) != NULL;
    if (!local && !fwd_on)
        return;
    /* No ARP learning from IP packets: their source MAC is whatever the sender wrote
     * (eth.c learns only from ARP addressed to us). */
    (void)frame;
    if (!local) {
        ip_forward(nif, frame, ip, tot);
        return;
    }
    if (get16(ip + 6) & 0x3FFF) /* MF or fragment offset: no reassembly */
        return;
    /* Options (ihl > 5) are skipped, never interpreted. */
    const uint8_t *p = ip + ihl;
    size_t plen = tot - ihl;
    switch (ip[9]) {
    case IPPROTO_ICMP:
        icmp_input(src, p, plen);
        break;
    case IPPROTO_UDP:
        udp_input(src, dst, p, plen);
        break;
    case IPPROTO_TCP:
        tcp_input(src, dst, (uint8_t *)p, plen);
        break;
    }
}
