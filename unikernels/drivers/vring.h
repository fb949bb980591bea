/*
 * vring.h - the split virtqueue (virtio 1.1 §2.6) as a driver sees it, with no device
 * register access: layout, buffer posting, batched used-ring harvest and notification
 * suppression in both directions (VIRTIO_RING_F_EVENT_IDX when negotiated, else the
 * avail/used flags). Device registers (the notify itself, interrupt acknowledge) stay in
 * virtio_net.c; this header is also compiled on the host by tests/test_vring.c against
 * a simulated device.
 *
 * Indices are free-running 16-bit counters; the slot is idx & (size - 1) (size is a
 * power of two <= VQ_SIZE_MAX). Every descriptor owns one fixed buffer for the lifetime
 * of the queue: nothing is allocated or copied per packet.
 */
#ifndef UK_VRING_H
#define UK_VRING_H

#include <stddef.h>
#include <stdint.h>

#define VQ_SIZE_MAX 256

#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1
#define VIRTIO_RING_F_EVENT_IDX (1u << 29)

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
struct vring_avail {
    uint16_t flags, idx, ring[]; /* ring[size] is used_event with EVENT_IDX */
};
struct vring_used_elem {
    uint32_t id, len;
};
struct vring_used {
    uint16_t flags, idx;
    struct vring_used_elem ring[]; /* followed by avail_event (u16) with EVENT_IDX */
};

struct vq {
    unsigned size;
    int event_idx;          /* VIRTIO_RING_F_EVENT_IDX negotiated */
    int intr_off;           /* the driver asked for no interrupts */
    struct vring_desc *desc;
    volatile struct vring_avail *avail;
    volatile struct vring_used *used;
    uint16_t last_used;     /* next used entry to look at */
    uint16_t avail_idx;     /* our shadow of avail->idx */
    uint16_t notified_idx;  /* avail_idx at the last notify decision */
    uint8_t *bufs;
    uint32_t buf_size;
    uint16_t free_ids[VQ_SIZE_MAX]; /* TX: descriptors the device gave back */
    unsigned nfree;
};

#define VQ_USED_EVENT(vq) ((vq)->avail->ring[(vq)->size])
#define VQ_AVAIL_EVENT(vq) (*(volatile uint16_t *)((volatile uint8_t *)(vq)->used + 4 + 8 * (size_t)(vq)->size))

/* Bytes of the legacy layout (align 4096) and the offset of the used ring. */
static inline size_t vq_used_offset(unsigned n) { return (16 * (size_t)n + 6 + 2 * (size_t)n + 4095) & ~(size_t)4095; }
static inline size_t vq_ring_bytes(unsigned n) { return vq_used_offset(n) + ((6 + 8 * (size_t)n + 4095) & ~(size_t)4095); }

/* virtio 1.1 §2.6.7.2: notify when the index moved past event since old. */
static inline int vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* mem: vq_ring_bytes(n) zeroed bytes; bufs: n * buf_size bytes. */
static inline void vq_init(struct vq *vq, uint8_t *mem, unsigned n, uint8_t *bufs, uint32_t buf_size, int event_idx)
{
    vq->size = n;
    vq->event_idx = event_idx;
    vq->intr_off = 0;
    vq->desc = (struct vring_desc *)mem;
    vq->avail = (volatile struct vring_avail *)(mem + 16 * (size_t)n);
    vq->used = (volatile struct vring_used *)(mem + vq_used_offset(n));
    vq->last_used = vq->avail_idx = vq->notified_idx = 0;
    vq->bufs = bufs;
    vq->buf_size = buf_size;
    vq->nfree = 0;
    for (unsigned i = 0; i < n; i++) {
        vq->desc[i].addr = (uintptr_t)(bufs + (size_t)i * buf_size);
        vq->desc[i].len = buf_size;
        vq->desc[i].flags = 0;
        vq->desc[i].next = 0;
    }
}

static inline uint8_t *vq_buf(const struct vq *vq, unsigned id) { return vq->bufs + (size_t)id * vq->buf_size; }

static inline void vq_publish(struct vq *vq)
{
    barrier();
    vq->avail->idx = vq->avail_idx;
}

/* After publishing: does the device want a notify for what was added since the last
 * decision? (It says so through avail_event, or the NO_NOTIFY flag while it is busy.) */
static inline int vq_kick_needed(struct vq *vq)
{
    if (vq->avail_idx == vq->notified_idx)
        return 0;
    mb(); /* the published avail idx before reading the device's wish */
    uint16_t old = vq->notified_idx;
    vq->notified_idx = vq->avail_idx;
    if (vq->event_idx)
        return vq_need_event(VQ_AVAIL_EVENT(vq), vq->avail_idx, old);
    return !(vq->used->flags & VRING_USED_F_NO_NOTIFY);
}

/* Ask for no interrupts (best effort: the device may already be raising one). With
 * EVENT_IDX the event is put half the index space ahead, where no batch can cross it. */
static inline void vq_intr_disable(struct vq *vq)
{
    vq->intr_off = 1;
    if (vq->event_idx)
        VQ_USED_EVENT(vq) = (uint16_t)(vq->last_used + 0x8000);
    else
        vq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
}

static inline int vq_pending(const struct vq *vq) { return vq->last_used != vq->used->idx; }

/* Interrupt on the next used entry; returns nonzero if one is already there (the caller
 * must poll again: the device may have added it before it saw our wish). */
static inline int vq_intr_enable(struct vq *vq)
{
    vq->intr_off = 0;
    if (vq->event_idx)
        VQ_USED_EVENT(vq) = vq->last_used;
    else
        vq->avail->flags = 0;
    mb();
    return vq_pending(vq);
}

/* RX: every buffer device-writable and available. */
static inline void vq_rx_post_all(struct vq *vq)
{
    for (unsigned i = 0; i < vq->size; i++) {
        vq->desc[i].flags = VRING_DESC_F_WRITE;
        vq->avail->ring[i] = (uint16_t)i;
    }
    vq->avail_idx = (uint16_t)vq->size;
    vq_publish(vq);
}

/* RX: hand at most budget used buffers to fn (buffer, length written by the device), each
 * reposted right after; the avail index is published once per batch. Returns how many. */
static inline unsigned vq_rx_harvest(struct vq *vq, unsigned budget, void (*fn)(void *ctx, uint8_t *buf, uint32_t len),
                                     void *ctx)
{
    unsigned n = 0;
    uint16_t used_idx = vq->used->idx;
    barrier();
    while (vq->last_used != used_idx && n < budget) {
        volatile struct vring_used_elem *e = &vq->used->ring[vq->last_used & (vq->size - 1)];
        uint32_t id = e->id, len = e->len;
        if (id < vq->size) {
            if (len <= vq->buf_size)
                fn(ctx, vq_buf(vq, id), len);
            vq->avail->ring[vq->avail_idx & (vq->size - 1)] = (uint16_t)id;
            vq->avail_idx++;
        }
        vq->last_used++;
        n++;
    }
    if (n) {
        if (vq->intr_off && vq->event_idx) /* keep the event out of reach while polling */
            VQ_USED_EVENT(vq) = (uint16_t)(vq->last_used + 0x8000);
        vq_publish(vq);
    }
    return n;
}

/* TX: descriptors start free (the device owns none). */
static inline void vq_tx_init(struct vq *vq)
{
    for (unsigned i = 0; i < vq->size; i++)
        vq->free_ids[i] = (uint16_t)(vq->size - 1 - i);
    vq->nfree = vq->size;
}

/* TX: take back what the device has sent. */
static inline void vq_tx_reclaim(struct vq *vq)
{
    uint16_t used_idx = vq->used->idx;
    barrier();
    while (vq->last_used != used_idx) {
        uint32_t id = vq->used->ring[vq->last_used & (vq->size - 1)].id;
        if (id < vq->size && vq->nfree < vq->size)
            vq->free_ids[vq->nfree++] = (uint16_t)id;
        vq->last_used++;
    }
    if (vq->event_idx) /* TX completions never interrupt */
        VQ_USED_EVENT(vq) = (uint16_t)(vq->last_used + 0x8000);
}

/* TX: a free descriptor (reclaiming only when none is left), or -1. */
static inline int vq_tx_peek(struct vq *vq)
{
    if (vq->nfree == 0)
        vq_tx_reclaim(vq);
    return vq->nfree ? vq->free_ids[vq->nfree - 1] : -1;
}

/* TX: the descriptor vq_tx_peek returned goes out with len bytes (published now, so a
 * device already working on the queue picks it up without a notify). */
static inline void vq_tx_add(struct vq *vq, unsigned id, uint32_t len)
{
    vq->nfree--;
    vq->desc[id].len = len;
    vq->desc[id].flags = 0;
    vq->avail->ring[vq->avail_idx & (vq->size - 1)] = (uint16_t)id;
    vq->avail_idx++;
    vq_publish(vq);
}

#endif
