/*
 * tcp.c - passive-open TCP for small servers.
 *
 * Fixed connection table (TCP_MAX_CONN). Half-open connections have their own budget
 * (TCP_MAX_HALF): beyond it, and whenever the table has no free or TIME_WAIT entry, a SYN
 * is answered with a SYN cookie (no state) and the connection is created when the client's
 * ACK proves the cookie. A SYN never evicts an established connection; a cookie-proven ACK
 * may replace the oldest TIME_WAIT, the oldest half-open, or an established connection idle
 * for IDLE_EVICT_NS. Initial sequence numbers follow RFC 6528 (a 4 us clock plus SipHash-2-4
 * of the 4-tuple under a boot-time key). Input follows RFC 793's order with RFC 5961:
 * sequence acceptability first (unacceptable segments, keepalive probes included, are
 * answered with an ACK), then RST (reset only on an exact RCV.NXT match, challenge ACK when
 * merely in the window; ignored in TIME_WAIT per RFC 1337), SYN (challenge ACK), then the
 * ACK field (challenge ACK for one outside SND.UNA-MAX.SND.WND .. SND.NXT); challenge ACKs
 * are rate limited (CHALLENGE_PER_S). In-order delivery only: out-of-order segments are
 * dropped and answered with a duplicate ACK. Send side: one ring buffer per connection,
 * MSS-sized segments within the peer's window, go-back-N retransmission on RTO (RFC 6298
 * estimator, Karn's rule, exponential backoff), zero-window probes. FIN/RST handled in
 * every state, short TIME_WAIT, idle and half-open timeouts. No window scaling, SACK or
 * timestamps (options we do not send are never enabled).
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
#ifndef TCP_MAX_HALF
#define TCP_MAX_HALF (TCP_MAX_CONN / 4 > 4 ? TCP_MAX_CONN / 4 : 4)
#endif
#define IDLE_EVICT_NS (1000 * MS)   /* an established connection idle this long may be replaced */
#define CHALLENGE_PER_S 1000        /* challenge/unacceptable-segment ACKs per second */

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
    uint16_t adv_wnd;   /* receive window in our last segment */
    uint16_t lport, rport, mss;
    uint32_t rip;
    uint32_t iss, irs;
    uint32_t snd_una, snd_nxt, snd_max, snd_wnd, max_wnd;
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
static uint64_t challenge_sec; /* the second the challenge-ACK budget counts */
static unsigned challenge_n;

/* ---- keyed hashing: RFC 6528 ISNs and SYN cookies ---- */

static uint64_t sip_k0, sip_k1;
static int sip_keyed;

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                  \
    do {                                                                          \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                 \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                    \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                    \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                 \
    } while (0)

/* SipHash-2-4 of two 64-bit words (16 bytes). */
static uint64_t siphash2(uint64_t m0, uint64_t m1)
{
    uint64_t v0 = sip_k0 ^ 0x736f6d6570736575ULL, v1 = sip_k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = sip_k0 ^ 0x6c7967656e657261ULL, v3 = sip_k1 ^ 0x7465646279746573ULL;
    uint64_t m[3] = {m0, m1, (uint64_t)16 << 56};
    for (int i = 0; i < 3; i++) {
        v3 ^= m[i];
        SIPROUND;
        SIPROUND;
        v0 ^= m[i];
    }
    v2 ^= 0xff;
    SIPROUND; SIPROUND; SIPROUND; SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* The key: TSC readings at start-up and at the first SYN (its arrival time is not known
 * to a remote party), our MAC and address. No RDRAND: not every hypervisor here has it. */
static void tcp_key(void)
{
    if (sip_keyed)
        return;
    uint64_t a = rdtsc();
    uint64_t mac = 0, addrs = 0;
    for (unsigned n = 0; n < netif_count; n++) {
        for (int i = 0; i < 6; i++)
            mac = mac << 8 ^ netifs[n].mac[i];
        addrs = addrs << 32 ^ netifs[n].ip;
    }
    sip_k0 ^= a * 0x9E3779B97F4A7C15ULL ^ mac;
    sip_k1 ^= (a << 17 | a >> 47) ^ (addrs << 32) ^ now_ns();
    sip_k0 = siphash2(sip_k0, rdtsc());
    sip_k1 = siphash2(sip_k1, rdtsc() ^ sip_k0);
    sip_keyed = 1;
}

static uint64_t tuple_word(uint32_t rip, uint16_t rport, uint16_t lport)
{
    return (uint64_t)rip << 32 | (uint32_t)rport << 16 | lport;
}

/* RFC 6528: ISN = M + F(4-tuple, secret), M a 4 us clock. The local address is part of the
 * tuple: the interface the reply leaves by (route to the remote end). */
static uint32_t isn_for(uint32_t rip, uint16_t rport, uint16_t lport)
{
    struct netif *nif = 0;
    uint32_t nexthop;
    uint32_t lip = route_lookup(rip, &nif, &nexthop) == 0 && nif ? nif->ip : 0;
    return (uint32_t)(now / 4000) + (uint32_t)siphash2(tuple_word(rip, rport, lport), lip);
}

/* SYN cookies: ISN = hash(4-tuple, client ISN, minute)[31:8] | minute[4:0] << 3 | mss index. */
static const uint16_t cookie_mss[8] = {216, 536, 1024, 1220, 1360, 1400, 1440, 1460};
#define COOKIE_PERIOD_SHIFT 36 /* ~69 s */

static uint32_t cookie_hash(uint32_t rip, uint16_t rport, uint16_t lport, uint32_t irs, uint32_t t)
{
    return (uint32_t)siphash2(tuple_word(rip, rport, lport), (uint64_t)irs << 32 | t | 1u << 31);
}

static uint32_t cookie_make(uint32_t rip, uint16_t rport, uint16_t lport, uint32_t irs, uint16_t mss)
{
    uint32_t t = (uint32_t)(now >> COOKIE_PERIOD_SHIFT) & 31;
    unsigned mi = 0;
    for (unsigned i = 0; i < 8; i++)
        if (cookie_mss[i] <= mss)
            mi = i;
    return (cookie_hash(rip, rport, lport, irs, t) & ~0xFFu) | t << 3 | mi;
}

/* Returns the MSS the cookie encodes, or 0 when it is not one of ours (or too old). */
static uint16_t cookie_check(uint32_t rip, uint16_t rport, uint16_t lport, uint32_t irs, uint32_t cookie)
{
    uint32_t t = (cookie >> 3) & 31, cur = (uint32_t)(now >> COOKIE_PERIOD_SHIFT) & 31;
    if (t != cur && t != ((cur - 1) & 31))
        return 0;
    if ((cookie_hash(rip, rport, lport, irs, t) & ~0xFFu) != (cookie & ~0xFFu))
        return 0;
    return cookie_mss[cookie & 7];
}

/* Rate limit for ACKs sent in answer to unacceptable or suspicious segments. */
static int challenge_ok(void)
{
    uint64_t sec = now / 1000000000ULL;
    if (sec != challenge_sec) {
        challenge_sec = sec;
        challenge_n = 0;
    }
    return challenge_n++ < CHALLENGE_PER_S;
}

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
    uint32_t wnd = RCV_WND;
    if (c->opened && c->ops->window) {
        size_t w = c->ops->window(c);
        if (w < wnd)
            wnd = (uint32_t)w;
    }
    c->adv_wnd = (uint16_t)wnd;
    put16(t + 14, (uint16_t)wnd);
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
    put16(t + 16, csum_fold(csum_add(csum_pseudo(ip_tx_src(), c->rip, IPPROTO_TCP, tl), t, tl)));
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
    put16(t + 16, csum_fold(csum_add(csum_pseudo(ip_tx_src(), src, IPPROTO_TCP, 20), t, 20)));
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

/* An entry for a new connection. For a SYN (cookie_ack 0): a free entry or the oldest
 * TIME_WAIT, and only while half-open connections are within their budget; NULL means
 * "answer with a SYN cookie". For an ACK that proved a cookie: also the oldest half-open,
 * or an established connection idle for IDLE_EVICT_NS; NULL means "drop". */
static struct tcp_conn *conn_alloc(int cookie_ack)
{
    struct tcp_conn *free_c = NULL, *tw = NULL, *half = NULL, *idle = NULL;
    unsigned n_half = 0;
    for (unsigned i = 0; i < TCP_MAX_CONN; i++) {
        struct tcp_conn *c = &conns[i];
        if (c->state == CLOSED) {
            if (!free_c)
                free_c = c;
        } else if (c->state == TIME_WAIT) {
            if (!tw || c->expire_at < tw->expire_at)
                tw = c;
        } else if (c->state == SYN_RCVD) {
            n_half++;
            if (!half || c->born < half->born)
                half = c;
        } else if (!idle || c->last_seen < idle->last_seen) {
            idle = c;
        }
    }
    if (!cookie_ack && n_half >= TCP_MAX_HALF)
        return NULL;
    if (free_c)
        return free_c;
    if (tw) {
        release(tw);
        return tw;
    }
    if (!cookie_ack)
        return NULL;
    if (half) {
        release(half);
        return half;
    }
    if (idle && now - idle->last_seen >= IDLE_EVICT_NS) {
        tcp_abort(idle);
        return idle;
    }
    return NULL;
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

/* Reset an entry for a new connection from src (the segment th), keeping its flush-list mark. */
static void conn_init(struct tcp_conn *c, uint32_t src, const uint8_t *th, const struct tcp_ops *ops)
{
    uint16_t dirty = c->dirty;
    memset(c, 0, offsetof(struct tcp_conn, buf));
    c->dirty = (uint8_t)dirty;
    c->rip = src;
    c->rport = get16(th);
    c->lport = get16(th + 2);
    c->rto_us = RTO_INIT_US;
    c->ops = ops;
    c->born = c->last_seen = now;
}

static void set_iss(struct tcp_conn *c, uint32_t iss)
{
    c->iss = iss;
    c->snd_una = iss;
    c->snd_nxt = c->snd_max = iss + 1;
    c->buf_seq = iss + 1;
}

static uint16_t clamp_mss(uint16_t mss)
{
    return mss < 64 ? 64 : mss > MSS_LOCAL ? MSS_LOCAL : mss;
}

/* A SYN-ACK carrying a cookie: no state kept. */
static void send_cookie_synack(uint32_t src, const uint8_t *th, uint32_t cookie)
{
    uint8_t *t = ip_tx_begin(src, IPPROTO_TCP);
    if (!t)
        return;
    put16(t, get16(th + 2));
    put16(t + 2, get16(th));
    put32(t + 4, cookie);
    put32(t + 8, get32(th + 4) + 1);
    t[12] = 6 << 4;
    t[13] = TH_SYN | TH_ACK;
    put16(t + 14, RCV_WND);
    put16(t + 16, 0);
    put16(t + 18, 0);
    t[20] = 2;
    t[21] = 4;
    put16(t + 22, MSS_LOCAL);
    put16(t + 16, csum_fold(csum_add(csum_pseudo(ip_tx_src(), src, IPPROTO_TCP, 24), t, 24)));
    ip_tx_commit(24);
}

static void passive_open(uint32_t src, const uint8_t *th, size_t hl, const struct tcp_ops *ops)
{
    tcp_key();
    uint16_t mss = clamp_mss(parse_mss(th + 20, hl - 20));
    struct tcp_conn *c = conn_alloc(0);
    if (!c) { /* half-open budget spent or table full: a stateless SYN cookie */
        send_cookie_synack(src, th, cookie_make(src, get16(th), get16(th + 2), get32(th + 4), mss));
        return;
    }
    conn_init(c, src, th, ops);
    c->state = SYN_RCVD;
    c->irs = get32(th + 4);
    c->rcv_nxt = c->irs + 1;
    set_iss(c, isn_for(src, c->rport, c->lport));
    c->snd_wnd = c->max_wnd = get16(th + 14);
    c->mss = mss;
    c->ack_now = 1; /* the SYN-ACK */
    set_rto(c);
    set_expire(c, HALF_OPEN_NS);
    mark_dirty(c);
}

/* The connection becomes established: the application hears about it. */
static void establish(struct tcp_conn *c, uint32_t ack, uint16_t wnd)
{
    c->state = ESTABLISHED;
    c->snd_una = ack;
    c->snd_wnd = wnd;
    if (wnd > c->max_wnd)
        c->max_wnd = wnd;
    c->rto_at = 0;
    c->retries = 0;
    c->opened = 1;
    set_expire(c, IDLE_NS);
    if (c->ops->open)
        c->ops->open(c);
}

/* An ACK for no connection: if it proves one of our SYN cookies, the connection is
 * created established. Returns it, or NULL. */
static struct tcp_conn *cookie_open(uint32_t src, const uint8_t *th, const struct tcp_ops *ops)
{
    if (!sip_keyed)
        return NULL;
    uint32_t seq = get32(th + 4), ack = get32(th + 8);
    uint16_t mss = cookie_check(src, get16(th), get16(th + 2), seq - 1, ack - 1);
    if (!mss)
        return NULL;
    struct tcp_conn *c = conn_alloc(1);
    if (!c)
        return NULL;
    conn_init(c, src, th, ops);
    c->irs = seq - 1;
    c->rcv_nxt = seq;
    set_iss(c, ack - 1);
    c->mss = clamp_mss(mss);
    establish(c, ack, get16(th + 14));
    return c->state == CLOSED ? NULL : c;
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
    if (SEQ_GT(ack, c->snd_max) || SEQ_LT(ack, c->snd_una - c->max_wnd)) {
        if (challenge_ok()) { /* acks something we never sent, or far too old (RFC 5961 5) */
            c->ack_now = 1;
            mark_dirty(c);
        }
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
        /* Our window was held small: reopen it (a window update) once there is room. */
        if (c->opened && c->ops->window && c->adv_wnd < RCV_WND / 2 &&
            c->ops->window(c) >= (size_t)c->adv_wnd + MSS_LOCAL)
            c->ack_now = 1;
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
        if (wnd > c->max_wnd)
            c->max_wnd = wnd;
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
        const struct tcp_ops *ops = NULL;
        for (int i = 0; i < MAX_LISTEN; i++)
            if (listeners[i].ops && listeners[i].port == dport)
                ops = listeners[i].ops;
        if (ops && (flags & (TH_SYN | TH_ACK | TH_FIN)) == TH_SYN) {
            passive_open(src, th, hl, ops);
            return;
        }
        if (ops && (flags & (TH_SYN | TH_ACK)) == TH_ACK)
            c = cookie_open(src, th, ops);
        if (!c) {
            send_rst_reply(src, th, seglen);
            return;
        }
    }

    if (c->state == SYN_RCVD) {
        if (flags & TH_RST) {
            if (seq == c->rcv_nxt)
                release(c); /* exact match only (RFC 5961 3.2) */
            return;
        }
        if (flags & TH_SYN) {
            if (seq == c->irs) {
                c->ack_now = 1; /* our SYN-ACK was lost */
                mark_dirty(c);
            }
            return;
        }
        if (!(flags & TH_ACK))
            return;
        if (ack != c->iss + 1) {
            send_rst_reply(src, th, seglen);
            return;
        }
        if (seq != c->rcv_nxt) /* not the segment that completes our handshake */
            return;
        c->last_seen = now;
        establish(c, ack, wnd);
        if (c->state == CLOSED)
            return;
    }

    /* 1. Sequence acceptability (RFC 793 3.9, receive window RCV_WND). An unacceptable
     * segment is answered with an ACK (keepalive probes: seq = RCV.NXT - 1) unless it is a
     * RST, and goes no further: its ACK field and flags are not looked at. */
    int acceptable;
    if (seglen == 0)
        acceptable = SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LT(seq, c->rcv_nxt + RCV_WND);
    else
        acceptable = (SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LT(seq, c->rcv_nxt + RCV_WND)) ||
                     (SEQ_GEQ(seq + (uint32_t)seglen - 1, c->rcv_nxt) &&
                      SEQ_LT(seq + (uint32_t)seglen - 1, c->rcv_nxt + RCV_WND));
    if (!acceptable) {
        if (!(flags & TH_RST) && challenge_ok()) {
            c->ack_now = 1;
            mark_dirty(c);
        }
        return;
    }

    /* 2. RST: only an exact match resets; in the window, a challenge ACK (RFC 5961 3.2);
     * in TIME_WAIT, ignored (RFC 1337). */
    if (flags & TH_RST) {
        if (c->state == TIME_WAIT)
            return;
        if (seq == c->rcv_nxt) {
            release(c);
        } else if (challenge_ok()) {
            c->ack_now = 1;
            mark_dirty(c);
        }
        return;
    }
    /* 4. SYN in a synchronized state: challenge ACK (RFC 5961 4.2). */
    if (flags & TH_SYN) {
        if (challenge_ok()) {
            c->ack_now = 1;
            mark_dirty(c);
        }
        return;
    }
    /* 5. ACK */
    if (!(flags & TH_ACK))
        return;
    if (c->state == TIME_WAIT) { /* a retransmitted FIN is unacceptable (above) and re-ACKed */
        return;
    }
    c->last_seen = now;

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
