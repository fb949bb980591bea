/*
 * unibench HTTP service logic (see http.h). Freestanding C11.
 *
 * One struct http_conn per connection. Bytes are appended to the head buffer until an
 * empty line ends the request head (CRLF or bare LF line ends); the head is then parsed
 * and answered, and a declared body (Content-Length) is skipped without buffering.
 *
 *   GET/HEAD / or /index.html            -> 200 (HEAD: headers only)
 *   GET/HEAD other paths                 -> 404
 *   other methods                        -> 405, Allow: GET, HEAD
 *   malformed request line or headers    -> 400, close
 *   head longer than HTTP_REQ_MAX        -> 431, close
 *   HTTP version other than 1.0/1.1      -> 505, close
 *   Transfer-Encoding in a request       -> 501, close (bodies are only skipped by length)
 *   HTTP/1.1 without exactly one Host    -> 400, close (RFC 9112 3.2)
 * Keep-alive is the default in HTTP/1.1, opt-in ("Connection: keep-alive") in HTTP/1.0.
 * Responses carry "Server: unibench" and no Date, so they are byte-for-byte deterministic.
 */
#include "http.h"

#include <string.h>

/* The page embedded by apps.mk (generated page.c). */
extern const char apps_page_type[];
extern const char apps_page_body[];
extern const size_t apps_page_len;

void http_site_default(struct http_site *s)
{
    s->body = apps_page_body;
    s->body_len = apps_page_len;
    s->content_type = apps_page_type;
}

void http_conn_init(struct http_conn *c)
{
    c->body_left = 0;
    c->len = 0;
    c->line_ends = 0;
    c->closed = 0;
}

/* ---------------------------------------------------------------- helpers */

static int is_tchar(uint8_t ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return 1;
    switch (ch) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return 1;
    default:
        return 0;
    }
}

static uint8_t lower(uint8_t ch) { return (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch; }

/* Case-insensitive compare of p[0..n) with the lower-case literal s. */
static int eq_nocase(const uint8_t *p, size_t n, const char *s)
{
    size_t sl = strlen(s);
    if (n != sl)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != (uint8_t)s[i])
            return 0;
    return 1;
}

static int eq_exact(const uint8_t *p, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(p, s, n) == 0;
}

static int is_ows(uint8_t ch) { return ch == ' ' || ch == '\t'; }

/* Append-only buffer for a response: the head, and the body too when it fits, so that a
 * small response leaves in one emit call (one TCP segment on the unikernel). */
#define OUT_BUF 1400
struct out {
    char buf[OUT_BUF];
    size_t len;
};

static void put(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (n > sizeof o->buf - o->len)
        n = sizeof o->buf - o->len;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_uint(struct out *o, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    char s[24];
    for (size_t i = 0; i < n; i++)
        s[i] = tmp[n - 1 - i];
    s[n] = 0;
    put(o, s);
}

static const char ERR_TYPE[] = "text/html; charset=utf-8";

static void respond(const char *status, const char *ctype, const char *body, size_t body_len,
                    int send_body, int close, int extra_allow, http_emit_fn emit, void *ctx)
{
    struct out o;
    o.len = 0;
    if (strlen(ctype) > 200) /* keep the head well-formed whatever the site says */
        ctype = "application/octet-stream";
    put(&o, "HTTP/1.1 ");
    put(&o, status);
    put(&o, "\r\nServer: unibench\r\nContent-Type: ");
    put(&o, ctype);
    put(&o, "\r\nContent-Length: ");
    put_uint(&o, body_len);
    if (extra_allow)
        put(&o, "\r\nAllow: GET, HEAD");
    put(&o, close ? "\r\nConnection: close\r\n\r\n" : "\r\nConnection: keep-alive\r\n\r\n");
    if (send_body && body_len && body_len <= sizeof o.buf - o.len) {
        memcpy(o.buf + o.len, body, body_len);
        o.len += body_len;
        emit(ctx, o.buf, o.len);
        return;
    }
    emit(ctx, o.buf, o.len);
    if (send_body && body_len)
        emit(ctx, body, body_len);
}

/* Error page bodies. */
#define ERR_PAGE(code, text) \
    "<!DOCTYPE html>\n<html><head><title>" code " " text "</title></head>" \
    "<body><h1>" code " " text "</h1><p>unibench</p></body></html>\n"

static const char BODY_400[] = ERR_PAGE("400", "Bad Request");
static const char BODY_404[] = ERR_PAGE("404", "Not Found");
static const char BODY_405[] = ERR_PAGE("405", "Method Not Allowed");
static const char BODY_408[] = ERR_PAGE("408", "Request Timeout");
static const char BODY_431[] = ERR_PAGE("431", "Request Header Fields Too Large");
static const char BODY_501[] = ERR_PAGE("501", "Not Implemented");
static const char BODY_505[] = ERR_PAGE("505", "HTTP Version Not Supported");

#define ERROR_RESPONSE(status, body, send_body, close) \
    respond(status, ERR_TYPE, body, sizeof(body) - 1, send_body, close, 0, emit, ctx)

/* ---------------------------------------------------------------- request head */

/* Parse and answer the complete head c->buf[0..c->len). Returns HTTP_KEEP or HTTP_CLOSE,
 * and sets c->body_left for a body that must be skipped. */
static int handle_head(struct http_conn *c, const struct http_site *s, http_emit_fn emit,
                       void *ctx)
{
    const uint8_t *b = c->buf;
    size_t n = c->len;
    size_t i = 0;

    /* request line: METHOD SP TARGET SP HTTP/x.y */
    size_t m0 = i;
    while (i < n && is_tchar(b[i]))
        i++;
    size_t mlen = i - m0;
    if (mlen == 0 || i >= n || b[i] != ' ') {
        ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
        return HTTP_CLOSE;
    }
    i++;
    size_t t0 = i;
    while (i < n && b[i] > ' ' && b[i] != 0x7f)
        i++;
    size_t tlen = i - t0;
    if (tlen == 0 || i >= n || b[i] != ' ') {
        ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
        return HTTP_CLOSE;
    }
    i++;
    size_t v0 = i;
    while (i < n && b[i] != '\r' && b[i] != '\n')
        i++;
    size_t vlen = i - v0;
    const uint8_t *v = b + v0;
    int is_head = eq_exact(b + m0, mlen, "HEAD");
    if (!(vlen == 8 && memcmp(v, "HTTP/", 5) == 0 && v[5] >= '0' && v[5] <= '9' && v[6] == '.' &&
          v[7] >= '0' && v[7] <= '9')) {
        ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
        return HTTP_CLOSE;
    }
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) {
        ERROR_RESPONSE("505 HTTP Version Not Supported", BODY_505, !is_head, 1);
        return HTTP_CLOSE;
    }
    int http10 = v[7] == '0';
    if (i < n && b[i] == '\r')
        i++;
    if (i >= n || b[i] != '\n') {
        ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
        return HTTP_CLOSE;
    }
    i++;

    /* header fields until the empty line */
    int conn_close = 0, conn_keep = 0, has_te = 0, has_cl = 0, hosts = 0;
    uint64_t content_length = 0;
    for (;;) {
        size_t l0 = i;
        while (i < n && b[i] != '\n')
            i++;
        if (i >= n) { /* cannot happen: the head ends with an empty line */
            ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
            return HTTP_CLOSE;
        }
        size_t lend = i; /* b[lend] == '\n' */
        i++;
        if (lend > l0 && b[lend - 1] == '\r')
            lend--;
        if (lend == l0)
            break; /* empty line: end of head */
        /* name ":" OWS value OWS; no whitespace before the colon, no obs-fold */
        size_t k = l0;
        while (k < lend && is_tchar(b[k]))
            k++;
        if (k == l0 || k >= lend || b[k] != ':') {
            ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
            return HTTP_CLOSE;
        }
        const uint8_t *name = b + l0;
        size_t name_len = k - l0;
        k++;
        for (size_t x = k; x < lend; x++) {
            if ((b[x] < ' ' && b[x] != '\t') || b[x] == 0x7f) {
                ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
                return HTTP_CLOSE;
            }
        }
        while (k < lend && is_ows(b[k]))
            k++;
        size_t vend = lend;
        while (vend > k && is_ows(b[vend - 1]))
            vend--;
        const uint8_t *val = b + k;
        size_t val_len = vend - k;

        if (eq_nocase(name, name_len, "content-length")) {
            if (val_len == 0 || val_len > 18) {
                ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
                return HTTP_CLOSE;
            }
            uint64_t cl = 0;
            for (size_t x = 0; x < val_len; x++) {
                if (val[x] < '0' || val[x] > '9') {
                    ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
                    return HTTP_CLOSE;
                }
                cl = cl * 10 + (uint64_t)(val[x] - '0');
            }
            if (has_cl && cl != content_length) {
                ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
                return HTTP_CLOSE;
            }
            has_cl = 1;
            content_length = cl;
        } else if (eq_nocase(name, name_len, "transfer-encoding")) {
            has_te = 1;
        } else if (eq_nocase(name, name_len, "host")) {
            hosts++;
        } else if (eq_nocase(name, name_len, "connection")) {
            /* comma-separated tokens */
            size_t x = 0;
            while (x < val_len) {
                while (x < val_len && (is_ows(val[x]) || val[x] == ','))
                    x++;
                size_t tk = x;
                while (x < val_len && val[x] != ',' && !is_ows(val[x]))
                    x++;
                if (eq_nocase(val + tk, x - tk, "close"))
                    conn_close = 1;
                else if (eq_nocase(val + tk, x - tk, "keep-alive"))
                    conn_keep = 1;
            }
        }
    }

    if (has_te) {
        ERROR_RESPONSE("501 Not Implemented", BODY_501, !is_head, 1);
        return HTTP_CLOSE;
    }
    if (hosts > 1 || (!http10 && hosts == 0)) {
        ERROR_RESPONSE("400 Bad Request", BODY_400, 1, 1);
        return HTTP_CLOSE;
    }
    int close = conn_close || (http10 && !conn_keep);
    c->body_left = content_length;

    /* target: origin-form "/path?query", or absolute-form "http://host/path" */
    const uint8_t *t = b + t0;
    size_t plen = tlen;
    if (tlen >= 7 && eq_nocase(t, 7, "http://")) {
        size_t x = 7;
        while (x < tlen && t[x] != '/')
            x++;
        t += x;
        plen = tlen - x;
        if (plen == 0) {
            t = (const uint8_t *)"/";
            plen = 1;
        }
    }
    for (size_t x = 0; x < plen; x++) {
        if (t[x] == '?' || t[x] == '#') {
            plen = x;
            break;
        }
    }

    if (!is_head && !eq_exact(b + m0, mlen, "GET")) {
        respond("405 Method Not Allowed", ERR_TYPE, BODY_405, sizeof BODY_405 - 1, 1, close, 1,
                emit, ctx);
    } else if (eq_exact(t, plen, "/") || eq_exact(t, plen, "/index.html")) {
        respond("200 OK", s->content_type ? s->content_type : ERR_TYPE, s->body, s->body_len,
                !is_head, close, 0, emit, ctx);
    } else {
        ERROR_RESPONSE("404 Not Found", BODY_404, !is_head, close);
    }
    return close ? HTTP_CLOSE : HTTP_KEEP;
}

/* ---------------------------------------------------------------- feed */

int http_conn_idle(const struct http_conn *c)
{
    return c->len == 0 && c->body_left == 0;
}

void http_conn_timeout(struct http_conn *c, http_emit_fn emit, void *ctx)
{
    if (!c->closed && !http_conn_idle(c))
        ERROR_RESPONSE("408 Request Timeout", BODY_408, 1, 1);
    c->closed = 1;
}

int http_conn_feed(struct http_conn *c, const struct http_site *s, const uint8_t *data,
                   size_t len, http_emit_fn emit, void *ctx)
{
    size_t i = 0;
    if (c->closed)
        return HTTP_CLOSE;
    while (i < len) {
        if (c->body_left) {
            size_t avail = len - i;
            size_t skip = (uint64_t)avail < c->body_left ? avail : (size_t)c->body_left;
            c->body_left -= skip;
            i += skip;
            continue;
        }
        /* empty lines before a request line are ignored (RFC 9112 §2.2) */
        if (c->len == 0) {
            while (i < len && (data[i] == '\r' || data[i] == '\n'))
                i++;
            if (i == len)
                break;
        }
        /* append up to the end of the head */
        int done = 0;
        while (i < len) {
            uint8_t ch = data[i++];
            if (c->len == HTTP_REQ_MAX) {
                ERROR_RESPONSE("431 Request Header Fields Too Large", BODY_431, 1, 1);
                c->closed = 1;
                return HTTP_CLOSE;
            }
            c->buf[c->len++] = ch;
            if (ch == '\n') {
                if (++c->line_ends == 2) {
                    done = 1;
                    break;
                }
            } else if (ch != '\r') {
                c->line_ends = 0;
            }
        }
        if (!done)
            break;
        int r = handle_head(c, s, emit, ctx);
        c->len = 0;
        c->line_ends = 0;
        if (r == HTTP_CLOSE) {
            c->closed = 1;
            return HTTP_CLOSE;
        }
    }
    return HTTP_KEEP;
}
