/*
 * virtio_net.c - legacy virtio-net over virtio-mmio (microvm) or legacy virtio-pci
 * (I/O BAR, -M pc). One RX and one TX queue of up to 256 entries, each descriptor
 * owning a fixed 2 KiB buffer holding the 10-byte net header and the frame (ring logic:
 * vring.h). Every register access is a VM exit, so the data path avoids them:
 * - notifications both ways are suppressed with VIRTIO_RING_F_EVENT_IDX when the device
 *   offers it (else the avail/used flags): the device asks for a notify only when it has
 *   gone idle, and interrupts only when the main loop has re-enabled them before halting;
 * - RX is harvested in batches (up to a ring per poll), buffers reposted in place, one
 *   avail-index update per batch; TX completions never interrupt and are reclaimed only
 *   when the free list runs dry; one notify (if the device wants one) per flush.
 * Several devices (one per struct netif) share one interrupt vector. Counters of kicks,
 * interrupts and frames: netif_stats().
 */
#include "uk.h"
#include "vring.h"

#define QSIZE_MAX VQ_SIZE_MAX
#define BUF_SIZE 2048
#define HDR_LEN 10 /* no MRG_RXBUF */

/* Legacy virtio-mmio registers */
#define MMIO_MAGIC 0x000
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_HOST_FEATURES 0x010
#define MMIO_HOST_FEATURES_SEL 0x014
#define MMIO_GUEST_FEATURES 0x020
#define MMIO_GUEST_FEATURES_SEL 0x024
#define MMIO_GUEST_PAGE_SIZE 0x028
#define MMIO_QUEUE_SEL 0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM 0x038
#define MMIO_QUEUE_ALIGN 0x03C
#define MMIO_QUEUE_PFN 0x040
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_INT_STATUS 0x060
#define MMIO_INT_ACK 0x064
#define MMIO_STATUS 0x070
#define MMIO_CONFIG 0x100

/* Legacy virtio-pci I/O registers */
#define PCI_HOST_FEATURES 0x00
#define PCI_GUEST_FEATURES 0x04
#define PCI_QUEUE_PFN 0x08
#define PCI_QUEUE_SIZE 0x0C
#define PCI_QUEUE_SEL 0x0E
#define PCI_QUEUE_NOTIFY 0x10
#define PCI_STATUS 0x12
#define PCI_ISR 0x13
#define PCI_CONFIG 0x14

#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4

#define F_MAC (1u << 5)
#define F_ANY_LAYOUT (1u << 27)

/* Per device: rings and buffers come from page_alloc (only for devices present). */
struct vnet {
    struct netif_cfg dev;
    struct vq rxq, txq;
    int tx_pending_desc;
    struct netif_stats st;
};
static struct vnet vnets[NETIF_MAX];
static unsigned n_vnets;

#define V(nif) ((struct vnet *)(nif)->drv)

static void reg_write32(struct vnet *v, unsigned off_mmio, unsigned off_pci, uint32_t val)
{
    if (v->dev.kind == NETIF_MMIO)
        mmio_write32(v->dev.base + off_mmio, val);
    else
        outl((uint16_t)(v->dev.base + off_pci), val);
}

static void set_status(struct vnet *v, uint8_t s)
{
    if (v->dev.kind == NETIF_MMIO)
        mmio_write32(v->dev.base + MMIO_STATUS, s);
    else
        outb((uint16_t)(v->dev.base + PCI_STATUS), s);
}

static void notify(struct vnet *v, unsigned q)
{
    v->st.kicks++;
    if (v->dev.kind == NETIF_MMIO)
        mmio_write32(v->dev.base + MMIO_QUEUE_NOTIFY, q);
    else
        outw((uint16_t)(v->dev.base + PCI_QUEUE_NOTIFY), (uint16_t)q);
}

static void net_irq(void)
{
    /* Every device shares the vector. Acknowledge each so its level-triggered line drops;
     * the main loop polls every ring after every wake-up, so nothing else is needed here. */
    for (unsigned i = 0; i < n_vnets; i++) {
        struct vnet *v = &vnets[i];
        v->st.irqs++;
        if (v->dev.kind == NETIF_MMIO) {
            uint32_t st = mmio_read32(v->dev.base + MMIO_INT_STATUS);
            if (st)
                mmio_write32(v->dev.base + MMIO_INT_ACK, st);
        } else {
            (void)inb((uint16_t)(v->dev.base + PCI_ISR));
        }
    }
}

static int vq_setup(struct vnet *v, unsigned q, struct vq *vq, int event_idx)
{
    unsigned n;
    if (v->dev.kind == NETIF_MMIO) {
        mmio_write32(v->dev.base + MMIO_QUEUE_SEL, q);
        unsigned max = mmio_read32(v->dev.base + MMIO_QUEUE_NUM_MAX);
        if (max == 0)
            return -1;
        n = max < QSIZE_MAX ? max : QSIZE_MAX;
        mmio_write32(v->dev.base + MMIO_QUEUE_NUM, n);
        /* QueueAlign is not written: QEMU's queues start with (and keep through resets) the
         * 4096-byte alignment vq_ring_bytes lays out, and each write is a VM exit at boot. */
    } else {
        outw((uint16_t)(v->dev.base + PCI_QUEUE_SEL), (uint16_t)q);
        n = inw((uint16_t)(v->dev.base + PCI_QUEUE_SIZE));
        if (n == 0 || n > QSIZE_MAX)
            return -1;
    }
    if (n & (n - 1))
        return -1;
    size_t ring_bytes = vq_ring_bytes(n);
    uint8_t *mem = page_alloc(ring_bytes);
    uint8_t *bufs = page_alloc((size_t)n * BUF_SIZE);
    memset(mem, 0, ring_bytes);
    vq_init(vq, mem, n, bufs, BUF_SIZE, event_idx);
    uint32_t pfn = (uint32_t)((uintptr_t)mem >> 12);
    if (v->dev.kind == NETIF_MMIO)
        mmio_write32(v->dev.base + MMIO_QUEUE_PFN, pfn);
    else
        outl((uint16_t)(v->dev.base + PCI_QUEUE_PFN), pfn);
    return 0;
}

int netif_init(struct netif *nif, const struct netif_cfg *cfg)
{
    if (n_vnets == NETIF_MAX)
        return -1;
    struct vnet *v = &vnets[n_vnets];
    v->dev = *cfg;
    v->tx_pending_desc = -1;
    set_status(v, 0);
    set_status(v, ST_ACK);
    set_status(v, ST_ACK | ST_DRIVER);
    uint32_t host;
    /* Every register access below is a VM exit to QEMU's user space (0.1 ms, and several ms
     * when the host is loaded), so boot makes only the ones it needs: the reset above leaves
     * both feature selectors at 0 (hw/virtio/virtio-mmio.c), and the MAC is read in two
     * accesses rather than six (legacy config space takes 1-, 2- and 4-byte reads). */
    if (v->dev.kind == NETIF_MMIO) {
        host = mmio_read32(v->dev.base + MMIO_HOST_FEATURES);
    } else {
        host = inl((uint16_t)(v->dev.base + PCI_HOST_FEATURES));
    }
    uint32_t want = host & (F_MAC | F_ANY_LAYOUT | VIRTIO_RING_F_EVENT_IDX);
    int event_idx = (want & VIRTIO_RING_F_EVENT_IDX) != 0;
    if (v->dev.kind == NETIF_MMIO) {
        mmio_write32(v->dev.base + MMIO_GUEST_FEATURES, want);
        mmio_write32(v->dev.base + MMIO_GUEST_PAGE_SIZE, 4096);
    } else {
        reg_write32(v, 0, PCI_GUEST_FEATURES, want);
    }
    if ((host & F_MAC) && v->dev.kind == NETIF_MMIO) {
        uint32_t lo = mmio_read32(v->dev.base + MMIO_CONFIG);
        uint16_t hi = mmio_read16(v->dev.base + MMIO_CONFIG + 4);
        for (int i = 0; i < 4; i++)
            nif->mac[i] = (uint8_t)(lo >> (8 * i));
        nif->mac[4] = (uint8_t)hi;
        nif->mac[5] = (uint8_t)(hi >> 8);
    } else {
        for (int i = 0; i < 6; i++) {
            if (!(host & F_MAC))
                nif->mac[i] = (uint8_t[]){0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + n_vnets)}[i];
            else
                nif->mac[i] = inb((uint16_t)(v->dev.base + PCI_CONFIG + i));
        }
    }
    if (vq_setup(v, 0, &v->rxq, event_idx) || vq_setup(v, 1, &v->txq, event_idx)) {
        set_status(v, 0x80); /* FAILED */
        return -1;
    }
    struct vq *rxq = &v->rxq, *txq = &v->txq;
    /* RX: post every buffer device-writable. TX: every descriptor free, completions need
     * no interrupt. */
    vq_rx_post_all(rxq);
    vq_tx_init(txq);
    vq_intr_disable(txq);
    n_vnets++;
    nif->drv = v;

    /* Route the IRQ before DRIVER_OK: QEMU drops edges raised on a masked pin. */
    irq_set_handler(VEC_NET, net_irq);
    if (ioapic_route(v->dev.gsi, VEC_NET))
        return -2;
    set_status(v, ST_ACK | ST_DRIVER | ST_DRIVER_OK);
    notify(v, 0);
    rxq->notified_idx = rxq->avail_idx;
    v->st.kicks = 0; /* count the data path only */
    return 0;
}

uint8_t *netif_tx_begin(struct netif *nif)
{
    struct vnet *v = V(nif);
    int d = vq_tx_peek(&v->txq);
    if (d < 0) {
        /* Ring full: hand what we have to the device and look once more. */
        netif_flush(nif);
        vq_tx_reclaim(&v->txq);
        d = vq_tx_peek(&v->txq);
        if (d < 0) {
            v->st.tx_full++;
            return NULL;
        }
    }
    v->tx_pending_desc = d;
    uint8_t *buf = vq_buf(&v->txq, (unsigned)d);
    memset(buf, 0, HDR_LEN);
    return buf + HDR_LEN;
}

void netif_tx_commit(struct netif *nif, size_t len)
{
    struct vnet *v = V(nif);
    if (v->tx_pending_desc < 0)
        return;
    vq_tx_add(&v->txq, (unsigned)v->tx_pending_desc, (uint32_t)(HDR_LEN + len));
    v->tx_pending_desc = -1;
    v->st.tx++;
}

void netif_flush(struct netif *nif)
{
    struct vnet *v = V(nif);
    if (vq_kick_needed(&v->txq))
        notify(v, 1);
    if (vq_kick_needed(&v->rxq))
        notify(v, 0);
}

struct rx_ctx {
    struct netif *nif;
    void (*fn)(struct netif *nif, uint8_t *frame, size_t len);
};

static void rx_one(void *ctx, uint8_t *buf, uint32_t len)
{
    struct rx_ctx *c = ctx;
    if (len > HDR_LEN)
        c->fn(c->nif, buf + HDR_LEN, len - HDR_LEN);
}

int netif_poll(struct netif *nif, void (*fn)(struct netif *nif, uint8_t *frame, size_t len))
{
    struct vnet *v = V(nif);
    struct rx_ctx c = {nif, fn};
    /* At most one ring's worth, so the caller flushes replies before taking more. */
    unsigned n = vq_rx_harvest(&v->rxq, v->rxq.size, rx_one, &c);
    v->st.rx += n;
    return (int)n;
}

void netif_irq_enable(struct netif *nif, int on)
{
    if (on)
        (void)vq_intr_enable(&V(nif)->rxq);
    else
        vq_intr_disable(&V(nif)->rxq);
}

int netif_rx_pending(struct netif *nif)
{
    return vq_pending(&V(nif)->rxq);
}

void netif_stats(const struct netif *nif, struct netif_stats *out)
{
    *out = ((const struct vnet *)nif->drv)->st;
}

int netif_event_idx(const struct netif *nif)
{
    return ((const struct vnet *)nif->drv)->rxq.event_idx;
}
