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
static int have_ip;
static int verbose;
static const char *fault_name; /* fault= (memory-protection self-test), run once the console is up */
static size_t fault_len;

static int tok_eq(const char *k, size_t kl, const char *lit)
{
    return kl == strlen(lit) && !memcmp(k, lit, kl);
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
        if (tok_eq(tok, kl, "ip")) {
            size_t sl = 0;
            while (sl < vl && val[sl] != '/')
                sl++;
            uint64_t prefix = 24;
            if (parse_ipv4(val, sl, &net_cfg.ip) ||
                (sl < vl && (parse_uint(val + sl + 1, vl - sl - 1, &prefix) || prefix < 1 || prefix > 30)) ||
                net_cfg.ip == 0)
                fatal("invalid ip=%.*s (expected ip=A.B.C.D/N, e.g. ip=10.0.2.15/24)", (int)vl, val);
            net_cfg.mask = (uint32_t)(0xFFFFFFFFULL << (32 - prefix));
            have_ip = 1;
        } else if (tok_eq(tok, kl, "gw")) {
            if (parse_ipv4(val, vl, &net_cfg.gw))
                fatal("invalid gw=%.*s (expected gw=A.B.C.D, e.g. gw=10.0.2.2)", (int)vl, val);
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
                fatal("unknown option '%.*s' (usage: ip=A.B.C.D/N [gw=A.B.C.D]%s [verbose])", (int)tl, tok,
                      app_name[0] == 'd' ? " [zone=ORIGIN:LABEL=IP,...]" : "");
            if (r != 0)
                halt_forever(); /* app_option printed why */
        }
    }
    if (!have_ip)
        fatal("missing ip= on the kernel command line (usage: ip=A.B.C.D/N [gw=A.B.C.D])");
    if (net_cfg.gw && (net_cfg.gw & net_cfg.mask) != (net_cfg.ip & net_cfg.mask))
        fatal("gw= is not inside the ip= subnet");
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

static void rx_frame(uint8_t *f, size_t len)
{
    eth_input(f, len);
}

void kmain(uint32_t start_info)
{
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

    struct netif_cfg nc;
    int found = -1;
    for (int i = 0; i < n_mmio && found; i++) {
        if (mmio_read32(mmio_devs[i].base) == 0x74726976 && mmio_read32(mmio_devs[i].base + 8) == 1) {
            nc = mmio_devs[i];
            found = 0;
        }
    }
    if (found)
        found = mmio_find_virtio_net(&nc, si->rsdp_paddr != 0);
    if (found)
        found = pci_find_virtio_net(&nc);
    if (found)
        fatal("no virtio-net device (use -device virtio-net-device on microvm, virtio-net-pci on pc)");
    int r = netif_init(&nc);
    if (r)
        fatal("virtio-net initialisation failed (%s)", r == -2 ? "IRQ routing" : "queues");

    /* Boot details only on request: each console character is a VM exit. */
    if (verbose)
        kprintf("unibench: clock %s %lu kHz, net %s 0x%lx irq %u mac %02x:%02x:%02x:%02x:%02x:%02x\n",
                clock_source, tsc_khz(), nc.kind == NETIF_MMIO ? "virtio-mmio" : "virtio-pci io",
                (uint64_t)nc.base, nc.gsi, netif_mac[0], netif_mac[1], netif_mac[2], netif_mac[3],
                netif_mac[4], netif_mac[5]);
    arp_announce();
    netif_flush();
    app_start();
    kprintf("unibench: %s ready\n", app_name);

    for (;;) {
        netif_irq_enable(0);
        int n;
        do {
            n = netif_poll(rx_frame);
            tcp_timers(now_ns());
            tcp_flush_all();
            netif_flush();
        } while (n);
        netif_irq_enable(1);
        if (netif_rx_pending())
            continue;
        timer_arm(tcp_next_deadline());
        sys_idle();
    }
}
