/*
 * pci.c - find the virtio-net device: a virtio-mmio transport on microvm, or a
 * legacy virtio-pci function on bus 0 (qboot assigns no BARs: we do).
 */
#include "uk.h"

#define VIRTIO_MMIO_BASE 0xFEB00000UL
#define VIRTIO_MMIO_STRIDE 512
#define VIRTIO_MMIO_SLOTS 24
#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_NET_ID 1
#define PCI_IO_BASE 0xC000

int mmio_find_virtio_net(struct netif_cfg *cfg, int have_rsdp)
{
    /* QEMU microvm GSI rule without ACPI tables to read: IOAPIC2 -> 24+slot,
     * ACPI -> 16+slot, else 5+slot. */
    unsigned gsi_base = ioapic2_present() ? 24 : have_rsdp ? 16 : 5;
    for (int slot = VIRTIO_MMIO_SLOTS - 1; slot >= 0; slot--) {
        uintptr_t b = VIRTIO_MMIO_BASE + (uintptr_t)slot * VIRTIO_MMIO_STRIDE;
        if (mmio_read32(b) != VIRTIO_MAGIC)
            continue;
        if (mmio_read32(b + 8) != VIRTIO_NET_ID)
            continue;
        cfg->kind = NETIF_MMIO;
        cfg->base = b;
        cfg->gsi = gsi_base + (unsigned)slot;
        return 0;
    }
    return -1;
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

int pci_find_virtio_net(struct netif_cfg *cfg)
{
    for (unsigned dev = 0; dev < 32; dev++) {
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
            cfg_write(dev, 0, 0x10, PCI_IO_BASE);
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
            return -1;
        cfg->kind = NETIF_PCI;
        cfg->base = bar & 0xFFFC;
        cfg->gsi = line;
        return 0;
    }
    return -1;
}
