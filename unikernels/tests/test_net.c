/*
 * Host unit tests of the library OS network layer (net/eth.c, net/ip.c) over fake
 * virtio-net devices: several interfaces, ARP per interface, routes, IPv4 forwarding
 * (TTL, RFC 1624 checksum update, held packets), ICMP time-exceeded and unreachable,
 * the forwarding filter hook. Built with ASan/UBSan by `make -C unikernels test-net`.
 * Prints "N passed, M failed" and exits non-zero on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uk.h"

/* ------------------------------------------------------------ fake platform */

static uint64_t fake_now = 1000000000ULL;
uint64_t now_ns(void) { return fake_now; }

static int tcp_segments;
void tcp_input(uint32_t src, uint32_t dst, uint8_t *seg, size_t len)
{
    (void)src, (void)dst, (void)seg, (void)len;
    tcp_segments++;
}

void kprintf(const char *fmt, ...)
{
    (void)fmt;
}

void fatal(const char *fmt, ...)
{
    fprintf(stderr, "fatal: %s\n", fmt);
    abort();
}

#define FAKE_FRAMES 32
struct fake_nic {
    uint8_t out[FAKE_FRAMES][1514];
    size_t out_len[FAKE_FRAMES];
    int n_out;
    uint8_t cur[1514];
    int ring_full;
};
static struct fake_nic nics[NETIF_MAX];

uint8_t *netif_tx_begin(struct netif *nif)
{
    struct fake_nic *f = nif->drv;
    if (f->ring_full || f->n_out == FAKE_FRAMES)
        return NULL;
    memset(f->cur, 0xAA, sizeof(f->cur)); /* stale bytes: the stack must write all it sends */
    return f->cur;
}

void netif_tx_commit(struct netif *nif, size_t len)
{
    struct fake_nic *f = nif->drv;
    memcpy(f->out[f->n_out], f->cur, len);
    f->out_len[f->n_out++] = len;
}

void netif_flush(struct netif *nif) { (void)nif; }
int netif_poll(struct netif *nif, void (*fn)(struct netif *, uint8_t *, size_t)) { (void)nif, (void)fn; return 0; }
void netif_irq_enable(struct netif *nif, int on) { (void)nif, (void)on; }
int netif_rx_pending(struct netif *nif) { (void)nif; return 0; }

/* ------------------------------------------------------------ harness */

static int g_passed, g_failed, g_case_failed;
static const char *g_case;

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s (%s:%d): %s\n", g_case, __FILE__, __LINE__, #cond); g_case_failed = 1; } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
    fprintf(stderr, "FAIL %s (%s:%d): %s == %lld, expected %lld\n", g_case, __FILE__, __LINE__, #a, _a, _b); g_case_failed = 1; } } while (0)

static void run(const char *name, void (*fn)(void))
{
    g_case = name;
    g_case_failed = 0;
    fn();
    if (g_case_failed)
        g_failed++;
    else
        g_passed++;
}

static uint32_t A(int a, int b, int c, int d) { return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d; }
static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t g32(const uint8_t *p) { return (uint32_t)g16(p) << 16 | g16(p + 2); }
static void p16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void p32(uint8_t *p, uint32_t v) { p16(p, (uint16_t)(v >> 16)); p16(p + 2, (uint16_t)v); }

static const uint8_t MAC_GW[6] = {2, 0, 0, 0, 0, 3};   /* firewall 192.168.101.3 */
static const uint8_t MAC_WEB[6] = {2, 0, 0, 0, 0, 5};  /* web 10.0.0.5 */
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* The study's router: net0 192.168.101.2/29 (firewall link), net1 10.0.0.254/24 (DMZ),
 * default route via the firewall 192.168.101.3. The real ip.c/eth.c keep their state in
 * statics, so every test starts from a fresh process image: see main(). */
static void setup_router(int forwarding, ip_filter_fn filter)
{
    static const uint8_t mac0[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56}, mac1[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x57};
    memset(nics, 0, sizeof(nics));
    netif_count = 2;
    netifs[0] = (struct netif){.index = 0, .ip = A(192, 168, 101, 2), .mask = 0xFFFFFFF8, .drv = &nics[0]};
    netifs[1] = (struct netif){.index = 1, .ip = A(10, 0, 0, 254), .mask = 0xFFFFFF00, .drv = &nics[1]};
    memcpy(netifs[0].mac, mac0, 6);
    memcpy(netifs[1].mac, mac1, 6);
    CHECK_EQ(route_add(0, 0, A(192, 168, 101, 3)), 0);
    ip_forwarding(forwarding, filter);
}

static size_t arp_frame(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint16_t op, uint32_t sip, uint32_t tip)
{
    memcpy(f, dmac, 6);
    memcpy(f + 6, smac, 6);
    p16(f + 12, ETHTYPE_ARP);
    uint8_t *a = f + 14;
    p16(a, 1);
    p16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    p16(a + 6, op);
    memcpy(a + 8, smac, 6);
    p32(a + 14, sip);
    memset(a + 18, 0, 6);
    p32(a + 24, tip);
    return 60;
}

/* An IPv4 frame with a UDP (proto 17) or ICMP echo (proto 1) payload of n bytes. */
static size_t ip_frame(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src, uint32_t dst,
                       uint8_t ttl, uint8_t proto, size_t n)
{
    memcpy(f, dmac, 6);
    memcpy(f + 6, smac, 6);
    p16(f + 12, ETHTYPE_IP);
    uint8_t *ip = f + 14, *l4 = ip + 20;
    size_t l4len = proto == IPPROTO_UDP ? 8 + n : 8 + n;
    ip[0] = 0x45;
    ip[1] = 0;
    p16(ip + 2, (uint16_t)(20 + l4len));
    p16(ip + 4, 0x1234);
    p16(ip + 6, 0x4000);
    ip[8] = ttl;
    ip[9] = proto;
    p16(ip + 10, 0);
    p32(ip + 12, src);
    p32(ip + 16, dst);
    p16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    for (size_t i = 0; i < n; i++)
        l4[8 + i] = (uint8_t)(i * 7 + 1);
    if (proto == IPPROTO_UDP) {
        p16(l4, 40000);
        p16(l4 + 2, 53);
        p16(l4 + 4, (uint16_t)l4len);
        p16(l4 + 6, 0);
        uint16_t c = csum_fold(csum_add(csum_pseudo(src, dst, IPPROTO_UDP, (uint16_t)l4len), l4, l4len));
        p16(l4 + 6, c ? c : 0xFFFF);
    } else {
        l4[0] = 8; /* echo request */
        l4[1] = 0;
        p16(l4 + 2, 0);
        p16(l4 + 4, 0x77);
        p16(l4 + 6, 1);
        p16(l4 + 2, csum_fold(csum_add(0, l4, l4len)));
    }
    size_t len = 14 + 20 + l4len;
    return len < 60 ? 60 : len;
}

static void feed(int nif, uint8_t *f, size_t len) { eth_input(&netifs[nif], f, len); }

/* ------------------------------------------------------------ tests */

static void test_arp_per_interface(void)
{
    setup_router(1, NULL);
    uint8_t f[60];
    /* A DMZ host asks for the router's DMZ address on the DMZ link: answered from net1. */
    feed(1, f, arp_frame(f, BCAST, MAC_WEB, 1, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    CHECK_EQ(nics[1].n_out, 1);
    CHECK_EQ(nics[0].n_out, 0);
    CHECK(!memcmp(nics[1].out[0], MAC_WEB, 6));
    CHECK(!memcmp(nics[1].out[0] + 6, netifs[1].mac, 6));
    CHECK_EQ(g16(nics[1].out[0] + 20), 2);
    CHECK_EQ(g32(nics[1].out[0] + 28), A(10, 0, 0, 254));
    /* ... and learnt into net1's table only. */
    CHECK(arp_lookup(&netifs[1], A(10, 0, 0, 5)) != NULL);
    /* Asking net1 for net0's address: no proxy ARP. */
    feed(1, f, arp_frame(f, BCAST, MAC_WEB, 1, A(10, 0, 0, 5), A(192, 168, 101, 2)));
    CHECK_EQ(nics[1].n_out, 1);
    /* The firewall asks for 192.168.101.2 on net0: answered with net0's MAC. */
    feed(0, f, arp_frame(f, BCAST, MAC_GW, 1, A(192, 168, 101, 3), A(192, 168, 101, 2)));
    CHECK_EQ(nics[0].n_out, 1);
    CHECK(!memcmp(nics[0].out[0] + 6, netifs[0].mac, 6));
    CHECK(!memcmp(nics[0].out[0] + 22, netifs[0].mac, 6));
    /* Gratuitous announce: one per interface, each with its own address. */
    net_announce();
    CHECK(nics[0].n_out >= 2 && nics[1].n_out >= 2);
    CHECK_EQ(g32(nics[1].out[1] + 28), A(10, 0, 0, 254));
}

static void test_routes(void)
{
    setup_router(1, NULL);
    struct netif *n;
    uint32_t hop;
    CHECK_EQ(route_lookup(A(10, 0, 0, 5), &n, &hop), 0);
    CHECK(n == &netifs[1] && hop == A(10, 0, 0, 5));
    CHECK_EQ(route_lookup(A(192, 168, 100, 100), &n, &hop), 0);
    CHECK(n == &netifs[0] && hop == A(192, 168, 101, 3));
    CHECK_EQ(route_add(A(172, 16, 0, 0), 0xFFFF0000, A(10, 0, 0, 1)), 0);
    CHECK_EQ(route_lookup(A(172, 16, 3, 4), &n, &hop), 0);
    CHECK(n == &netifs[1] && hop == A(10, 0, 0, 1));
    CHECK_EQ(route_add(A(172, 17, 0, 0), 0xFFFF0000, A(10, 9, 9, 9)), -2); /* gateway off-link */
    CHECK_EQ(route_add(A(172, 17, 0, 0), 0xFFFF0000, A(10, 0, 0, 254)), -2); /* our own address */
}

static void test_forward_ttl_checksum_and_hold(void)
{
    setup_router(1, NULL);
    uint8_t f[1514], in_copy[1514];
    size_t len = ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 64, IPPROTO_UDP, 30);
    memcpy(in_copy, f, len);
    feed(0, f, len);
    /* 10.0.0.5 is unresolved: an ARP request on net1, the packet held. */
    CHECK_EQ(nics[1].n_out, 1);
    CHECK_EQ(g16(nics[1].out[0] + 12), ETHTYPE_ARP);
    CHECK_EQ(g32(nics[1].out[0] + 38), A(10, 0, 0, 5));
    CHECK_EQ(ip_stats.held, 1);
    /* The answer releases it. */
    uint8_t a[60];
    feed(1, a, arp_frame(a, netifs[1].mac, MAC_WEB, 2, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    CHECK_EQ(nics[1].n_out, 2);
    uint8_t *o = nics[1].out[1], *ip = o + 14;
    CHECK(!memcmp(o, MAC_WEB, 6));
    CHECK(!memcmp(o + 6, netifs[1].mac, 6));
    CHECK_EQ(ip[8], 63);
    CHECK_EQ(csum_fold(csum_add(0, ip, 20)), 0); /* incremental update kept it valid */
    CHECK(!memcmp(ip + 12, in_copy + 14 + 12, 8)); /* addresses unchanged */
    CHECK(!memcmp(ip + 20, in_copy + 14 + 20, 38)); /* UDP header and payload unchanged */
    /* Resolved now: the next one goes straight out. */
    len = ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 2, IPPROTO_UDP, 1400);
    feed(0, f, len);
    CHECK_EQ(nics[1].n_out, 3);
    CHECK_EQ(nics[1].out_len[2], len);
    CHECK_EQ(nics[1].out[2][14 + 8], 1);
    CHECK_EQ(csum_fold(csum_add(0, nics[1].out[2] + 14, 20)), 0);
    CHECK_EQ(ip_stats.forwarded, 1); /* the first went out as held */
    CHECK_EQ(ip_stats.held, 1);
    CHECK_EQ(nics[0].n_out, 0); /* nothing back to the sender */
}

static void test_time_exceeded(void)
{
    setup_router(1, NULL);
    uint8_t f[1514], a[60];
    /* The firewall is known (it asked for us), so the error goes out at once. */
    feed(0, a, arp_frame(a, BCAST, MAC_GW, 1, A(192, 168, 101, 3), A(192, 168, 101, 2)));
    int before = nics[0].n_out;
    size_t len = ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 1, IPPROTO_UDP, 10);
    uint8_t orig[28];
    memcpy(orig, f + 14, 28);
    feed(0, f, len);
    CHECK_EQ(nics[1].n_out, 0); /* not forwarded, no ARP for the DMZ host either */
    CHECK_EQ(nics[0].n_out, before + 1);
    uint8_t *o = nics[0].out[before], *ip = o + 14, *icmp = ip + 20;
    CHECK(!memcmp(o, MAC_GW, 6));
    CHECK_EQ(ip[9], IPPROTO_ICMP);
    CHECK_EQ(g32(ip + 12), A(192, 168, 101, 2)); /* from the interface facing the sender */
    CHECK_EQ(g32(ip + 16), A(192, 168, 100, 100));
    CHECK_EQ(csum_fold(csum_add(0, ip, 20)), 0);
    CHECK_EQ(icmp[0], 11);
    CHECK_EQ(icmp[1], 0);
    size_t ilen = g16(ip + 2) - 20;
    CHECK_EQ(ilen, 8 + 28);
    CHECK_EQ(csum_fold(csum_add(0, icmp, ilen)), 0);
    CHECK(!memcmp(icmp + 8, orig, 28)); /* the original header + 8 bytes, as received */
    CHECK_EQ(ip_stats.ttl_expired, 1);
    /* No ICMP error about an ICMP error. */
    len = ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 1, IPPROTO_ICMP, 8);
    f[14 + 20] = 11;
    feed(0, f, len);
    CHECK_EQ(nics[0].n_out, before + 1);
}

static void test_unreachable_without_default_route(void)
{
    memset(nics, 0, sizeof(nics));
    netif_count = 2;
    netifs[0] = (struct netif){.index = 0, .ip = A(192, 168, 101, 3), .mask = 0xFFFFFFF8, .drv = &nics[0]};
    netifs[1] = (struct netif){.index = 1, .ip = A(192, 168, 100, 254), .mask = 0xFFFFFF00, .drv = &nics[1]};
    netifs[0].mac[5] = 1;
    netifs[1].mac[5] = 2;
    ip_forwarding(1, NULL);
    uint8_t f[1514], a[60];
    feed(1, a, arp_frame(a, BCAST, MAC_WEB, 1, A(192, 168, 100, 100), A(192, 168, 100, 254)));
    int before = nics[1].n_out;
    feed(1, f, ip_frame(f, netifs[1].mac, MAC_WEB, A(192, 168, 100, 100), A(8, 8, 8, 8), 64, IPPROTO_UDP, 4));
    CHECK_EQ(nics[1].n_out, before + 1);
    CHECK_EQ(nics[1].out[before][14 + 20], 3); /* destination unreachable */
    CHECK_EQ(nics[1].out[before][14 + 21], 0); /* net */
    CHECK_EQ(ip_stats.no_route, 1);
    CHECK_EQ(nics[0].n_out, 0);
}

static int drop_icmp(struct netif *in, const uint8_t *ip, size_t len)
{
    (void)in, (void)len;
    return ip[9] == IPPROTO_ICMP;
}

static void test_filter_and_local(void)
{
    setup_router(1, drop_icmp);
    uint8_t f[1514], a[60];
    feed(1, a, arp_frame(a, BCAST, MAC_WEB, 1, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    feed(0, a, arp_frame(a, BCAST, MAC_GW, 1, A(192, 168, 101, 3), A(192, 168, 101, 2)));
    int n0 = nics[0].n_out, n1 = nics[1].n_out;
    feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 64, IPPROTO_ICMP, 56));
    CHECK_EQ(nics[1].n_out, n1); /* filtered */
    CHECK_EQ(ip_stats.filtered, 1);
    feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 64, IPPROTO_UDP, 56));
    CHECK_EQ(nics[1].n_out, n1 + 1); /* UDP passes */
    /* A ping to the router's DMZ address arriving on net0 is answered (weak host), never filtered. */
    feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 254), 64, IPPROTO_ICMP, 56));
    CHECK_EQ(nics[0].n_out, n0 + 1);
    CHECK_EQ(nics[0].out[n0][14 + 20], 0); /* echo reply */
    CHECK_EQ(g32(nics[0].out[n0] + 14 + 12), A(192, 168, 101, 2));
    /* Link-layer broadcast, directed broadcast, multicast: never forwarded. */
    n1 = nics[1].n_out;
    feed(0, f, ip_frame(f, BCAST, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 64, IPPROTO_UDP, 4));
    feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 255), 64, IPPROTO_UDP, 4));
    feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(224, 0, 0, 1), 64, IPPROTO_UDP, 4));
    CHECK_EQ(nics[1].n_out, n1);
    /* A full TX ring drops and counts. */
    nics[1].ring_full = 1;
    feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 64, IPPROTO_UDP, 4));
    CHECK_EQ(ip_stats.no_buffer, 1);
}

static void test_no_forwarding_by_default(void)
{
    setup_router(0, NULL);
    uint8_t f[1514], a[60];
    feed(1, a, arp_frame(a, BCAST, MAC_WEB, 1, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    int n1 = nics[1].n_out;
    feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 64, IPPROTO_UDP, 4));
    CHECK_EQ(nics[1].n_out, n1);
    CHECK_EQ(nics[0].n_out, 0);
    CHECK_EQ(ip_stats.forwarded, 0);
}

static void test_held_packets_expire(void)
{
    setup_router(1, NULL);
    uint8_t f[1514], a[60];
    for (int i = 0; i < 6; i++) /* one packet per pending resolution: each replaces the last */
        feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 5), 64, IPPROTO_UDP, (size_t)i));
    fake_now += 100000000ULL;
    int n1 = nics[1].n_out;
    feed(1, a, arp_frame(a, netifs[1].mac, MAC_WEB, 2, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    CHECK_EQ(nics[1].n_out - n1, 1);
    CHECK_EQ(g16(nics[1].out[n1] + 14 + 2), 20 + 8 + 5); /* the newest (payload length 5) */
    /* Five next hops pending on one interface: the oldest resolution loses its packet. */
    for (int h = 10; h < 15; h++)
        feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, h), 64, IPPROTO_UDP, 1));
    static const uint8_t macs[5][6] = {{2, 0, 0, 0, 1, 10}, {2, 0, 0, 0, 1, 11}, {2, 0, 0, 0, 1, 12},
                                       {2, 0, 0, 0, 1, 13}, {2, 0, 0, 0, 1, 14}};
    n1 = nics[1].n_out;
    for (int h = 10; h < 15; h++)
        feed(1, a, arp_frame(a, netifs[1].mac, macs[h - 10], 2, A(10, 0, 0, h), A(10, 0, 0, 254)));
    CHECK_EQ(nics[1].n_out - n1, 4);
    /* A held packet older than a second is dropped when the answer comes late. */
    feed(0, f, ip_frame(f, netifs[0].mac, MAC_GW, A(192, 168, 100, 100), A(10, 0, 0, 6), 64, IPPROTO_UDP, 4));
    fake_now += 2000000000ULL;
    static const uint8_t mac6[6] = {2, 0, 0, 0, 0, 6};
    n1 = nics[1].n_out;
    feed(1, a, arp_frame(a, netifs[1].mac, mac6, 2, A(10, 0, 0, 6), A(10, 0, 0, 254)));
    CHECK_EQ(nics[1].n_out, n1);
}

/* A DMZ host at 10.0.0.5 (MAC_WEB) that the router resolved itself. */
static void resolve_web(void)
{
    uint8_t a[60];
    CHECK(arp_lookup(&netifs[1], A(10, 0, 0, 5)) == NULL); /* asks */
    feed(1, a, arp_frame(a, netifs[1].mac, MAC_WEB, 2, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    const uint8_t *m = arp_lookup(&netifs[1], A(10, 0, 0, 5));
    CHECK(m && !memcmp(m, MAC_WEB, 6));
}

static int maps_to(int nif, uint32_t ip, const uint8_t *mac)
{
    const uint8_t *m = arp_lookup(&netifs[nif], ip);
    return m && !memcmp(m, mac, 6);
}

static void test_arp_spoofing(void)
{
    setup_router(1, NULL);
    static const uint8_t EVIL[6] = {2, 0, 0, 0, 0, 0x66};
    uint8_t f[1514], a[60];
    resolve_web();
    /* Gratuitous ARP (request and reply) claiming 10.0.0.5: not addressed to us, ignored. */
    feed(1, a, arp_frame(a, BCAST, EVIL, 1, A(10, 0, 0, 5), A(10, 0, 0, 5)));
    feed(1, a, arp_frame(a, BCAST, EVIL, 2, A(10, 0, 0, 5), A(10, 0, 0, 5)));
    CHECK(maps_to(1, A(10, 0, 0, 5), MAC_WEB));
    /* An unsolicited reply to us, and a request to us, claiming it: not believed. */
    feed(1, a, arp_frame(a, netifs[1].mac, EVIL, 2, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    feed(1, a, arp_frame(a, BCAST, EVIL, 1, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    CHECK(maps_to(1, A(10, 0, 0, 5), MAC_WEB));
    /* An IP packet from 10.0.0.5 with another source MAC teaches nothing. */
    feed(1, f, ip_frame(f, netifs[1].mac, EVIL, A(10, 0, 0, 5), A(10, 0, 0, 254), 64, IPPROTO_UDP, 4));
    CHECK(maps_to(1, A(10, 0, 0, 5), MAC_WEB));
    /* A reply that comes more than a second after our request is not the answer either. */
    CHECK(arp_lookup(&netifs[1], A(10, 0, 0, 7)) == NULL);
    fake_now += 1500000000ULL;
    feed(1, a, arp_frame(a, netifs[1].mac, EVIL, 2, A(10, 0, 0, 7), A(10, 0, 0, 254)));
    CHECK(arp_lookup(&netifs[1], A(10, 0, 0, 7)) == NULL);
    /* A flood of forged requests from 200 addresses fills the table, but the confirmed
     * mapping stays (request-learnt entries are evicted first). */
    for (int i = 0; i < 200; i++) {
        static uint8_t m[6] = {2, 0, 0, 0, 9, 0};
        m[5] = (uint8_t)i;
        feed(1, a, arp_frame(a, BCAST, m, 1, A(10, 0, 0, 20 + i), A(10, 0, 0, 254)));
    }
    CHECK(maps_to(1, A(10, 0, 0, 5), MAC_WEB));
}

static void test_arp_aging(void)
{
    setup_router(1, NULL);
    uint8_t a[60];
    resolve_web();
    int n = nics[1].n_out;
    fake_now += 61000000000ULL; /* past ARP_REACHABLE_NS: still used, a refresh request goes out */
    CHECK(maps_to(1, A(10, 0, 0, 5), MAC_WEB));
    CHECK_EQ(nics[1].n_out - n, 1);
    CHECK_EQ(g16(nics[1].out[n] + 20), 1);
    CHECK_EQ(g32(nics[1].out[n] + 38), A(10, 0, 0, 5));
    /* The host moved to another MAC: its answer to the refresh is believed. */
    static const uint8_t NEW[6] = {2, 0, 0, 0, 0, 0x55};
    feed(1, a, arp_frame(a, netifs[1].mac, NEW, 2, A(10, 0, 0, 5), A(10, 0, 0, 254)));
    CHECK(maps_to(1, A(10, 0, 0, 5), NEW));
    /* Without any answer, the mapping is dropped after the stale grace period. */
    fake_now += 61000000000ULL;
    CHECK(maps_to(1, A(10, 0, 0, 5), NEW));
    fake_now += 6000000000ULL;
    CHECK(arp_lookup(&netifs[1], A(10, 0, 0, 5)) == NULL);
}

static void test_csum_update16(void)
{
    /* Against a full recomputation, on random headers, RFC 1624's corner cases included. */
    srand(12);
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        uint8_t h[20];
        for (int j = 0; j < 20; j++)
            h[j] = (uint8_t)rand();
        if (i % 7 == 0) /* RFC 1624's corner cases: sums near 0x0000 / 0xFFFF */
            memset(h, i % 2 ? 0 : 0xFF, 20);
        h[0] = 0x45; /* a real header is never all zero (there the two zeros differ) */
        h[8] = (uint8_t)(1 + rand() % 255);
        p16(h + 10, 0);
        p16(h + 10, csum_fold(csum_add(0, h, 20)));
        uint16_t old = g16(h + 8);
        h[8]--;
        p16(h + 10, csum_update16(g16(h + 10), old, g16(h + 8)));
        if (csum_fold(csum_add(0, h, 20)) != 0)
            bad++;
    }
    CHECK_EQ(bad, 0);
}


/* The null echo guest's reflector: a DNS query frame comes back as a response to its sender,
 * IP checksum still valid, UDP checksum 0; non-UDP, fragments and echo-style ports are left. */
static void test_udp_reflect(void)
{
    static const uint8_t us[6] = {0x52, 0x54, 0, 0, 1, 0}, peer[6] = {2, 0, 0, 0, 0, 9};
    uint8_t f[128];
    memset(f, 0, sizeof f);
    memcpy(f, us, 6);
    memcpy(f + 6, peer, 6);
    p16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *udp = ip + 20;
    size_t dns = 29; /* header + a short question */
    ip[0] = 0x45;
    p16(ip + 2, (uint16_t)(20 + 8 + dns));
    ip[8] = 64;
    ip[9] = 17;
    p32(ip + 12, A(10, 0, 0, 1));
    p32(ip + 16, A(10, 0, 0, 100));
    p16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    p16(udp, 40000);
    p16(udp + 2, 53);
    p16(udp + 4, (uint16_t)(8 + dns));
    p16(udp + 6, 0x1234);
    p16(udp + 8, 0xbeef); /* DNS id */
    udp[10] = 0x01;       /* RD, QR clear */
    size_t len = 14 + 20 + 8 + dns + 6; /* Ethernet padding after the datagram */
    CHECK_EQ(udp_reflect(f, len), 14 + 20 + 8 + dns);
    CHECK(!memcmp(f, peer, 6) && !memcmp(f + 6, us, 6));
    CHECK_EQ(g32(ip + 12), A(10, 0, 0, 100));
    CHECK_EQ(g32(ip + 16), A(10, 0, 0, 1));
    CHECK_EQ(csum_fold(csum_add(0, ip, 20)), 0);
    CHECK_EQ(g16(udp), 53);
    CHECK_EQ(g16(udp + 2), 40000);
    CHECK_EQ(g16(udp + 6), 0);
    CHECK_EQ(g16(udp + 8), 0xbeef);
    CHECK_EQ(udp[10], 0x81);

    uint8_t g[128];
    memcpy(g, f, sizeof g);
    p16(g + 14 + 20, 7); /* from an echo port: never answered (two reflectors would loop) */
    CHECK_EQ(udp_reflect(g, len), 0);
    memcpy(g, f, sizeof g);
    g[14 + 9] = 6; /* TCP */
    CHECK_EQ(udp_reflect(g, len), 0);
    memcpy(g, f, sizeof g);
    g[14 + 6] = 0x20; /* more fragments */
    CHECK_EQ(udp_reflect(g, len), 0);
    memcpy(g, f, sizeof g);
    CHECK_EQ(udp_reflect(g, 14 + 20 + 8 + dns - 1), 0); /* truncated frame */
    p16(g + 12, 0x0806);
    CHECK_EQ(udp_reflect(g, len), 0);
}

int main(void)
{
    static struct { const char *name; void (*fn)(void); } tests[] = {
        {"arp per interface", test_arp_per_interface},
        {"routes: connected, static, longest prefix", test_routes},
        {"forward: TTL, checksum, held until ARP", test_forward_ttl_checksum_and_hold},
        {"forward: TTL 1 gets time-exceeded", test_time_exceeded},
        {"forward: no route gets net-unreachable", test_unreachable_without_default_route},
        {"forward: filter, local delivery, broadcasts", test_filter_and_local},
        {"forwarding off by default", test_no_forwarding_by_default},
        {"held packets: one per resolution, bounded and expiring", test_held_packets_expire},
        {"ARP: forged frames do not change a mapping", test_arp_spoofing},
        {"ARP: mappings age and are refreshed", test_arp_aging},
        {"RFC 1624 incremental checksum", test_csum_update16},
        {"null echo: UDP reflected at layer 2", test_udp_reflect},
    };
    /* ip.c and eth.c keep routes, ARP tables and counters in statics: each test runs in
     * a child with fresh state. */
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        fflush(stdout);
        fflush(stderr);
        int pid = fork();
        if (pid == 0) {
            g_passed = g_failed = 0;
            run(tests[i].name, tests[i].fn);
            _exit(g_failed ? 1 : 0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            g_passed++;
            printf("ok   %s\n", tests[i].name);
        } else {
            g_failed++;
            printf("FAIL %s\n", tests[i].name);
        }
    }
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
