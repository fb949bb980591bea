/*
 * Host unit tests of the virtqueue logic (drivers/vring.h) against a simulated device that
 * follows virtio 1.1 §2.6 (used/avail rings, VIRTIO_RING_F_EVENT_IDX or the flags): RX
 * batches and buffer reuse across ring and 16-bit index wrap-around with interrupts
 * suppressed, a burst larger than the ring, TX batching with notify suppression, and the
 * interrupt/notify counts that the main loop relies on. Every test runs with and without
 * EVENT_IDX. Built with ASan/UBSan by `make -C unikernels test-vring`; prints
 * "N passed, M failed" and exits non-zero on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uk.h"
#include "../drivers/vring.h"

static int passed, failed;
#define CHECK(c, ...)                                                                  \
    do {                                                                               \
        if (c) {                                                                       \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                               \
            printf(__VA_ARGS__);                                                       \
            printf("\n");                                                              \
        }                                                                              \
    } while (0)

#define BUF 64

/* ------------------------------------------------------------ simulated device */

struct dev {
    struct vq *vq;          /* the driver's queue: the device reads only the shared rings */
    uint16_t last_avail;    /* next avail entry the device takes */
    uint16_t used_idx;      /* device's used index (published to used->idx) */
    uint16_t signalled;     /* used index at the last interrupt decision */
    int event_idx;
    unsigned interrupts;
};

static void dev_init(struct dev *d, struct vq *vq)
{
    memset(d, 0, sizeof *d);
    d->vq = vq;
    d->event_idx = vq->event_idx;
}

/* After adding used entries: raise an interrupt if the driver asked for one. */
static void dev_maybe_interrupt(struct dev *d)
{
    struct vq *vq = d->vq;
    int want;
    if (d->event_idx)
        want = vq_need_event(VQ_USED_EVENT(vq), d->used_idx, d->signalled);
    else
        want = d->used_idx != d->signalled && !(vq->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
    d->signalled = d->used_idx;
    if (want)
        d->interrupts++;
}

/* RX: write up to n frames (frame k carries seq+k) into available buffers, one batch;
 * returns how many fitted (the rest stays in the device's backlog, as QEMU leaves them
 * in the tap). */
static unsigned dev_rx(struct dev *d, uint32_t seq, unsigned n)
{
    struct vq *vq = d->vq;
    unsigned k = 0;
    while (k < n && d->last_avail != vq->avail->idx) {
        uint16_t id = vq->avail->ring[d->last_avail & (vq->size - 1)];
        d->last_avail++;
        uint8_t *b = (uint8_t *)(uintptr_t)vq->desc[id].addr;
        uint32_t s = seq + k;
        memcpy(b, &s, 4);
        vq->used->ring[d->used_idx & (vq->size - 1)].id = id;
        vq->used->ring[d->used_idx & (vq->size - 1)].len = 4 + (s % 40);
        d->used_idx++;
        k++;
    }
    barrier();
    vq->used->idx = d->used_idx;
    if (k)
        dev_maybe_interrupt(d);
    return k;
}

/* TX: the device was notified (or polls): send everything available, then ask for a
 * notify on the next add, as QEMU re-enables notification when its queue runs empty. */
static uint32_t tx_seen_next;
static int tx_order_ok = 1;
static void dev_tx(struct dev *d)
{
    struct vq *vq = d->vq;
    while (d->last_avail != vq->avail->idx) {
        uint16_t id = vq->avail->ring[d->last_avail & (vq->size - 1)];
        d->last_avail++;
        uint32_t s;
        memcpy(&s, (uint8_t *)(uintptr_t)vq->desc[id].addr, 4);
        if (s != tx_seen_next || vq->desc[id].len != 4 + (s % 40))
            tx_order_ok = 0;
        tx_seen_next = s + 1;
        vq->used->ring[d->used_idx & (vq->size - 1)].id = id;
        vq->used->ring[d->used_idx & (vq->size - 1)].len = 0;
        d->used_idx++;
    }
    barrier();
    vq->used->idx = d->used_idx;
    if (d->event_idx)
        VQ_AVAIL_EVENT(vq) = d->last_avail;
    else
        vq->used->flags = 0;
    dev_maybe_interrupt(d);
}

/* The device is busy with the queue: no notifies wanted until dev_tx re-arms. */
static void dev_tx_busy(struct dev *d)
{
    if (!d->event_idx)
        d->vq->used->flags = VRING_USED_F_NO_NOTIFY;
    /* EVENT_IDX: avail_event simply stays where it was (behind what is being added). */
}

/* ------------------------------------------------------------ driver side */

static struct vq *new_vq(unsigned n, int event_idx)
{
    struct vq *vq = calloc(1, sizeof *vq);
    uint8_t *mem = aligned_alloc(4096, vq_ring_bytes(n));
    uint8_t *bufs = calloc(n, BUF);
    memset(mem, 0, vq_ring_bytes(n));
    vq_init(vq, mem, n, bufs, BUF, event_idx);
    return vq;
}

static void free_vq(struct vq *vq)
{
    free(vq->bufs);
    free(vq->desc);
    free(vq);
}

struct rx_sink {
    uint32_t next;      /* expected sequence number */
    unsigned got, bad;
    uint8_t *last_buf;
};

static void rx_fn(void *ctx, uint8_t *buf, uint32_t len)
{
    struct rx_sink *s = ctx;
    uint32_t seq;
    memcpy(&seq, buf, 4);
    if (seq != s->next || len != 4 + (seq % 40))
        s->bad++;
    s->next = seq + 1;
    s->got++;
    s->last_buf = buf;
}

/* Ring and index wrap-around with interrupts suppressed: ~70000 frames through an 8-entry
 * ring in bursts of 1..13 (often more than the free buffers): every frame arrives once, in
 * order, in a reused buffer, and the device never interrupts while the driver polls. */
static void test_rx_wraparound(int event_idx)
{
    struct vq *vq = new_vq(8, event_idx);
    struct dev d;
    dev_init(&d, vq);
    vq_rx_post_all(vq);
    vq_intr_disable(vq);
    struct rx_sink s = {0};
    uint32_t sent = 0, backlog = 0;
    unsigned rounds = 0, max_batch = 0;
    const uint32_t total = 70000;
    srand(17);
    while (s.got < total && rounds < 10 * total) {
        rounds++;
        uint32_t burst = (uint32_t)(rand() % 13) + 1;
        if (sent + backlog + burst > total)
            burst = total - sent - backlog;
        backlog += burst;
        unsigned k = dev_rx(&d, sent, backlog);
        sent += k;
        backlog -= k;
        unsigned budget = (unsigned)(rand() % 12) + 1;
        unsigned h = vq_rx_harvest(vq, budget, rx_fn, &s);
        if (h > max_batch)
            max_batch = h;
    }
    while (vq_pending(vq) || backlog) { /* drain */
        unsigned k = dev_rx(&d, sent, backlog);
        sent += k;
        backlog -= k;
        vq_rx_harvest(vq, vq->size, rx_fn, &s);
    }
    CHECK(s.got == total, "event_idx=%d: %u of %u frames", event_idx, s.got, total);
    CHECK(s.bad == 0, "event_idx=%d: %u frames out of order or with a wrong length", event_idx, s.bad);
    CHECK(vq->last_used == (uint16_t)total, "event_idx=%d: last_used %u", event_idx, vq->last_used);
    CHECK((uint16_t)(vq->avail_idx - vq->last_used) == vq->size, "event_idx=%d: every buffer reposted", event_idx);
    CHECK(max_batch <= 8, "event_idx=%d: a batch of %u from an 8-entry ring", event_idx, max_batch);
    CHECK(d.interrupts == 0, "event_idx=%d: %u interrupts while polling", event_idx, d.interrupts);
    CHECK(s.last_buf >= vq->bufs && s.last_buf < vq->bufs + 8 * BUF, "event_idx=%d: buffers reused in place",
          event_idx);

    /* Re-enabled (about to halt): one interrupt for the next batch, not one per frame. With
     * EVENT_IDX the device stops by itself after the first; with the flags, only once the
     * woken main loop has disabled interrupts again (as it does first thing). */
    CHECK(vq_intr_enable(vq) == 0, "event_idx=%d: nothing pending after the drain", event_idx);
    dev_rx(&d, sent, 1);
    if (!event_idx)
        vq_intr_disable(vq);
    dev_rx(&d, sent + 1, 1);
    dev_rx(&d, sent + 2, 1);
    CHECK(d.interrupts == 1, "event_idx=%d: %u interrupts for 3 frames after enable", event_idx, d.interrupts);
    vq_intr_disable(vq);
    s.next = sent;
    CHECK(vq_rx_harvest(vq, vq->size, rx_fn, &s) == 3 && s.bad == 0, "event_idx=%d: the 3 frames", event_idx);
    free_vq(vq);
}

/* A burst of 1000 frames against a 256-entry ring: taken a ring at a time at most, the
 * device refills as buffers come back, no frame lost or reordered, no interrupt while
 * polling; enabling with work already there reports it (the lost-wake-up race). */
static void test_rx_burst_larger_than_ring(int event_idx)
{
    struct vq *vq = new_vq(256, event_idx);
    struct dev d;
    dev_init(&d, vq);
    vq_rx_post_all(vq);
    vq_intr_disable(vq);
    struct rx_sink s = {0};
    uint32_t sent = 0, backlog = 1000;
    unsigned polls = 0;
    while (s.got < 1000 && polls < 100) {
        unsigned k = dev_rx(&d, sent, backlog);
        sent += k;
        backlog -= k;
        unsigned h = vq_rx_harvest(vq, vq->size, rx_fn, &s);
        CHECK(h <= 256, "event_idx=%d: batch %u", event_idx, h);
        polls++;
    }
    CHECK(s.got == 1000 && s.bad == 0, "event_idx=%d: %u frames, %u bad", event_idx, s.got, s.bad);
    CHECK(polls == 4, "event_idx=%d: %u polls for 1000 frames in a 256 ring", event_idx, polls);
    CHECK(d.interrupts == 0, "event_idx=%d: %u interrupts while polling", event_idx, d.interrupts);
    dev_rx(&d, sent, 1); /* arrives between the last poll and the enable */
    CHECK(d.interrupts == 0, "event_idx=%d: suppressed", event_idx);
    CHECK(vq_intr_enable(vq) == 1, "event_idx=%d: enable sees the frame that came before it", event_idx);
    free_vq(vq);
}

/* TX: 1000 frames through a 256-entry ring. The device is busy between notifies, so the
 * driver notifies only when the device asked for it: once per ring-full, not per frame;
 * all frames leave in order; completions never interrupt. */
static void test_tx_batching(int event_idx)
{
    struct vq *vq = new_vq(256, event_idx);
    struct dev d;
    dev_init(&d, vq);
    vq_tx_init(vq);
    vq_intr_disable(vq);
    tx_seen_next = 0;
    tx_order_ok = 1;
    unsigned kicks = 0, refused = 0;
    uint32_t seq = 0;
    while (seq < 1000) {
        int id = vq_tx_peek(vq);
        if (id < 0) { /* ring full: flush (as netif_tx_begin does); the device, notified
                       * now or busy since an earlier notify, sends what is queued */
            refused++;
            if (vq_kick_needed(vq))
                kicks++;
            dev_tx(&d);
            continue;
        }
        uint8_t *b = vq_buf(vq, (unsigned)id);
        memcpy(b, &seq, 4);
        vq_tx_add(vq, (unsigned)id, 4 + (seq % 40));
        seq++;
        if (seq % 16 == 0 && vq_kick_needed(vq)) { /* a flush every 16 frames */
            kicks++;
            dev_tx_busy(&d); /* notified: the device works through the queue in its own time */
        }
    }
    if (vq_kick_needed(vq))
        kicks++;
    dev_tx(&d);
    CHECK(tx_order_ok && tx_seen_next == 1000, "event_idx=%d: %u frames sent in order", event_idx, tx_seen_next);
    CHECK(refused == 3, "event_idx=%d: ring full %u times", event_idx, refused);
    CHECK(kicks <= 8, "event_idx=%d: %u notifies for 1000 frames (flushes every 16)", event_idx, kicks);
    CHECK(d.interrupts == 0, "event_idx=%d: %u TX completion interrupts", event_idx, d.interrupts);
    vq_tx_reclaim(vq);
    CHECK(vq->nfree == 256, "event_idx=%d: all descriptors back (%u)", event_idx, vq->nfree);
    /* Idle device (re-armed): the next frame needs exactly one notify. */
    int id = vq_tx_peek(vq);
    memcpy(vq_buf(vq, (unsigned)id), &seq, 4);
    vq_tx_add(vq, (unsigned)id, 4 + (seq % 40));
    CHECK(vq_kick_needed(vq) == 1, "event_idx=%d: notify when the device is idle", event_idx);
    CHECK(vq_kick_needed(vq) == 0, "event_idx=%d: no second notify for the same frames", event_idx);
    free_vq(vq);
}

static void test_need_event(void)
{
    CHECK(vq_need_event(0, 1, 0) == 1, "crossing 0");
    CHECK(vq_need_event(5, 5, 0) == 0, "event 5 not passed by 0..5");
    CHECK(vq_need_event(5, 6, 5) == 1, "5 -> 6 passes 5");
    CHECK(vq_need_event(0xFFFF, 2, 0xFFF0) == 1, "across the 16-bit wrap");
    CHECK(vq_need_event(3, 2, 0xFFF0) == 0, "event beyond the new index across the wrap");
    CHECK(vq_need_event((uint16_t)(10 + 0x8000), 300, 10) == 0, "half the space ahead is never crossed");
}

int main(void)
{
    test_need_event();
    for (int e = 0; e <= 1; e++) {
        test_rx_wraparound(e);
        test_rx_burst_larger_than_ring(e);
        test_tx_batching(e);
    }
    printf("test_vring: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
