/*
 * start.c - from PVH entry to a serving instance: console, CPU, command line,
 * clock, virtio-net discovery, network stack, the service, and the idle loop.
 */
#include "uk.h"

#define PVH_MAGIC 0x336ec578

struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;
};

extern char __bss_end[];

#define MAX_MMIO 8
static struct netif_cfg mmio_devs[MAX_MMIO];
static int n_mmio;
static int verbose;
/* Busy-poll budget after a round that had work (poll=US, 0 = off), console counters every
 * stats=S seconds (0 = never). */
#define POLL_US_DEFAULT 30
#define POLL_US_MAX 10000
static uint64_t poll_ns = POLL_US_DEFAULT * 1000ULL;
static uint64_t stats_ns;
static const char *fault_name; /* fault= (memory-protection self-test), run once the console is up */
static size_t fault_len;

/* Addresses and routes from the command line, applied once the devices are known. */
static uint32_t want_ip[NETIF_MAX], want_mask[NETIF_MAX];
static uint32_t want_gw;
#define CMD_ROUTES 8
static struct { uint32_t net, mask, gw; } want_route[CMD_ROUTES];
static unsigned n_want_route;

#define USAGE "ip=A.B.C.D/N [ip1=A.B.C.D/N ...] [gw=A.B.C.D] [route=NET/N:GW ...] [poll=US] [stats=S]"

static uintptr_t heap_next, heap_end;

void *page_alloc(size_t bytes)
{
    uintptr_t p = (heap_next + 4095) & ~(uintptr_t)4095;
    if (!heap_end || p + bytes > heap_end || p + bytes < p)
        fatal("not enough memory: this image needs -m %luM or more", (uint64_t)((p + bytes + (1 << 20) - 1) >> 20));
    heap_next = p + bytes;
    return (void *)p;
}

static int tok_eq(const char *k, size_t kl, const char *lit)
{
    return kl == strlen(lit) && !memcmp(k, lit, kl);
}

/* "A.B.C.D/N" (N 1..32 when allow32, else 1..30; default 24 without /N) */
static int parse_cidr(const char *val, size_t vl, uint32_t *ip, uint32_t *mask, uint64_t max_prefix)
{
    size_t sl = 0;
    while (sl < vl && val[sl] != '/')
        sl++;
    uint64_t prefix = 24;
    if (parse_ipv4(val, sl, ip) ||
        (sl < vl && (parse_uint(val + sl + 1, vl - sl - 1, &prefix) || prefix > max_prefix)))
        return -1;
    *mask = prefix ? (uint32_t)(0xFFFFFFFFULL << (32 - prefix)) : 0;
    return 0;
}

/* "512@0xfeb00e00:12" (size may carry a K suffix) */
static int parse_virtio_mmio(const char *v, size_t n)
{
    size_t at = 0, colon = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '@' && !at)
            at = i;
        if (v[i] == ':')
            colon = i;
    }
    uint64_t base, irq;
    if (!at || colon <= at + 1 || parse_uint(v + at + 1, colon - at - 1, &base) ||
        parse_uint(v + colon + 1, n - colon - 1, &irq) || irq > 255)
        return -1;
    if (n_mmio < MAX_MMIO) {
        mmio_devs[n_mmio].kind = NETIF_MMIO;
        mmio_devs[n_mmio].base = (uintptr_t)base;
        mmio_devs[n_mmio].gsi = (unsigned)irq;
        n_mmio++;
    }
    return 0;
}

static void parse_cmdline(const char *s)
{
    size_t i = 0, len = strlen(s);
    while (i < len) {
        while (i < len && s[i] == ' ')
            i++;
        size_t start = i;
        while (i < len && s[i] != ' ')
            i++;
        if (i == start)
            break;
        const char *tok = s + start;
        size_t tl = i - start, kl = 0;
        while (kl < tl && tok[kl] != '=')
            kl++;
        const char *val = kl < tl ? tok + kl + 1 : tok + tl;
        size_t vl = kl < tl ? tl - kl - 1 : 0;
        int ifn = -1;
        if (tok_eq(tok, kl, "ip"))
            ifn = 0;
        else if (kl == 3 && tok[0] == 'i' && tok[1] == 'p' && tok[2] >= '1' && tok[2] < '0' + NETIF_MAX)
            ifn = tok[2] - '0';
        if (ifn >= 0) {
            if (parse_cidr(val, vl, &want_ip[ifn], &want_mask[ifn], 30) || want_ip[ifn] == 0 ||
                want_mask[ifn] == 0)
                fatal("invalid %.*s=%.*s (expected A.B.C.D/N, e.g. ip=10.0.2.15/24)", (int)kl, tok, (int)vl, val);
        } else if (tok_eq(tok, kl, "gw")) {
            if (parse_ipv4(val, vl, &want_gw))
                fatal("invalid gw=%.*s (expected gw=A.B.C.D, e.g. gw=10.0.2.2)", (int)vl, val);
        } else if (tok_eq(tok, kl, "route")) {
            size_t c = 0;
            while (c < vl && val[c] != ':')
                c++;
            uint32_t net, mask, gw;
            if (c == vl || parse_cidr(val, c, &net, &mask, 32) || parse_ipv4(val + c + 1, vl - c - 1, &gw) ||
                gw == 0 || (net & ~mask))
                fatal("invalid route=%.*s (expected route=NET/N:GW, e.g. route=10.0.0.0/24:192.168.101.2)",
                      (int)vl, val);
            if (n_want_route == CMD_ROUTES)
                fatal("too many route= options (at most %d)", CMD_ROUTES);
            want_route[n_want_route].net = net;
            want_route[n_want_route].mask = mask;
            want_route[n_want_route].gw = gw;
            n_want_route++;
        } else if (tok_eq(tok, kl, "poll")) {
            uint64_t us;
            if (parse_uint(val, vl, &us) || us > POLL_US_MAX)
                fatal("invalid poll=%.*s (expected microseconds 0..%d, e.g. poll=30)", (int)vl, val, POLL_US_MAX);
            poll_ns = us * 1000;
        } else if (tok_eq(tok, kl, "stats")) {
            uint64_t sec;
            if (parse_uint(val, vl, &sec) || sec > 3600)
                fatal("invalid stats=%.*s (expected seconds 0..3600, e.g. stats=1)", (int)vl, val);
            stats_ns = sec * 1000000000ULL;
        } else if (tok_eq(tok, kl, "verbose") && kl == tl) {
            verbose = 1;
        } else if (tok_eq(tok, kl, "fault")) {
            fault_name = val;
            fault_len = vl;
        } else if (tok_eq(tok, kl, "virtio_mmio.device")) {
            if (parse_virtio_mmio(val, vl))
                fatal("invalid virtio_mmio.device=%.*s", (int)vl, val);
        } else {
            int r = kl < tl ? app_option(tok, kl, val, vl) : -1;
            if (r == -1)
                fatal("unknown option '%.*s' (usage: " USAGE "%s [verbose])", (int)tl, tok,
                      app_name[0] == 'd' ? " [zone=ORIGIN:LABEL=IP,...]" : "");
            if (r != 0)
                halt_forever(); /* app_option printed why */
        }
    }
    if (!want_ip[0])
        fatal("missing ip= on the kernel command line (usage: " USAGE ")");
}

static void fmt_ip(char *b, uint32_t ip)
{
    /* dotted quad into b (16 bytes) */
    size_t n = 0;
    for (int i = 3; i >= 0; i--) {
        unsigned v = (ip >> (8 * i)) & 0xFF;
        if (v >= 100)
            b[n++] = (char)('0' + v / 100);
        if (v >= 10)
            b[n++] = (char)('0' + v / 10 % 10);
        b[n++] = (char)('0' + v % 10);
        if (i)
            b[n++] = '.';
    }
    b[n] = 0;
}

/* Addresses onto the interfaces found, then the routes (their gateways must be on-link). */
static void apply_net_config(void)
{
    char a[16];
    for (unsigned i = 1; i < NETIF_MAX; i++)
        if (want_ip[i] && i >= netif_count)
            fatal("ip%u= names interface %u, but only %u virtio-net device%s found", i, i, netif_count,
                  netif_count == 1 ? " was" : "s were");
    for (unsigned i = 0; i < netif_count; i++) {
        netifs[i].ip = want_ip[i];
        netifs[i].mask = want_mask[i];
        for (unsigned j = 0; j < i; j++)
            if (netifs[i].ip && netifs[j].ip && (netifs[i].ip & netifs[i].mask & netifs[j].mask) ==
                                                    (netifs[j].ip & netifs[i].mask & netifs[j].mask))
                fatal("interfaces %u and %u are on overlapping subnets", j, i);
    }
    for (unsigned i = 0; i < n_want_route; i++) {
        int r = route_add(want_route[i].net, want_route[i].mask, want_route[i].gw);
        fmt_ip(a, want_route[i].gw);
        if (r == -2)
            fatal("route gateway %s is not inside the subnet of any interface", a);
        if (r)
            fatal("too many routes");
    }
    if (want_gw) {
        fmt_ip(a, want_gw);
        if (route_add(0, 0, want_gw))
            fatal("gw=%s is not inside the subnet of any interface", a);
    }
}

__attribute__((weak)) uint64_t app_timers(uint64_t now)
{
    (void)now;
    return 0;
}

/* Called from entry.S before the BSS is cleared (so it must not use any): halts with a
 * clear message when the RAM block at 1 MiB cannot hold the image and its BSS. */
void boot_check_memory(uint32_t start_info)
{
    const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;
    uint64_t need = (uintptr_t)__bss_end;
    if (!si || si->magic != PVH_MAGIC || !si->memmap_paddr || !si->memmap_entries)
        return;
    const struct hvm_memmap_entry *m = (const void *)(uintptr_t)si->memmap_paddr;
    for (uint32_t i = 0; i < si->memmap_entries; i++)
        if (m[i].type == 1 && m[i].size && m[i].addr <= 0x100000 && m[i].addr + m[i].size >= need)
            return;
    serial_init();
    fatal("not enough memory: this image needs -m %luM or more", (need + (1 << 20) - 1) >> 20);
}

static void rx_frame(struct netif *nif, uint8_t *f, size_t len)
{
    eth_input(nif, f, len);
}

/* Counters of the main loop, printed with the devices' on the stats= line (only when
 * frames moved since the last line: an idle guest prints nothing). */
static uint64_t n_halts, n_poll_hits, stats_last_frames = ~0ULL;

static void print_stats(void)
{
    struct netif_stats t = {0}, st;
    for (unsigned i = 0; i < netif_count; i++) {
        netif_stats(&netifs[i], &st);
        t.kicks += st.kicks;
        t.rx += st.rx;
        t.tx += st.tx;
        t.tx_full += st.tx_full;
        if (st.irqs > t.irqs)
            t.irqs = st.irqs; /* one shared vector: every device counts each interrupt */
    }
    if (t.rx + t.tx == stats_last_frames)
        return;
    stats_last_frames = t.rx + t.tx;
    kprintf("unibench: stats rx=%lu tx=%lu kicks=%lu irqs=%lu halts=%lu poll_hits=%lu tx_full=%lu\n", t.rx, t.tx,
            t.kicks, t.irqs, n_halts, n_poll_hits, t.tx_full);
}

/* Microseconds of guest TSC since it was reset with the vCPU (boot stamps). */
static uint64_t tsc_us(uint64_t tsc)
{
    uint64_t khz = tsc_khz();
    return khz ? tsc / (khz / 1000 ? khz / 1000 : 1) : 0;
}

static int rx_pending_any(void)
{
    for (unsigned i = 0; i < netif_count; i++)
        if (netif_rx_pending(&netifs[i]))
            return 1;
    return 0;
}

void kmain(uint32_t start_info)
{
    uint64_t t_entry = rdtsc();
    serial_init();
    const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;
    if (!si || si->magic != PVH_MAGIC)
        fatal("not started through PVH (start_info magic missing)");
    cpu_init();
    parse_cmdline(si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "");
    if (fault_name && fault_selftest(fault_name, fault_len) != 0)
        fatal("invalid fault=%.*s (null, write-text, exec-data, write-pagetable, stack-overflow, "
              "stack-smash)", (int)fault_len, fault_name);
    time_init();
    uint64_t t_clock = rdtsc();

    /* RAM above the image (the block at 1 MiB) is the page allocator's. */
    extern char __bss_end[];
    heap_next = (uintptr_t)__bss_end;
    if (si->memmap_paddr) {
        const struct hvm_memmap_entry *m = (const void *)(uintptr_t)si->memmap_paddr;
        for (uint32_t i = 0; i < si->memmap_entries; i++)
            if (m[i].type == 1 && m[i].size && m[i].addr <= 0x100000 && m[i].addr + m[i].size > heap_next)
                heap_end = (uintptr_t)(m[i].addr + m[i].size);
    }

    /* Devices in -device order: QEMU's virtio_mmio.device tokens (highest slot first), else
     * a scan of the microvm slots, else PCI bus 0. */
    struct netif_cfg nc[MAX_MMIO > NETIF_MAX ? MAX_MMIO : NETIF_MAX];
    int found = 0;
    for (int i = 0; i < n_mmio; i++)
        if (mmio_read32(mmio_devs[i].base) == 0x74726976 && mmio_read32(mmio_devs[i].base + 8) == 1) {
            int j = found++;
            for (; j > 0 && nc[j - 1].base < mmio_devs[i].base; j--)
                nc[j] = nc[j - 1];
            nc[j] = mmio_devs[i];
        }
    if (found > NETIF_MAX)
        found = NETIF_MAX;
    if (!found)
        found = mmio_find_virtio_nets(nc, NETIF_MAX, si->rsdp_paddr != 0);
    if (!found)
        found = pci_find_virtio_nets(nc, NETIF_MAX);
    if (!found)
        fatal("no virtio-net device (use -device virtio-net-device on microvm, virtio-net-pci on pc)");
    for (int i = 0; i < found; i++) {
        struct netif *nif = &netifs[i];
        nif->index = (unsigned)i;
        int r = netif_init(nif, &nc[i]);
        if (r)
            fatal("virtio-net %d initialisation failed (%s)", i, r == -2 ? "IRQ routing" : "queues");
        netif_count++;
        /* Boot details only on request: each console character is a VM exit. */
        if (verbose)
            kprintf("unibench: net%d %s 0x%lx irq %u mac %02x:%02x:%02x:%02x:%02x:%02x\n", i,
                    nc[i].kind == NETIF_MMIO ? "virtio-mmio" : "virtio-pci io", (uint64_t)nc[i].base, nc[i].gsi,
                    nif->mac[0], nif->mac[1], nif->mac[2], nif->mac[3], nif->mac[4], nif->mac[5]);
    }
    uint64_t t_dev = rdtsc();
    if (verbose)
        kprintf("unibench: clock %s %lu kHz\n", clock_source, tsc_khz());
    apply_net_config();
    net_announce();
    for (unsigned i = 0; i < netif_count; i++)
        netif_flush(&netifs[i]);
    app_start();
    uint64_t t_ready = rdtsc();
    kprintf("unibench: %s ready\n", app_name);
    /* Boot stamps (guest TSC in us): kernel entry, clock calibrated, devices up, service bound,
     * first frame handled (ARP or the first query: the polling round that saw it).
     * Printed once the first frames have been answered, so their ~90 console characters (each
     * a VM exit) never delay the first answer. */
    int stamps_due = 1;
    uint64_t t_frame = 0; /* the first frame handled (boot stamp) */
    uint64_t next_stats = stats_ns ? now_ns() + stats_ns : 0;

    for (;;) {
        for (unsigned i = 0; i < netif_count; i++)
            netif_irq_enable(&netifs[i], 0);
        int n, worked = 0;
        uint64_t app_deadline;
        do {
            n = 0;
            for (unsigned i = 0; i < netif_count; i++)
                n += netif_poll(&netifs[i], rx_frame);
            if (n && !t_frame)
                t_frame = rdtsc();
            uint64_t now = now_ns();
            tcp_timers(now);
            app_deadline = app_timers(now);
            tcp_flush_all();
            for (unsigned i = 0; i < netif_count; i++)
                netif_flush(&netifs[i]);
            worked |= n;
        } while (n);
        if (stamps_due && worked) {
            stamps_due = 0;
            kprintf("unibench: boot_us entry=%lu clock=%lu devices=%lu ready=%lu frame=%lu%s\n", tsc_us(t_entry),
                    tsc_us(t_clock), tsc_us(t_dev), tsc_us(t_ready), tsc_us(t_frame),
                    netif_event_idx(&netifs[0]) ? " event_idx" : "");
        }
        /* Bounded busy-poll (NAPI-style): after a round with frames, watch the used rings
         * (memory reads) for up to poll_ns before paying for hlt, the interrupt, its
         * acknowledgement and EOI (each a VM exit). A wake-up without frames (a timer)
         * never spins, so an idle guest goes straight back to hlt. */
        if (worked && poll_ns) {
            uint64_t end = now_ns() + poll_ns;
            int found;
            while (!(found = rx_pending_any()) && now_ns() < end)
                __asm__ volatile("pause");
            if (found) {
                n_poll_hits++;
                continue;
            }
        }
        if (next_stats && now_ns() >= next_stats) {
            print_stats();
            next_stats = now_ns() + stats_ns;
        }
        int pending = 0;
        for (unsigned i = 0; i < netif_count; i++) {
            netif_irq_enable(&netifs[i], 1);
            pending |= netif_rx_pending(&netifs[i]);
        }
        if (pending)
            continue;
        uint64_t d = tcp_next_deadline();
        if (app_deadline && (!d || app_deadline < d))
            d = app_deadline;
        if (next_stats && (!d || next_stats < d))
            d = next_stats;
        timer_arm(d);
        sys_idle();
        n_halts++;
    }
}
