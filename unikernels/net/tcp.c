/*
 * tcp.c - passive-open TCP for small servers.
 *
 * Fixed connection table (TCP_MAX_CONN, half-open included); when it is full the oldest
 * TIME_WAIT, else the oldest half-open, else the longest-idle connection is evicted, so a
 * SYN flood cannot lock legitimate clients out. In-order delivery only: out-of-order
 * segments are dropped and answered with a duplicate ACK. Send side: one ring buffer per
 * connection, MSS-sized segments within the peer's window, go-back-N retransmission on
 * RTO (RFC 6298 estimator, Karn's rule, exponential backoff), zero-window probes.
 * FIN/RST handled in every state, short TIME_WAIT, idle and half-open timeouts.
 * No window scaling, SACK or timestamps (options we do not send are never enabled).
 */
#include "uk.h"

enum { CLOSED, SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK };

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define MSS_LOCAL 1460
#define RCV_WND 16384
#define MS 1000000ULL
#define RTO_INIT_US 250000
#define RTO_MIN_US 200000
#define RTO_MAX_US 4000000
#define MAX_RETRIES 7
#define SYN_RETRIES 3
#define TIME_WAIT_NS (500 * MS)
#ifndef TCP_IDLE_MS
#define TCP_IDLE_MS 30000
#endif
#define IDLE_NS (TCP_IDLE_MS * MS)
#define CLOSING_NS (10000 * MS)
#define HALF_OPEN_NS (5000 * MS)
#define TX_RETRY_NS (1 * MS)

#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

struct tcp_conn {
    uint8_t state;
    uint8_t opened;     /* ops->open was called; ops->closed is still owed */
    uint8_t fin_queued; /* FIN follows the buffered data */
    uint8_t fin_acked;
    uint8_t ack_now;    /* an ACK must go out at the next flush */
    uint8_t dirty;      /* on the flush list */
    uint8_t retries;
    uint8_t rtt_timing;
    uint16_t lport, rport, mss;
    uint32_t rip;
    uint32_t iss, irs;
    uint32_t snd_una, snd_nxt, snd_max, snd_wnd;
    uint32_t rcv_nxt;
    uint32_t buf_seq;   /* sequence number of buf[head] */
    uint32_t head, len; /* ring contents */
    uint32_t rtt_seq, srtt_us, rttvar_us, rto_us;
    uint64_t rtt_start, rto_at, expire_at, born, last_seen;
    const struct tcp_ops *ops;
    uint8_t buf[TCP_SNDBUF];
};

static struct tcp_conn conns[TCP_MAX_CONN];
static uint16_t dirty_list[TCP_MAX_CONN];
static unsigned n_dirty;
static uint64_t next_deadline; /* earliest timer over all connections, 0 = none */
static uint64_t now;           /* time of the event being processed */

#define MAX_LISTEN 4
static struct {
    uint16_t port;
    const struct tcp_ops *ops;
} listeners[MAX_LISTEN];

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

unsigned tcp_conn_id(const struct tcp_conn *c)
{
    return (unsigned)(c - conns);
}

static void timer_note(uint64_t t)
{
    if (t && (!next_deadline || t < next_deadline))
        next_deadline = t;
}

static void set_rto(struct tcp_conn *c)
{
    c->rto_at = now + (uint64_t)c->rto_us * 1000;
    timer_note(c->rto_at);
}

static void set_expire(struct tcp_conn *c, uint64_t after)
{
    c->expire_at = now + after;
    timer_note(c->expire_at);
}

static void mark_dirty(struct tcp_conn *c)
{
    if (!c->dirty) {
        c->dirty = 1;
        dirty_list[n_dirty++] = (uint16_t)tcp_conn_id(c);
    }
}

/* Build and queue one segment; data comes from the send ring at offset off. */
static int send_segment(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t off, uint32_t n)
{
    uint8_t *t = ip_tx_begin(c->rip, IPPROTO_TCP);
    if (!t)
        return -1;
    size_t hl = (flags & TH_SYN) ? 24 : 20;
    put16(t, c->lport);
    put16(t + 2, c->rport);
    put32(t + 4, seq);
    put32(t + 8, c->rcv_nxt);
    t[12] = (uint8_t)(hl / 4) << 4;
    t[13] = flags | TH_ACK;
    put16(t + 14, RCV_WND);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (flags & TH_SYN) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, MSS_LOCAL);
    }
    if (n) {
        uint32_t pos = (c->head + off) % TCP_SNDBUF;
        uint32_t first = TCP_SNDBUF - pos < n ? TCP_SNDBUF - pos : n;
        memcpy(t + hl, c->buf + pos, first);
        if (first < n)
            memcpy(t + hl + first, c->buf, n - first);
    }
    uint16_t tl = (uint16_t)(hl + n);
    put16(t + 16, csum_fold(csum_add(csum_pseudo(net_cfg.ip, c->rip, IPPROTO_TCP, tl), t, tl)));
    ip_tx_commit(tl);
    return 0;
}

static void send_rst_reply(uint32_t src, const uint8_t *th, size_t seglen)
{
    uint8_t flags = th[13];
    uint8_t *t = ip_tx_begin(src, IPPROTO_TCP);
    if (!t)
        return;
    put16(t, get16(th + 2));
    put16(t + 2, get16(th));
    if (flags & TH_ACK) {
        put32(t + 4, get32(th + 8));
        put32(t + 8, 0);
        t[13] = TH_RST;
    } else {
        put32(t + 4, 0);
        put32(t + 8, get32(th + 4) + (uint32_t)seglen);
        t[13] = TH_RST | TH_ACK;
    }
    t[12] = 5 << 4;
    put16(t + 14, 0);
    put16(t + 16, 0);
    put16(t + 18, 0);
    put16(t + 16, csum_fold(csum_add(csum_pseudo(net_cfg.ip, src, IPPROTO_TCP, 20), t, 20)));
    ip_tx_commit(20);
}

/* Forget the connection; the application hears about it once. */
static void release(struct tcp_conn *c)
{
    int owed = c->opened;
    c->opened = 0;
    c->state = CLOSED;
    c->rto_at = c->expire_at = 0;
    if (owed && c->ops->closed)
        c->ops->closed(c);
}

/* Enter TIME_WAIT: the application is done with it, the tuple stays reserved briefly. */
static void enter_time_wait(struct tcp_conn *c)
{
    c->state = TIME_WAIT;
    c->rto_at = 0;
    c->len = 0;
    set_expire(c, TIME_WAIT_NS);
    if (c->opened) {
        c->opened = 0;
        if (c->ops->closed)
            c->ops->closed(c);
    }
}

void tcp_abort(struct tcp_conn *c)
{
    if (c->state == CLOSED)
        return;
    if (c->state != TIME_WAIT)
        (void)send_segment(c, c->snd_nxt, TH_RST, 0, 0);
    release(c);
}

/* Send what the window allows (force: probe a zero window with one byte). */
static void output(struct tcp_conn *c, int force)
{
    int sent = 0, failed = 0;
    if (c->state == SYN_RCVD) {
        if (c->ack_now && send_segment(c, c->iss, TH_SYN, 0, 0) == 0)
            c->ack_now = 0;
        return;
    }
    if (c->state == CLOSED || c->state == TIME_WAIT) {
        if (c->ack_now && c->state == TIME_WAIT && send_segment(c, c->snd_nxt, 0, 0, 0) == 0)
            c->ack_now = 0;
        return;
    }
    for (;;) {
        uint32_t off = c->snd_nxt - c->buf_seq;
        if (off > c->len)
            break; /* FIN already sent */
        uint32_t avail = c->len - off;
        uint32_t wnd_end = c->snd_una + c->snd_wnd;
        uint32_t wnd_left = SEQ_GT(wnd_end, c->snd_nxt) ? wnd_end - c->snd_nxt : 0;
        uint32_t n = avail < c->mss ? avail : c->mss;
        if (n > wnd_left)
            n = wnd_left;
        if (n == 0 && avail && force && c->snd_una == c->snd_nxt) {
            n = 1;
            force = 0;
        }
        int fin = c->fin_queued && off + n == c->len &&
                  (c->state == FIN_WAIT_1 || c->state == LAST_ACK || c->state == CLOSING);
        if (n == 0 && !fin)
            break;
        if (send_segment(c, c->snd_nxt, (uint8_t)((n ? TH_PSH : 0) | (fin ? TH_FIN : 0)), off, n)) {
            failed = 1;
            break;
        }
        if (!c->rtt_timing && c->retries == 0) {
            c->rtt_timing = 1;
            c->rtt_seq = c->snd_nxt + n;
            c->rtt_start = now;
        }
        c->snd_nxt += n + (uint32_t)fin;
        if (SEQ_GT(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
        sent = 1;
        if (fin)
            break;
    }
    if (sent) {
        c->ack_now = 0;
        if (!c->rto_at)
            set_rto(c);
    } else if (c->ack_now && !failed) {
        if (send_segment(c, c->snd_nxt, 0, 0, 0) == 0)
            c->ack_now = 0;
        else
            failed = 1;
    }
    /* Data waiting on a zero window: the RTO doubles as the persist timer. */
    if (!c->rto_at && c->snd_nxt - c->buf_seq < c->len)
        set_rto(c);
    if (failed)
        mark_dirty(c);
}

void tcp_flush_all(void)
{
    unsigned n = n_dirty;
    uint16_t list[TCP_MAX_CONN];
    memcpy(list, dirty_list, n * sizeof(list[0]));
    n_dirty = 0;
    for (unsigned i = 0; i < n; i++) {
        struct tcp_conn *c = &conns[list[i]];
        c->dirty = 0;
        output(c, 0);
    }
}

size_t tcp_space(const struct tcp_conn *c)
{
    if (c->state != ESTABLISHED && c->state != CLOSE_WAIT)
        return 0;
    return c->fin_queued ? 0 : TCP_SNDBUF - c->len;
}

size_t tcp_write(struct tcp_conn *c, const void *data, size_t len)
{
    size_t space = tcp_space(c);
    if (len > space)
        len = space;
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        uint32_t tail = (c->head + c->len) % TCP_SNDBUF;
        size_t chunk = TCP_SNDBUF - tail;
        if (chunk > len - done)
            chunk = len - done;
        memcpy(c->buf + tail, p + done, chunk);
        c->len += (uint32_t)chunk;
        done += chunk;
    }
    if (len)
        mark_dirty(c);
    return len;
}

void tcp_close(struct tcp_conn *c)
{
    if (c->fin_queued)
        return;
    if (c->state == ESTABLISHED) {
        c->state = FIN_WAIT_1;
    } else if (c->state == CLOSE_WAIT) {
        c->state = LAST_ACK;
    } else if (c->state == SYN_RCVD) {
        tcp_abort(c);
        return;
    } else {
        return;
    }
    c->fin_queued = 1;
    set_expire(c, CLOSING_NS);
    mark_dirty(c);
}

int tcp_listen(uint16_t port, const struct tcp_ops *ops)
{
    for (int i = 0; i < MAX_LISTEN; i++)
        if (!listeners[i].ops) {
            listeners[i].port = port;
            listeners[i].ops = ops;
            return 0;
        }
    return -1;
}

static struct tcp_conn *conn_alloc(void)
{
    struct tcp_conn *tw = NULL, *half = NULL, *idle = NULL;
    for (unsigned i = 0; i < TCP_MAX_CONN; i++) {
        struct tcp_conn *c = &conns[i];
        if (c->state == CLOSED)
            return c;
        if (c->state == TIME_WAIT) {
            if (!tw || c->expire_at < tw->expire_at)
                tw = c;
        } else if (c->state == SYN_RCVD) {
            if (!half || c->born < half->born)
                half = c;
        } else if (!idle || c->last_seen < idle->last_seen) {
            idle = c;
        }
    }
    struct tcp_conn *v = tw ? tw : half ? half : idle;
    if (v->state == TIME_WAIT || v->state == SYN_RCVD)
        release(v);
    else
        tcp_abort(v);
    return v;
}

static uint16_t parse_mss(const uint8_t *opt, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t kind = opt[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || opt[i + 1] < 2 || i + opt[i + 1] > n)
            break;
        if (kind == 2 && opt[i + 1] == 4) {
            uint16_t m = get16(opt + i + 2);
            return m;
        }
        i += opt[i + 1];
    }
    return 536;
}

static void passive_open(uint32_t src, const uint8_t *th, size_t hl, const struct tcp_ops *ops)
{
    struct tcp_conn *c = conn_alloc();
    uint16_t dirty = c->dirty;
    memset(c, 0, offsetof(struct tcp_conn, buf));
    c->dirty = (uint8_t)dirty;
    c->state = SYN_RCVD;
    c->rip = src;
    c->rport = get16(th);
    c->lport = get16(th + 2);
    c->irs = get32(th + 4);
    c->rcv_nxt = c->irs + 1;
    uint64_t r = rdtsc();
    c->iss = (uint32_t)(r >> 6) ^ (uint32_t)(r << 13) ^ src ^ ((uint32_t)c->rport << 16);
    c->snd_una = c->iss;
    c->snd_nxt = c->snd_max = c->iss + 1;
    c->buf_seq = c->iss + 1;
    c->snd_wnd = get16(th + 14);
    uint16_t mss = parse_mss(th + 20, hl - 20);
    c->mss = mss < 64 ? 64 : mss > MSS_LOCAL ? MSS_LOCAL : mss;
    c->rto_us = RTO_INIT_US;
    c->ops = ops;
    c->born = c->last_seen = now;
    c->ack_now = 1; /* the SYN-ACK */
    set_rto(c);
    set_expire(c, HALF_OPEN_NS);
    mark_dirty(c);
}

static void rtt_sample(struct tcp_conn *c)
{
    uint64_t us = (now - c->rtt_start) / 1000;
    uint32_t m = us > 60000000 ? 60000000 : (uint32_t)us;
    if (!c->srtt_us) {
        c->srtt_us = m ? m : 1;
        c->rttvar_us = m / 2;
    } else {
        uint32_t d = m > c->srtt_us ? m - c->srtt_us : c->srtt_us - m;
        c->rttvar_us = (3 * c->rttvar_us + d) / 4;
        c->srtt_us = (7 * c->srtt_us + m) / 8;
    }
    uint32_t rto = c->srtt_us + 4 * c->rttvar_us;
    c->rto_us = rto < RTO_MIN_US ? RTO_MIN_US : rto > RTO_MAX_US ? RTO_MAX_US : rto;
}

/* Process the ACK field; returns 0 to go on, -1 when the segment must be dropped. */
static int process_ack(struct tcp_conn *c, uint32_t ack, uint16_t wnd)
{
    if (SEQ_GT(ack, c->snd_max)) {
        c->ack_now = 1; /* acks something we never sent */
        mark_dirty(c);
        return -1;
    }
    if (SEQ_GT(ack, c->snd_una)) {
        uint32_t data_end = c->buf_seq + c->len;
        uint32_t upto = SEQ_LT(ack, data_end) ? ack : data_end;
        if (SEQ_GT(upto, c->buf_seq)) {
            uint32_t n = upto - c->buf_seq;
            c->head = (c->head + n) % TCP_SNDBUF;
            c->len -= n;
            c->buf_seq = upto;
        }
        if (c->fin_queued && SEQ_GT(ack, data_end))
            c->fin_acked = 1;
        if (c->rtt_timing && SEQ_GEQ(ack, c->rtt_seq)) {
            c->rtt_timing = 0;
            rtt_sample(c);
        }
        c->snd_una = ack;
        if (SEQ_LT(c->snd_nxt, ack))
            c->snd_nxt = ack;
        c->retries = 0;
        c->rto_at = 0;
        if (c->snd_una != c->snd_max)
            set_rto(c);
        mark_dirty(c);
    }
    if (SEQ_GEQ(ack, c->snd_una)) {
        if (c->snd_wnd == 0 && wnd)
            mark_dirty(c);
        c->snd_wnd = wnd;
    }
    return 0;
}

void tcp_input(uint32_t src, uint32_t dst, uint8_t *th, size_t len)
{
    if (len < 20)
        return;
    size_t hl = (size_t)(th[12] >> 4) * 4;
    if (hl < 20 || hl > len)
        return;
    if (csum_fold(csum_add(csum_pseudo(src, dst, IPPROTO_TCP, (uint16_t)len), th, len)) != 0)
        return;
    now = now_ns();
    uint8_t flags = th[13];
    uint16_t sport = get16(th), dport = get16(th + 2);
    uint32_t seq = get32(th + 4), ack = get32(th + 8);
    uint16_t wnd = get16(th + 14);
    const uint8_t *data = th + hl;
    size_t dlen = len - hl;
    size_t seglen = dlen + !!(flags & TH_SYN) + !!(flags & TH_FIN);

    struct tcp_conn *c = NULL;
    for (unsigned i = 0; i < TCP_MAX_CONN; i++) {
        struct tcp_conn *k = &conns[i];
        if (k->state != CLOSED && k->rport == sport && k->lport == dport && k->rip == src) {
            c = k;
            break;
        }
    }
    if (c && c->state == TIME_WAIT && (flags & TH_SYN) && !(flags & TH_ACK) && SEQ_GT(seq, c->rcv_nxt)) {
        release(c); /* new incarnation of the same tuple */
        c = NULL;
    }
    if (!c) {
        if (flags & TH_RST)
            return;
        if ((flags & (TH_SYN | TH_ACK | TH_FIN)) == TH_SYN) {
            for (int i = 0; i < MAX_LISTEN; i++)
                if (listeners[i].ops && listeners[i].port == dport) {
                    passive_open(src, th, hl, listeners[i].ops);
                    return;
                }
        }
        send_rst_reply(src, th, seglen);
        return;
    }
    c->last_seen = now;

    /* RST: accepted when it falls in the receive window. */
    if (flags & TH_RST) {
        if (SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LT(seq, c->rcv_nxt + RCV_WND))
            release(c);
        return;
    }
    if (flags & TH_SYN) {
        if (c->state == SYN_RCVD && seq == c->irs) {
            c->ack_now = 1; /* our SYN-ACK was lost */
            mark_dirty(c);
        } else {
            c->ack_now = 1; /* challenge ACK (RFC 5961) */
            mark_dirty(c);
        }
        return;
    }
    if (!(flags & TH_ACK))
        return;

    if (c->state == SYN_RCVD) {
        if (ack != c->iss + 1) {
            send_rst_reply(src, th, seglen);
            return;
        }
        c->state = ESTABLISHED;
        c->snd_una = ack;
        c->snd_wnd = wnd;
        c->rto_at = 0;
        c->retries = 0;
        c->opened = 1;
        set_expire(c, IDLE_NS);
        if (c->ops->open)
            c->ops->open(c);
        if (c->state == CLOSED)
            return;
    }

    if (process_ack(c, ack, wnd))
        return;

    switch (c->state) {
    case FIN_WAIT_1:
        if (c->fin_acked)
            c->state = FIN_WAIT_2;
        break;
    case CLOSING:
        if (c->fin_acked) {
            enter_time_wait(c);
            return;
        }
        break;
    case LAST_ACK:
        if (c->fin_acked) {
            release(c);
            return;
        }
        break;
    case ESTABLISHED:
    case CLOSE_WAIT:
        set_expire(c, IDLE_NS);
        break;
    }

    /* Data: in order only; trim what we already have. */
    if (SEQ_LT(seq, c->rcv_nxt)) {
        uint32_t dup = c->rcv_nxt - seq;
        if (dup >= seglen) {
            if (seglen) {
                c->ack_now = 1; /* retransmission of something we have: re-ACK */
                mark_dirty(c);
            }
            return;
        }
        if (dup > dlen) { /* only the FIN is new */
            data += dlen;
            dlen = 0;
        } else {
            data += dup;
            dlen -= dup;
        }
        seq = c->rcv_nxt;
    }
    if (seq != c->rcv_nxt) {
        if (seglen) {
            c->ack_now = 1; /* out of order: duplicate ACK, drop */
            mark_dirty(c);
        }
        return;
    }
    int accepts = c->state == ESTABLISHED || c->state == FIN_WAIT_1 || c->state == FIN_WAIT_2;
    size_t used = 0;
    if (dlen) {
        if (accepts && c->opened) {
            size_t take = dlen > RCV_WND ? RCV_WND : dlen;
            used = c->ops->recv(c, data, take);
            if (used > take)
                used = take;
            if (c->state == CLOSED)
                return;
        }
        c->rcv_nxt += (uint32_t)used;
        c->ack_now = 1; /* piggybacked on the reply when there is one */
        mark_dirty(c);
    }
    if ((flags & TH_FIN) && used == dlen) {
        c->rcv_nxt++;
        c->ack_now = 1;
        mark_dirty(c);
        switch (c->state) {
        case ESTABLISHED:
            c->state = CLOSE_WAIT;
            if (c->opened)
                c->ops->recv(c, NULL, 0);
            break;
        case FIN_WAIT_1:
            if (c->fin_acked)
                enter_time_wait(c);
            else
                c->state = CLOSING;
            break;
        case FIN_WAIT_2:
            enter_time_wait(c);
            break;
        default:
            break;
        }
    }
}

void tcp_timers(uint64_t t)
{
    if (!next_deadline || t < next_deadline)
        return;
    now = t;
    next_deadline = 0;
    for (unsigned i = 0; i < TCP_MAX_CONN; i++) {
        struct tcp_conn *c = &conns[i];
        if (c->state == CLOSED)
            continue;
        if (c->expire_at && now >= c->expire_at) {
            if (c->state == TIME_WAIT)
                release(c);
            else
                tcp_abort(c); /* idle, half-open or stuck closing */
            continue;
        }
        if (c->rto_at && now >= c->rto_at) {
            c->rto_at = 0;
            if (c->retries >= (c->state == SYN_RCVD ? SYN_RETRIES : MAX_RETRIES)) {
                if (c->state == SYN_RCVD)
                    release(c);
                else
                    tcp_abort(c);
                continue;
            }
            c->retries++;
            c->rto_us = c->rto_us * 2 > RTO_MAX_US ? RTO_MAX_US : c->rto_us * 2;
            c->rtt_timing = 0;
            if (c->state == SYN_RCVD) {
                c->ack_now = 1;
            } else {
                c->snd_nxt = c->snd_una; /* go back N */
            }
            set_rto(c);
            output(c, 1);
        }
        timer_note(c->rto_at);
        timer_note(c->expire_at);
    }
}

uint64_t tcp_next_deadline(void)
{
    if (n_dirty) {
        uint64_t soon = now_ns() + TX_RETRY_NS;
        return next_deadline && next_deadline < soon ? next_deadline : soon;
    }
    return next_deadline;
}
