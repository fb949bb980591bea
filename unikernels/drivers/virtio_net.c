/*
 * virtio_net.c - legacy virtio-net over virtio-mmio (microvm) or legacy virtio-pci
 * (I/O BAR, -M pc). One RX and one TX queue of up to 256 entries, each descriptor
 * owning a fixed 2 KiB buffer holding the 10-byte net header and the frame.
 * RX: drain everything per poll, refill, notify once. TX: no interrupts, completions
 * are reclaimed when new frames are queued, one notify per flush. Several devices (one
 * per struct netif) share one interrupt vector.
 */
#include "uk.h"

#define QSIZE_MAX 256
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

#define DESC_F_WRITE 2
#define AVAIL_F_NO_INTERRUPT 1
#define USED_F_NO_NOTIFY 1

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
struct vring_avail {
    uint16_t flags, idx, ring[];
};
struct vring_used_elem {
    uint32_t id, len;
};
struct vring_used {
    uint16_t flags, idx;
    struct vring_used_elem ring[];
};

struct vq {
    unsigned size;
    struct vring_desc *desc;
    volatile struct vring_avail *avail;
    volatile struct vring_used *used;
    uint16_t last_used;
    uint16_t avail_idx;     /* our shadow of avail->idx */
    uint16_t notified_idx;  /* avail_idx at the last notify */
    uint8_t *bufs;
};

/* Per device: rings and buffers come from page_alloc (only for devices present). */
struct vnet {
    struct netif_cfg dev;
    struct vq rxq, txq;
    uint16_t tx_free[QSIZE_MAX];
    unsigned tx_nfree;
    int tx_pending_desc;
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
        if (v->dev.kind == NETIF_MMIO) {
            uint32_t st = mmio_read32(v->dev.base + MMIO_INT_STATUS);
            if (st)
                mmio_write32(v->dev.base + MMIO_INT_ACK, st);
        } else {
            (void)inb((uint16_t)(v->dev.base + PCI_ISR));
        }
    }
}

static int vq_setup(struct vnet *v, unsigned q, struct vq *vq)
{
    unsigned n;
    if (v->dev.kind == NETIF_MMIO) {
        mmio_write32(v->dev.base + MMIO_QUEUE_SEL, q);
        unsigned max = mmio_read32(v->dev.base + MMIO_QUEUE_NUM_MAX);
        if (max == 0)
            return -1;
        n = max < QSIZE_MAX ? max : QSIZE_MAX;
        mmio_write32(v->dev.base + MMIO_QUEUE_NUM, n);
        mmio_write32(v->dev.base + MMIO_QUEUE_ALIGN, 4096);
    } else {
        outw((uint16_t)(v->dev.base + PCI_QUEUE_SEL), (uint16_t)q);
        n = inw((uint16_t)(v->dev.base + PCI_QUEUE_SIZE));
        if (n == 0 || n > QSIZE_MAX)
            return -1;
    }
    if (n & (n - 1))
        return -1;
    size_t used_off = (16 * n + 6 + 2 * n + 4095) & ~4095UL;
    size_t ring_bytes = used_off + ((6 + 8 * n + 4095) & ~4095UL);
    uint8_t *mem = page_alloc(ring_bytes);
    uint8_t *bufs = page_alloc((size_t)n * BUF_SIZE);
    memset(mem, 0, ring_bytes);
    vq->size = n;
    vq->desc = (struct vring_desc *)mem;
    vq->avail = (volatile struct vring_avail *)(mem + 16 * n);
    vq->used = (volatile struct vring_used *)(mem + used_off);
    vq->bufs = bufs;
    for (unsigned i = 0; i < n; i++) {
        vq->desc[i].addr = (uintptr_t)(bufs + i * BUF_SIZE);
        vq->desc[i].len = BUF_SIZE;
        vq->desc[i].flags = 0;
        vq->desc[i].next = 0;
    }
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
    if (v->dev.kind == NETIF_MMIO) {
        mmio_write32(v->dev.base + MMIO_HOST_FEATURES_SEL, 0);
        host = mmio_read32(v->dev.base + MMIO_HOST_FEATURES);
    } else {
        host = inl((uint16_t)(v->dev.base + PCI_HOST_FEATURES));
    }
    uint32_t want = host & (F_MAC | F_ANY_LAYOUT);
    if (v->dev.kind == NETIF_MMIO) {
        mmio_write32(v->dev.base + MMIO_GUEST_FEATURES_SEL, 0);
        mmio_write32(v->dev.base + MMIO_GUEST_FEATURES, want);
        mmio_write32(v->dev.base + MMIO_GUEST_PAGE_SIZE, 4096);
    } else {
        reg_write32(v, 0, PCI_GUEST_FEATURES, want);
    }
    for (int i = 0; i < 6; i++) {
        if (!(host & F_MAC))
            nif->mac[i] = (uint8_t[]){0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + n_vnets)}[i];
        else if (v->dev.kind == NETIF_MMIO)
            nif->mac[i] = mmio_read8(v->dev.base + MMIO_CONFIG + i);
        else
            nif->mac[i] = inb((uint16_t)(v->dev.base + PCI_CONFIG + i));
    }
    if (vq_setup(v, 0, &v->rxq) || vq_setup(v, 1, &v->txq)) {
        set_status(v, 0x80); /* FAILED */
        return -1;
    }
    struct vq *rxq = &v->rxq, *txq = &v->txq;
    /* RX: post every buffer device-writable. */
    for (unsigned i = 0; i < rxq->size; i++) {
        rxq->desc[i].flags = DESC_F_WRITE;
        rxq->avail->ring[i] = (uint16_t)i;
    }
    rxq->avail_idx = (uint16_t)rxq->size;
    barrier();
    rxq->avail->idx = rxq->avail_idx;
    /* TX: every descriptor free, completions need no interrupt. */
    txq->avail->flags = AVAIL_F_NO_INTERRUPT;
    for (unsigned i = 0; i < txq->size; i++)
        v->tx_free[i] = (uint16_t)(txq->size - 1 - i);
    v->tx_nfree = txq->size;
    n_vnets++;
    nif->drv = v;

    /* Route the IRQ before DRIVER_OK: QEMU drops edges raised on a masked pin. */
    irq_set_handler(VEC_NET, net_irq);
    if (ioapic_route(v->dev.gsi, VEC_NET))
        return -2;
    set_status(v, ST_ACK | ST_DRIVER | ST_DRIVER_OK);
    notify(v, 0);
    rxq->notified_idx = rxq->avail_idx;
    return 0;
}

static void tx_reclaim(struct vnet *v)
{
    struct vq *txq = &v->txq;
    uint16_t used_idx = txq->used->idx;
    barrier();
    while (txq->last_used != used_idx) {
        uint32_t id = txq->used->ring[txq->last_used & (txq->size - 1)].id;
        if (id < txq->size)
            v->tx_free[v->tx_nfree++] = (uint16_t)id;
        txq->last_used++;
    }
}

uint8_t *netif_tx_begin(struct netif *nif)
{
    struct vnet *v = V(nif);
    if (v->tx_nfree == 0)
        tx_reclaim(v);
    if (v->tx_nfree == 0) {
        /* Ring full: hand what we have to the device and look once more. */
        netif_flush(nif);
        tx_reclaim(v);
        if (v->tx_nfree == 0)
            return NULL;
    }
    unsigned d = v->tx_free[v->tx_nfree - 1];
    v->tx_pending_desc = (int)d;
    uint8_t *buf = v->txq.bufs + d * BUF_SIZE;
    memset(buf, 0, HDR_LEN);
    return buf + HDR_LEN;
}

void netif_tx_commit(struct netif *nif, size_t len)
{
    struct vnet *v = V(nif);
    struct vq *txq = &v->txq;
    if (v->tx_pending_desc < 0)
        return;
    unsigned d = (unsigned)v->tx_pending_desc;
    v->tx_pending_desc = -1;
    v->tx_nfree--;
    txq->desc[d].len = (uint32_t)(HDR_LEN + len);
    txq->desc[d].flags = 0;
    txq->avail->ring[txq->avail_idx & (txq->size - 1)] = (uint16_t)d;
    txq->avail_idx++;
    barrier();
    txq->avail->idx = txq->avail_idx;
}

static void vq_kick(struct vnet *v, struct vq *vq, unsigned q)
{
    if (vq->avail_idx == vq->notified_idx)
        return;
    mb();
    vq->notified_idx = vq->avail_idx;
    if (!(vq->used->flags & USED_F_NO_NOTIFY))
        notify(v, q);
}

void netif_flush(struct netif *nif)
{
    struct vnet *v = V(nif);
    vq_kick(v, &v->txq, 1);
    vq_kick(v, &v->rxq, 0);
}

int netif_poll(struct netif *nif, void (*fn)(struct netif *nif, uint8_t *frame, size_t len))
{
    struct vq *rxq = &V(nif)->rxq;
    int n = 0;
    for (;;) {
        uint16_t used_idx = rxq->used->idx;
        barrier();
        if (rxq->last_used == used_idx)
            break;
        while (rxq->last_used != used_idx) {
            volatile struct vring_used_elem *e = &rxq->used->ring[rxq->last_used & (rxq->size - 1)];
            uint32_t id = e->id, len = e->len;
            if (id < rxq->size) {
                if (len > HDR_LEN && len <= BUF_SIZE)
                    fn(nif, rxq->bufs + id * BUF_SIZE + HDR_LEN, len - HDR_LEN);
                rxq->avail->ring[rxq->avail_idx & (rxq->size - 1)] = (uint16_t)id;
                rxq->avail_idx++;
            }
            rxq->last_used++;
            n++;
        }
        barrier();
        rxq->avail->idx = rxq->avail_idx;
        if (n >= (int)rxq->size)
            break; /* let the caller flush replies before taking more */
    }
    return n;
}

void netif_irq_enable(struct netif *nif, int on)
{
    V(nif)->rxq.avail->flags = on ? 0 : AVAIL_F_NO_INTERRUPT;
    if (on)
        mb();
}

int netif_rx_pending(struct netif *nif)
{
    struct vq *rxq = &V(nif)->rxq;
    return rxq->last_used != rxq->used->idx;
}
