/*
 * pci.c - find the virtio-net devices: virtio-mmio transports on microvm, or legacy
 * virtio-pci functions on bus 0 (qboot assigns no BARs: we do, one 64-byte window each).
 */
#include "uk.h"

#define VIRTIO_MMIO_BASE 0xFEB00000UL
#define VIRTIO_MMIO_STRIDE 512
#define VIRTIO_MMIO_SLOTS 24
#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_NET_ID 1
#define PCI_IO_BASE 0xC000

int mmio_find_virtio_nets(struct netif_cfg *cfgs, int max, int have_rsdp)
{
    int n = 0;
    /* QEMU microvm GSI rule without ACPI tables to read: IOAPIC2 -> 24+slot,
     * ACPI -> 16+slot, else 5+slot. */
    unsigned gsi_base = ioapic2_present() ? 24 : have_rsdp ? 16 : 5;
    /* The first -device takes the highest slot: scanning downwards keeps -device order. */
    for (int slot = VIRTIO_MMIO_SLOTS - 1; slot >= 0 && n < max; slot--) {
        uintptr_t b = VIRTIO_MMIO_BASE + (uintptr_t)slot * VIRTIO_MMIO_STRIDE;
        if (mmio_read32(b) != VIRTIO_MAGIC)
            continue;
        if (mmio_read32(b + 8) != VIRTIO_NET_ID)
            continue;
        cfgs[n].kind = NETIF_MMIO;
        cfgs[n].base = b;
        cfgs[n].gsi = gsi_base + (unsigned)slot;
        n++;
    }
    return n;
}

static uint32_t cfg_read(unsigned dev, unsigned fn, unsigned off)
{
    outl(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (off & 0xFC));
    return inl(0xCFC);
}

static void cfg_write(unsigned dev, unsigned fn, unsigned off, uint32_t v)
{
    outl(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (off & 0xFC));
    outl(0xCFC, v);
}

int pci_find_virtio_nets(struct netif_cfg *cfgs, int max)
{
    int n = 0;
    uint32_t io_next = PCI_IO_BASE;
    for (unsigned dev = 0; dev < 32 && n < max; dev++) {
        uint32_t id = cfg_read(dev, 0, 0);
        if (id == 0xFFFFFFFF || id == 0)
            continue;
        if ((id & 0xFFFF) != 0x1AF4)
            continue;
        unsigned did = id >> 16;
        if (did != 0x1000) /* transitional virtio-net: legacy I/O BAR0 */
            continue;
        uint32_t bar = cfg_read(dev, 0, 0x10);
        if (!(bar & 1))
            continue;
        if ((bar & ~3u) == 0) {
            /* Size the BAR (all ones, read back), place it at the next aligned free port. */
            cfg_write(dev, 0, 0x10, 0xFFFFFFFF);
            uint32_t size = (~(cfg_read(dev, 0, 0x10) & ~3u) + 1) & 0xFFFF;
            if (size < 4 || size > 0x1000)
                continue;
            io_next = (io_next + size - 1) & ~(size - 1);
            cfg_write(dev, 0, 0x10, io_next);
            io_next += size;
            bar = cfg_read(dev, 0, 0x10);
        }
        uint32_t cmd = cfg_read(dev, 0, 0x04);
        cfg_write(dev, 0, 0x04, (cmd & 0xFFFF) | 0x5); /* I/O space + bus master */
        uint32_t intr = cfg_read(dev, 0, 0x3C);
        unsigned line = intr & 0xFF, pin = (intr >> 8) & 0xFF;
        /* qboot's INTERRUPT_LINE can be wrong: QEMU's PIIX3 maps slot S, pin P to
         * PIRQ (S - 1 + P - 1) & 3, whose ISA IRQ is in the bridge's register 0x60+n. */
        if (cfg_read(1, 0, 0) == 0x70008086 && pin >= 1 && pin <= 4) {
            unsigned pirq = (dev - 1 + pin - 1) & 3;
            unsigned route = (cfg_read(1, 0, 0x60) >> (8 * pirq)) & 0xFF;
            if (route < 16)
                line = route;
        }
        if (line == 0 || line >= 16)
            continue;
        cfgs[n].kind = NETIF_PCI;
        cfgs[n].base = bar & 0xFFFC;
        cfgs[n].gsi = line;
        n++;
    }
    return n;
}
