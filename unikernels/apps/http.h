/*
 * unibench HTTP service logic: a tiny HTTP/1.0 and HTTP/1.1 server for one page.
 *
 * Portable C11, freestanding: no allocation, no OS calls; uses only memcpy/memset/
 * memcmp/strlen. The caller owns one struct http_conn per TCP connection and feeds it
 * the bytes it receives; responses come back through an emit callback. Shared, unchanged,
 * by the unikernel (unikernels/) and the POSIX front end (containers/posix/).
 *
 * API frozen: signatures below will not change (new functions may be added).
 */
#ifndef UNIBENCH_HTTP_H
#define UNIBENCH_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct http_site {
    const char *body;
    size_t body_len;
    const char *content_type;
};

/* The built-in page (embedded at build time: `make PAGE=file.html`, default page/index.html). */
void http_site_default(struct http_site *s);

#define HTTP_REQ_MAX 8192   /* longest accepted request head (request line + headers) */
#define HTTP_KEEP 0
#define HTTP_CLOSE 1

/* Per-connection parser state. Treat the fields as private. */
struct http_conn {
    uint64_t body_left;     /* request body bytes still to skip */
    size_t   len;           /* bytes buffered in buf (an incomplete request head) */
    int      line_ends;     /* consecutive line ends seen at the end of buf (2 = head done) */
    int      closed;        /* HTTP_CLOSE was returned: further input is ignored */
    uint8_t  buf[HTTP_REQ_MAX];
};

void http_conn_init(struct http_conn *c);

typedef void (*http_emit_fn)(void *ctx, const void *data, size_t len);

/* Feed bytes received on one connection (may be part of a request, or several pipelined
 * requests). For each complete request the response is produced through emit (possibly
 * several calls; data is only valid during the call, copy it). Returns HTTP_KEEP (0) to
 * keep reading, or HTTP_CLOSE (1): close the connection after the emitted bytes are
 * flushed (Connection: close requested, HTTP/1.0 without keep-alive, or a fatal error).
 * Once HTTP_CLOSE has been returned, later calls emit nothing and return HTTP_CLOSE. */
int http_conn_feed(struct http_conn *c, const struct http_site *s, const uint8_t *data,
                   size_t len, http_emit_fn emit, void *ctx);

/* 1 when the connection is between requests (no partial head, no body being skipped):
 * the state in which an idle keep-alive timeout applies, rather than a head deadline. */
int http_conn_idle(const struct http_conn *c);

/* The request-head deadline passed (slowloris): answers 408 Request Timeout through emit
 * when a request was under way, and closes the connection's parser (like HTTP_CLOSE). */
void http_conn_timeout(struct http_conn *c, http_emit_fn emit, void *ctx);

#endif /* UNIBENCH_HTTP_H */
