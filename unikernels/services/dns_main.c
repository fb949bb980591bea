/*
 * dns_main.c - the DNS service: UDP and TCP port 53 answered by the apps' dns_respond(_tcp).
 *
 * TCP (RFC 7766): 2-byte length-prefixed messages, several per connection, answered in
 * order as they arrive (pipelined). The receive window follows the free send buffer
 * (on_window), so a pipelining client sends no more than we can answer; a message is taken
 * only when the send buffer has room for its answer (at most DNS_TCP_REPLY_MAX; a longer one
 * is truncated with TC), otherwise its bytes stay unacknowledged and come again. Messages
 * longer than DNS_TCP_QUERY_MAX close the connection. Idle connections close after the
 * TCP layer's idle timeout (TCP_IDLE_MS, 10 s for this image).
 */
#include "uk.h"
#include "dns.h"
#include "dnsstats.h"

#define DNS_TCP_QUERY_MAX 1024
#define DNS_TCP_REPLY_MAX ((TCP_SNDBUF / 2 < 4096 ? TCP_SNDBUF / 2 : 4096) - 2)

const char app_name[] = "dns";

static struct dns_zone zone;
static int zone_set;
static char zone_spec[1024];
static uint8_t reply[DNS_TCP_REPLY_MAX + 2 > 1500 ? DNS_TCP_REPLY_MAX + 2 : 1500];

/* Per TCP connection: the message being assembled (length prefix included). */
static struct {
    uint16_t have;
    uint8_t buf[2 + DNS_TCP_QUERY_MAX];
} tq[TCP_MAX_CONN];

int app_option(const char *key, size_t klen, const char *val, size_t vlen)
{
    if (klen != 4 || memcmp(key, "zone", 4))
        return -1;
    if (vlen >= sizeof(zone_spec)) {
        kprintf("unibench: error: zone= is longer than %zu bytes\n", sizeof(zone_spec) - 1);
        return -2;
    }
    memcpy(zone_spec, val, vlen);
    zone_spec[vlen] = 0;
    if (dns_zone_parse(&zone, zone_spec) != 0 || zone.count == 0) {
        kprintf("unibench: error: invalid zone=%s (expected ORIGIN:LABEL=IP,..., e.g. "
                "zone=cetic.be:@=10.0.0.5,www=10.0.0.5)\n", zone_spec);
        return -2;
    }
    zone_set = 1;
    return 0;
}

/* Counters answered to "stats.unibench. CH TXT". This front end cannot see datagrams QEMU
 * dropped because the virtio receive ring had no free buffer: rx_dropped is "unknown", and
 * such losses show as path loss. */
static struct dns_stats stats;

static void on_query(uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *q, size_t len)
{
    size_t n = dns_stats_answer(&stats, q, len, reply, sizeof(reply) - 28);
    if (n == 0) {
        n = dns_respond(&zone, q, len, reply, sizeof(reply) - 28);
        dns_stats_count(&stats, reply, n);
    }
    if (n)
        udp_send(src, dport, sport, reply, n);
}

static void on_open(struct tcp_conn *c)
{
    tq[tcp_conn_id(c)].have = 0;
}

static size_t on_recv(struct tcp_conn *c, const uint8_t *data, size_t len)
{
    unsigned id = tcp_conn_id(c);
    if (!data) { /* the client is done sending: finish after our queued answers */
        tcp_close(c);
        return 0;
    }
    size_t used = 0, cur = 0; /* cur: bytes of the message being assembled taken in this call */
    for (;;) {
        size_t have = tq[id].have;
        size_t want = have < 2 ? 2 : 2 + ((size_t)tq[id].buf[0] << 8 | tq[id].buf[1]);
        if (have >= 2 && (want == 2 || want > 2 + DNS_TCP_QUERY_MAX)) {
            tcp_abort(c); /* empty or oversized message */
            return len;
        }
        if (have == want) {
            size_t n = dns_respond_tcp(&zone, tq[id].buf + 2, want - 2, reply + 2, DNS_TCP_REPLY_MAX);
            if (n + 2 > tcp_space(c)) {
                /* answers waiting: give this message's bytes back (unacknowledged, the client
                 * sends them again) and leave the rest */
                tq[id].have = (uint16_t)(have - cur);
                used -= cur;
                break;
            }
            tq[id].have = 0;
            cur = 0;
            if (n) {
                reply[0] = (uint8_t)(n >> 8);
                reply[1] = (uint8_t)n;
                tcp_write(c, reply, n + 2);
            }
            continue;
        }
        if (used == len)
            break;
        size_t take = want - have;
        if (take > len - used)
            take = len - used;
        memcpy(tq[id].buf + have, data + used, take);
        tq[id].have = (uint16_t)(have + take);
        used += take;
        cur += take;
    }
    return used;
}

static void on_closed(struct tcp_conn *c)
{
    tq[tcp_conn_id(c)].have = 0;
}

/* Receive window: queries (~30 bytes) rarely produce answers of more than 4x their size, so
 * a quarter of the free send buffer keeps a pipelining client from sending what we could
 * not answer yet (which it would otherwise resend only after its retransmission timeout). */
static size_t on_window(const struct tcp_conn *c)
{
    return tcp_space(c) / 4;
}

static const struct tcp_ops dns_tcp_ops = {on_open, on_recv, on_closed, on_window};

void app_start(void)
{
    if (!zone_set)
        dns_zone_default(&zone);
    if (zone.count == 0)
        fatal("the compiled zone is unusable (rebuild: make ZONE=file)");
    udp_bind(53, on_query);
    tcp_listen(53, &dns_tcp_ops);
}
