/*
 * web_main.c - the web service: TCP port 80 answered by the apps' http_conn_feed.
 *
 * Same limits as the container's web server: output per connection is bounded by the TCP
 * send buffer (input is fed only as far as its responses fit; a pipelining client that never
 * reads is not read any more), a request head must be complete within HEADER_TIMEOUT_MS of
 * its first byte (checked as data arrives: 408, close; a client that goes silent meets the
 * TCP idle timeout, TCP_IDLE_MS), and idle keep-alive connections close after TCP_IDLE_MS
 * (10 s); the fixed connection table evicts the longest idle one when full.
 */
#include "uk.h"
#include "http.h"

const char app_name[] = "web";

static struct http_site site;
static struct http_conn hc[TCP_MAX_CONN];
static uint8_t overflow[TCP_MAX_CONN];
static uint8_t closing[TCP_MAX_CONN]; /* we sent or queued our FIN: input is discarded */
static uint64_t head_since[TCP_MAX_CONN]; /* first byte of the request under way (0: none) */
static size_t reserve; /* send-buffer room needed before feeding more input: one response */

#ifndef HEADER_TIMEOUT_MS
#define HEADER_TIMEOUT_MS 10000
#endif

/* Input is fed in slices small enough that every response they can trigger (at most one
 * per 16 bytes: the shortest request line plus blank line) fits the send buffer. The rest
 * stays unacknowledged until the client has taken our output. */
#define MIN_REQUEST 16

int app_option(const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    return -1;
}

static void emit(void *ctx, const void *data, size_t len)
{
    struct tcp_conn *c = ctx;
    if (tcp_write(c, data, len) != len)
        overflow[tcp_conn_id(c)] = 1;
}

static void on_open(struct tcp_conn *c)
{
    unsigned id = tcp_conn_id(c);
    http_conn_init(&hc[id]);
    overflow[id] = 0;
    closing[id] = 0;
    head_since[id] = 0;
}

static size_t on_recv(struct tcp_conn *c, const uint8_t *data, size_t len)
{
    unsigned id = tcp_conn_id(c);
    if (!data) {
        tcp_close(c); /* client finished sending: finish our side after the queued output */
        closing[id] = 1;
        return 0;
    }
    if (closing[id])
        return len;
    uint64_t now = now_ns();
    if (head_since[id] && now - head_since[id] >= (uint64_t)HEADER_TIMEOUT_MS * 1000000) {
        http_conn_timeout(&hc[id], emit, c); /* slowloris: 408, then close */
        tcp_close(c);
        closing[id] = 1;
        return len;
    }
    size_t used = 0;
    while (used < len) {
        size_t fits = tcp_space(c) / reserve;
        if (fits == 0)
            break;
        size_t n = len - used;
        if (n > fits * MIN_REQUEST)
            n = fits * MIN_REQUEST;
        int r = http_conn_feed(&hc[id], &site, data + used, n, emit, c);
        used += n;
        if (http_conn_idle(&hc[id]))
            head_since[id] = 0;
        else if (!head_since[id])
            head_since[id] = now ? now : 1;
        if (overflow[id]) {
            tcp_abort(c);
            return used;
        }
        if (r == HTTP_CLOSE) {
            tcp_close(c);
            closing[id] = 1;
            return len; /* the rest is ignored */
        }
    }
    return used;
}

static void on_closed(struct tcp_conn *c)
{
    (void)c;
}

static const struct tcp_ops web_ops = {on_open, on_recv, on_closed, NULL}; /* no window cap: a
 * request head arrives in one window whatever responses it may trigger */

void app_start(void)
{
    http_site_default(&site);
    reserve = site.body_len + 1024;
    if (reserve > TCP_SNDBUF)
        fatal("the page (%zu bytes) does not fit the %u-byte TCP send buffer; rebuild with a larger "
              "TCP_SNDBUF", site.body_len, (unsigned)TCP_SNDBUF);
    tcp_listen(80, &web_ops);
}
