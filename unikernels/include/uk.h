/*
 * uk.h - the internal contract of the unibench library OS.
 * Prototypes are grouped by the file that implements them.
 */
#ifndef UK_H
#define UK_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define UK_NORETURN __attribute__((noreturn))
#define UK_PACKED __attribute__((packed))
#define barrier() __asm__ volatile("" ::: "memory")
#define mb() __asm__ volatile("mfence" ::: "memory")

/* ---- lib/string.c ---- */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* ---- lib/printf.c ---- */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "unibench: error: ..." on the console and halt forever (interrupts off). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2))) UK_NORETURN;
void halt_forever(void) UK_NORETURN;

/* ---- lib/parse.c ---- */
/* Parse dotted quad into host-order address; returns 0 on success. */
int parse_ipv4(const char *s, size_t n, uint32_t *out);
/* Parse decimal or 0x-hex unsigned; returns 0 on success. */
int parse_uint(const char *s, size_t n, uint64_t *out);

/* ---- drivers/serial.c ---- */
void serial_init(void);
void serial_write(const char *s, size_t n);

/* ---- boot/cpu.c ---- */
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0,%1" ::"a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0,%1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0,%1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint8_t mmio_read8(uintptr_t a) { return *(volatile uint8_t *)a; }
static inline uint16_t mmio_read16(uintptr_t a) { return *(volatile uint16_t *)a; }
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}
/* Privileged operations: the kernel runs in ring 3 after boot (see boot/entry.S),
 * so these trap into ring 0 through sys_trap (a ud2 the #UD handler recognises). */
#define SYS_IDLE 0
#define SYS_HALT 1
#define SYS_RDMSR 2
#define SYS_WRMSR 3
uint64_t sys_trap(uint64_t op, uint64_t a, uint64_t b);
static inline uint64_t rdmsr(uint32_t msr) { return sys_trap(SYS_RDMSR, msr, 0); }
static inline void wrmsr(uint32_t msr, uint64_t v) { sys_trap(SYS_WRMSR, msr, v); }
/* Enable interrupts, hlt until one has been handled, disable them again. */
static inline void sys_idle(void) { sys_trap(SYS_IDLE, 0, 0); }
static inline int cpu_ring(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

#define VEC_NET 0x20
#define VEC_TIMER 0x21
#define VEC_SPURIOUS 0xFF

void cpu_init(void);                    /* PIC masked, LAPIC enabled (IDT: entry.S) */
void irq_set_handler(int vec, void (*fn)(void));
void lapic_eoi(void);
void lapic_write(uint32_t reg, uint32_t v);
uint32_t lapic_read(uint32_t reg);
int ioapic_route(unsigned gsi, uint8_t vec); /* level, active-high, to APIC 0 */
int ioapic2_present(void);
/* fault=null|write-text|exec-data|write-pagetable|stack-overflow|stack-smash: trigger that fault
 * (it must be reported and halt); returns -1 for an unknown name. */
int fault_selftest(const char *what, size_t n);

/* ---- boot/time.c ---- */
void time_init(void);
uint64_t now_ns(void);
uint64_t tsc_khz(void);
extern const char *clock_source;      /* "kvmclock", "pit" or "lapic" */
/* Arm the one-shot LAPIC timer for an absolute deadline (0 = disarm). */
void timer_arm(uint64_t deadline_ns);

/* ---- boot/start.c ---- */
/* Page-aligned memory above the image, never freed; halts with "not enough memory" when
 * the RAM given to the guest cannot hold it. */
void *page_alloc(size_t bytes);

/* ---- drivers/virtio_net.c (one virtio-net device per struct netif) ---- */
struct netif_cfg {
    int kind;          /* NETIF_MMIO or NETIF_PCI */
    uintptr_t base;    /* MMIO base or I/O port base */
    unsigned gsi;
};
#define NETIF_MMIO 1
#define NETIF_PCI 2
struct netif;
/* Up to DRIVER_OK with the IRQ routed; fills nif->mac. 0 ok, -1 queues, -2 IRQ routing. */
int netif_init(struct netif *nif, const struct netif_cfg *cfg);
/* Frame buffer for a new outgoing frame (max 1514 bytes), NULL if the ring is full. */
uint8_t *netif_tx_begin(struct netif *nif);
void netif_tx_commit(struct netif *nif, size_t len);
void netif_flush(struct netif *nif);              /* one notify for everything queued */
/* Hand every received frame to fn; returns the number of frames. */
int netif_poll(struct netif *nif, void (*fn)(struct netif *nif, uint8_t *frame, size_t len));
void netif_irq_enable(struct netif *nif, int on); /* RX interrupt suppression */
int netif_rx_pending(struct netif *nif);
/* Data-path counters since DRIVER_OK: notifies written (each a VM exit), interrupts taken
 * (shared vector: counted on every device), frames in and out, frames refused (ring full). */
struct netif_stats {
    uint64_t kicks, irqs, rx, tx, tx_full;
};
void netif_stats(const struct netif *nif, struct netif_stats *out);
int netif_event_idx(const struct netif *nif);    /* VIRTIO_RING_F_EVENT_IDX negotiated */

/* ---- drivers/pci.c ---- */
/* Every virtio-net device, in -device order (microvm: highest slot first; pc: bus 0
 * device order); returns how many were stored in cfgs (at most max). */
int mmio_find_virtio_nets(struct netif_cfg *cfgs, int max, int have_rsdp);
int pci_find_virtio_nets(struct netif_cfg *cfgs, int max);

/* ---- net/eth.c (interfaces, Ethernet, ARP per interface) ---- */
#define ETH_HLEN 14
#define ETHTYPE_IP 0x0800
#define ETHTYPE_ARP 0x0806
#ifndef NETIF_MAX
#define NETIF_MAX 4
#endif
#define ARP_CACHE 32      /* per interface: a lab segment's hosts with room to spare */
struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t state;           /* ARP_FREE, ARP_INCOMPLETE (asking), ARP_REACHABLE */
    uint8_t solicited;       /* confirmed by a reply to our own request: evicted last */
    uint64_t confirmed;      /* when the mapping was last confirmed (ages out) */
    uint64_t last_req;       /* when we last asked (0: not asking) */
};
#define ARP_FREE 0
#define ARP_INCOMPLETE 1
#define ARP_REACHABLE 2
struct netif {
    unsigned index;          /* 0 .. netif_count-1, in -device order */
    uint8_t mac[6];
    uint32_t ip, mask;       /* host order; ip 0 = no address (frames ignored) */
    void *drv;               /* driver state */
    struct arp_entry arp[ARP_CACHE];
    unsigned arp_next;
};
extern struct netif netifs[NETIF_MAX];
extern unsigned netif_count;
void eth_input(struct netif *nif, uint8_t *frame, size_t len);
/* Optional: sees every IPv4 frame for this interface before IP does; nonzero = consumed
 * (the null echo guest's layer-2 reflector). */
typedef int (*eth_hook_fn)(struct netif *nif, uint8_t *frame, size_t len);
void eth_set_hook(eth_hook_fn fn);
/* ---- net/reflect.c ---- */
/* Turn an IPv4/UDP frame around in place (MACs, addresses, ports swapped; DNS QR set; UDP
 * checksum 0); returns its length, or 0 (left as is) if it is not a whole UDP datagram or
 * comes from port 0/7/13/19/37. */
size_t udp_reflect(uint8_t *frame, size_t len);
void arp_announce(struct netif *nif);                     /* gratuitous ARP */
/* MAC of an on-link address of nif; NULL: unresolved (a request is sent, rate-limited).
 * A mapping older than ARP_REACHABLE_NS is refreshed by a new request and dropped when no
 * reply confirms it within ARP_STALE_NS. */
const uint8_t *arp_lookup(struct netif *nif, uint32_t ip);
/* Record a confirmed mapping (as a reply to our own request does); held packets leave. */
void arp_learn(struct netif *nif, uint32_t ip, const uint8_t *mac);
/* Hold the packet waiting for nexthop on nif: one per pending resolution (a newer one
 * replaces it), a few resolutions per interface (the oldest dropped); sent when the reply
 * comes. Returns 0 if held. */
int arp_hold(struct netif *nif, uint32_t nexthop, const uint8_t *pkt, size_t len);
struct netif *netif_by_addr(uint32_t ip);                 /* the interface owning ip, or NULL */

/* ---- net/ip.c (IPv4, routes, forwarding, ICMP, UDP) ---- */
#define IP_HLEN 20
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
/* Routes: connected subnets of the interfaces first (longest prefix), then static routes
 * (longest prefix; gw=0.0.0.0/0). A route's gateway must be on-link of an interface. */
#define ROUTE_MAX 16
struct route {
    uint32_t net, mask, gw; /* gw 0: on-link */
    struct netif *nif;
};
/* 0 ok, -1 table full, -2 gateway not on-link of any interface. */
int route_add(uint32_t net, uint32_t mask, uint32_t gw);
/* Egress interface and next hop for dst; 0 if there is a route. */
int route_lookup(uint32_t dst, struct netif **nif, uint32_t *nexthop);
/* Forwarding of packets not addressed to us (off by default). The filter, when set, sees
 * every packet about to be forwarded (ip points at the IPv4 header; in = ingress) and
 * returns nonzero to drop it. */
typedef int (*ip_filter_fn)(struct netif *in, const uint8_t *ip, size_t len);
void ip_forwarding(int on, ip_filter_fn filter);
struct ip_stats {
    uint64_t forwarded, filtered, ttl_expired, no_route, no_buffer, held;
};
extern struct ip_stats ip_stats;
void ip_input(struct netif *nif, uint8_t *frame, uint8_t *pkt, size_t len);
void net_announce(void);             /* gratuitous ARP on every interface, resolve gateways */
/* Start an IPv4 packet: returns the payload area (max 1480 bytes), NULL if no route/buffer. */
uint8_t *ip_tx_begin(uint32_t dst, uint8_t proto);
uint32_t ip_tx_src(void);            /* source address of the packet under construction */
void ip_tx_commit(size_t payload_len);
uint32_t csum_add(uint32_t sum, const void *data, size_t len);
uint16_t csum_fold(uint32_t sum);
uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* RFC 1624 eqn. 3: checksum after one 16-bit word of the summed data changed old -> new. */
uint16_t csum_update16(uint16_t csum, uint16_t old, uint16_t new_);
typedef void (*udp_handler)(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *data, size_t len);
int udp_bind(uint16_t port, udp_handler fn);
int udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len);

/* ---- net/tcp.c ---- */
#ifndef TCP_MAX_CONN
#define TCP_MAX_CONN 256     /* connection table, half-open ones included */
#endif
#ifndef TCP_SNDBUF
#define TCP_SNDBUF 8192      /* per-connection send buffer */
#endif
struct tcp_conn;
struct tcp_ops {
    void (*open)(struct tcp_conn *c);  /* connection established */
    /* In-order data; returns how many bytes were consumed (the rest is not acknowledged
     * and comes again by retransmission). data == NULL, len == 0: the peer sent FIN. */
    size_t (*recv)(struct tcp_conn *c, const uint8_t *data, size_t len);
    void (*closed)(struct tcp_conn *c); /* connection gone (after open): forget it */
    /* Optional: how many more bytes the application could take now; the advertised receive
     * window is capped by it (flow control instead of refused data), and reopened with a
     * window update once our acknowledged output makes room. NULL: always RCV_WND. */
    size_t (*window)(const struct tcp_conn *c);
};
void tcp_input(uint32_t src, uint32_t dst, uint8_t *seg, size_t len);
int tcp_listen(uint16_t port, const struct tcp_ops *ops);
/* Queue data for sending; returns bytes accepted (short when the buffer is full). */
size_t tcp_write(struct tcp_conn *c, const void *data, size_t len);
size_t tcp_space(const struct tcp_conn *c); /* free send-buffer bytes */
void tcp_close(struct tcp_conn *c);   /* FIN after the queued data */
void tcp_abort(struct tcp_conn *c);   /* RST now; closed() follows */
unsigned tcp_conn_id(const struct tcp_conn *c); /* 0 .. TCP_MAX_CONN-1 */
void tcp_timers(uint64_t now);        /* run due timers */
uint64_t tcp_next_deadline(void);     /* 0: nothing pending */
void tcp_flush_all(void);             /* send queued output and ACKs */

/* ---- services/<svc>_main.c ---- */
extern const char app_name[];         /* "dns" or "web" */
/* Handle one command-line option; 0 = ok, -1 = unknown key, -2 = invalid value (message printed). */
int app_option(const char *key, size_t klen, const char *val, size_t vlen);
void app_start(void);                 /* bind ports; called once the network is up */
/* Run the service's due timers; returns its next deadline (0: none). Optional (weak default). */
uint64_t app_timers(uint64_t now);

#endif
