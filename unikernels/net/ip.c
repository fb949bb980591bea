/* ip.c - IPv4 input/output, ICMP echo, UDP. */
#include "uk.h"

#define UDP_BINDS 4

static struct {
    uint16_t port;
    udp_handler fn;
} udp_binds[UDP_BINDS];

static uint8_t *tx_frame;   /* frame under construction between ip_tx_begin/commit */
static uint32_t tx_dst;
static uint8_t tx_proto;
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

uint8_t *ip_tx_begin(uint32_t dst, uint8_t proto)
{
    uint32_t hop = dst;
    if ((dst & net_cfg.mask) != (net_cfg.ip & net_cfg.mask)) {
        if (!net_cfg.gw)
            return NULL;
        hop = net_cfg.gw;
    }
    const uint8_t *mac = arp_lookup(hop);
    if (!mac)
        return NULL;
    uint8_t *f = netif_tx_begin();
    if (!f)
        return NULL;
    memcpy(f, mac, 6);
    memcpy(f + 6, netif_mac, 6);
    put16(f + 12, ETHTYPE_IP);
    tx_frame = f;
    tx_dst = dst;
    tx_proto = proto;
    return f + ETH_HLEN + IP_HLEN;
}

void ip_tx_commit(size_t plen)
{
    uint8_t *ip = tx_frame + ETH_HLEN;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(IP_HLEN + plen));
    put16(ip + 4, ip_id++);
    put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = tx_proto;
    put16(ip + 10, 0);
    put32(ip + 12, net_cfg.ip);
    put32(ip + 16, tx_dst);
    put16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));
    size_t flen = ETH_HLEN + IP_HLEN + plen;
    if (flen < 60) {
        memset(tx_frame + flen, 0, 60 - flen);
        flen = 60;
    }
    netif_tx_commit(flen);
    tx_frame = NULL;
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
    uint16_t c = csum_fold(csum_add(csum_pseudo(net_cfg.ip, dst, IPPROTO_UDP, (uint16_t)(8 + len)), u, 8 + len));
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

void ip_input(uint8_t *frame, uint8_t *ip, size_t len)
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
    if (get16(ip + 6) & 0x3FFF) /* MF or fragment offset: no reassembly */
        return;
    uint32_t src = get32(ip + 12), dst = get32(ip + 16);
    if (dst != net_cfg.ip)
        return;
    if (src == 0 || src == 0xFFFFFFFF || (src >> 28) == 0xE)
        return;
    /* Learn the sender's MAC when it is on our link: replies need no ARP round trip. */
    if ((src & net_cfg.mask) == (net_cfg.ip & net_cfg.mask))
        arp_learn(src, frame + 6);
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
