/*
 * unibench DNS service logic (see dns.h). Freestanding C11.
 *
 * Query handling, in order (RFC 1035, RFC 6891):
 *   shorter than a header, or QR set          -> drop (return 0)
 *   opcode other than QUERY                   -> NOTIMP
 *   qdcount != 1, bad question, bad records   -> FORMERR
 *   OPT with version > 0                      -> BADVERS (extended rcode 16)
 *   class not IN/ANY, or name outside zone    -> REFUSED
 *   name in zone without any record below it  -> NXDOMAIN (AA)
 *   A/ANY for a name with A records           -> NOERROR, answers (AA), name = pointer 0xC00C
 *   anything else in zone                     -> NOERROR, no answer (AA)
 * A response longer than the client's limit (512, or its EDNS payload size capped at ours)
 * keeps the question (and OPT) but no answers, and has TC set.
 */
#include "dns.h"

#include <string.h>

#define HDR_LEN 12
#define T_A 1
#define T_OPT 41
#define T_ANY 255
#define C_IN 1
#define C_ANY 255

#define RC_NOERROR 0
#define RC_FORMERR 1
#define RC_SERVFAIL 2
#define RC_NXDOMAIN 3
#define RC_NOTIMP 4
#define RC_REFUSED 5
#define RC_BADVERS 16 /* extended: upper 8 bits go in the OPT TTL */

#define ANSWER_LEN 16 /* pointer 2 + type 2 + class 2 + ttl 4 + rdlength 2 + addr 4 */
#define OPT_LEN 11    /* root 1 + type 2 + class 2 + ttl 4 + rdlength 2 */

static uint16_t get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

/* ---------------------------------------------------------------- zone */

/* Append the dotted text name s[0..n) (no trailing dot, may be empty) as labels to
 * dst at *pos (before the root label). Returns 0 or -1. */
static int text_to_labels(uint8_t *dst, uint16_t *pos, const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0)
        return 0;
    while (i <= n) {
        size_t start = i;
        while (i < n && s[i] != '.')
            i++;
        size_t llen = i - start;
        if (llen == 0 || llen > 63)
            return -1;
        if ((size_t)*pos + 1 + llen + 1 > DNS_NAME_MAX) /* keep room for the root label */
            return -1;
        dst[(*pos)++] = (uint8_t)llen;
        for (size_t k = start; k < i; k++) {
            uint8_t c = (uint8_t)s[k];
            if (c <= ' ' || c >= 0x7f || c == ':' || c == ',' || c == '=' || c == '@')
                return -1;
            dst[(*pos)++] = lower(c);
        }
        i++; /* skip the dot, or step past the end */
    }
    return 0;
}

/* Parse a dotted-quad s[0..n). Returns 0 or -1. */
static int parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 3) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            digits++;
        }
        if (digits == 0 || v > 255)
            return -1;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return -1;
            i++;
        }
    }
    return i == n ? 0 : -1;
}

static void zone_fail(struct dns_zone *z)
{
    z->count = 0;
    z->origin_len = 0;
}

int dns_zone_parse(struct dns_zone *z, const char *spec)
{
    if (!z)
        return -1;
    zone_fail(z);
    if (!spec)
        return -1;
    size_t n = strlen(spec);
    size_t colon = 0;
    while (colon < n && spec[colon] != ':')
        colon++;
    if (colon == n || colon == 0)
        return -1;

    /* origin: "a.b", "a.b." or "." (the root) */
    size_t olen = colon;
    if (olen > 1 && spec[olen - 1] == '.')
        olen--;
    uint16_t pos = 0;
    if (!(olen == 1 && spec[0] == '.')) {
        if (text_to_labels(z->origin, &pos, spec, olen) != 0)
            return -1;
    }
    z->origin[pos++] = 0;
    z->origin_len = pos;

    /* records */
    size_t i = colon + 1;
    uint16_t count = 0;
    for (;;) {
        size_t start = i;
        while (i < n && spec[i] != ',')
            i++;
        size_t end = i; /* entry is spec[start..end) */
        size_t eq = start;
        while (eq < end && spec[eq] != '=')
            eq++;
        if (eq == end || eq == start || count >= DNS_ZONE_MAX_RECORDS) {
            zone_fail(z);
            return -1;
        }
        struct dns_record *r = &z->rec[count];
        uint16_t rp = 0;
        int bad = 0;
        if (!(eq - start == 1 && spec[start] == '@'))
            bad = text_to_labels(r->name, &rp, spec + start, eq - start);
        if (!bad && (size_t)rp + z->origin_len > DNS_NAME_MAX)
            bad = 1;
        if (!bad && parse_ipv4(spec + eq + 1, end - eq - 1, r->addr) != 0)
            bad = 1;
        if (bad) {
            zone_fail(z);
            return -1;
        }
        memcpy(r->name + rp, z->origin, z->origin_len);
        r->name_len = (uint16_t)(rp + z->origin_len);
        r->ttl = DNS_DEFAULT_TTL;
        count++;
        if (i == n)
            break;
        i++; /* skip ',' */
        if (i == n) { /* trailing comma */
            zone_fail(z);
            return -1;
        }
    }
    z->count = count;
    return 0;
}

void dns_zone_default(struct dns_zone *z)
{
    (void)dns_zone_parse(z, "cetic.be:@=10.0.0.5,www=10.0.0.5,internship=10.0.0.5");
}

/* ---------------------------------------------------------------- query */

/* Read the uncompressed question name at q[off..]. Writes its lower-cased wire form to
 * name (DNS_NAME_MAX bytes) and returns its length, or 0 if malformed or truncated. */
static size_t read_qname(const uint8_t *q, size_t qlen, size_t off, uint8_t *name)
{
    size_t n = 0;
    for (;;) {
        if (off >= qlen)
            return 0;
        uint8_t l = q[off];
        if (l & 0xC0) /* compression pointer or reserved label type: not allowed here */
            return 0;
        if (n + 1 + l > DNS_NAME_MAX)
            return 0;
        if (l == 0) {
            name[n++] = 0;
            return n;
        }
        if (off + 1 + l > qlen)
            return 0;
        name[n++] = l;
        for (size_t k = 0; k < l; k++)
            name[n++] = lower(q[off + 1 + k]);
        off += 1 + (size_t)l;
    }
}

/* Skip a (possibly compressed) name in a resource record. Returns the offset after it,
 * or 0 if malformed. The pointer itself is not followed, so loops cannot happen. */
static size_t skip_name(const uint8_t *q, size_t qlen, size_t off)
{
    size_t total = 0;
    for (;;) {
        if (off >= qlen)
            return 0;
        uint8_t l = q[off];
        if ((l & 0xC0) == 0xC0)
            return off + 2 <= qlen ? off + 2 : 0;
        if (l & 0xC0)
            return 0;
        if (l == 0)
            return off + 1;
        total += 1 + (size_t)l;
        if (total + 1 > DNS_NAME_MAX || off + 1 + l > qlen)
            return 0;
        off += 1 + (size_t)l;
    }
}

struct edns {
    int present;
    uint16_t payload;
    uint8_t version;
    uint16_t flags; /* DO bit etc. (not echoed: we do not sign) */
};

/* Walk the answer, authority and additional sections after the question, looking for
 * one OPT RR in the additional section. Returns 0, or -1 if a section is malformed. */
static int parse_records(const uint8_t *q, size_t qlen, size_t off, struct edns *e)
{
    uint32_t an = get16(q + 6), ns = get16(q + 8), ar = get16(q + 10);
    uint32_t total = an + ns + ar;
    e->present = 0;
    for (uint32_t i = 0; i < total; i++) {
        size_t name_off = off;
        off = skip_name(q, qlen, off);
        if (off == 0 || off + 10 > qlen)
            return -1;
        uint16_t type = get16(q + off);
        uint16_t rdlen = get16(q + off + 8);
        if (off + 10 + (size_t)rdlen > qlen)
            return -1;
        if (type == T_OPT) {
            /* OPT: only in the additional section, once, owner name the root */
            if (i < an + ns || e->present || q[name_off] != 0)
                return -1;
            e->present = 1;
            e->payload = get16(q + off + 2);
            e->version = q[off + 5];
            e->flags = get16(q + off + 6);
        }
        off += 10 + (size_t)rdlen;
    }
    return 0;
}

/* Is name (wire form) equal to, or below, suffix at a label boundary? */
static int name_is_below(const uint8_t *name, size_t len, const uint8_t *suffix, size_t slen)
{
    size_t p = 0;
    for (;;) {
        if (len - p == slen && memcmp(name + p, suffix, slen) == 0)
            return 1;
        if (p >= len || name[p] == 0)
            return 0;
        p += 1 + (size_t)name[p];
        if (p > len)
            return 0;
    }
}

/* A header-only response: ID, opcode and RD echoed, QR set, all counts zero. */
static size_t header_only(const uint8_t *q, uint8_t *out, size_t outcap, int rcode)
{
    if (outcap < HDR_LEN)
        return 0;
    memset(out, 0, HDR_LEN);
    out[0] = q[0];
    out[1] = q[1];
    out[2] = (uint8_t)(0x80 | (q[2] & 0x78) | (q[2] & 0x01)); /* QR, opcode, RD */
    out[3] = (uint8_t)(rcode & 0x0F);
    return HDR_LEN;
}

size_t dns_respond(const struct dns_zone *z, const uint8_t *q, size_t qlen,
                   uint8_t *out, size_t outcap)
{
    if (!q || !out || qlen < HDR_LEN || outcap < HDR_LEN)
        return 0;
    if (q[2] & 0x80) /* a response: never answer it (no reflection loops) */
        return 0;

    uint8_t opcode = (uint8_t)((q[2] >> 3) & 0x0F);
    if (opcode != 0)
        return header_only(q, out, outcap, RC_NOTIMP);
    if (get16(q + 4) != 1)
        return header_only(q, out, outcap, RC_FORMERR);

    uint8_t name[DNS_NAME_MAX];
    size_t name_len = read_qname(q, qlen, HDR_LEN, name);
    if (name_len == 0 || HDR_LEN + name_len + 4 > qlen)
        return header_only(q, out, outcap, RC_FORMERR);
    size_t qsec_len = name_len + 4;
    uint16_t qtype = get16(q + HDR_LEN + name_len);
    uint16_t qclass = get16(q + HDR_LEN + name_len + 2);

    struct edns e;
    if (parse_records(q, qlen, HDR_LEN + qsec_len, &e) != 0)
        return header_only(q, out, outcap, RC_FORMERR);

    /* Size limit for this client. */
    size_t limit = 512;
    if (e.present && e.payload > 512)
        limit = e.payload < DNS_EDNS_PAYLOAD ? e.payload : DNS_EDNS_PAYLOAD;
    if (limit > outcap)
        limit = outcap;
    size_t tail = e.present ? OPT_LEN : 0;
    if (HDR_LEN + qsec_len + tail > limit) {
        /* not even the question fits: header only, truncated */
        size_t n = header_only(q, out, outcap, RC_NOERROR);
        out[2] |= 0x02;
        return n;
    }

    int rcode;
    int aa = 0;
    size_t nanswers = 0;
    if (e.present && e.version > 0) {
        rcode = RC_BADVERS;
    } else if (!z || z->count == 0) {
        rcode = RC_SERVFAIL;
    } else if ((qclass != C_IN && qclass != C_ANY) ||
               !name_is_below(name, name_len, z->origin, z->origin_len)) {
        rcode = RC_REFUSED;
    } else {
        aa = 1;
        int exists = name_len == z->origin_len; /* the apex always exists */
        for (size_t i = 0; i < z->count; i++) {
            const struct dns_record *r = &z->rec[i];
            if (r->name_len == name_len && memcmp(r->name, name, name_len) == 0) {
                exists = 1;
                if (qtype == T_A || qtype == T_ANY)
                    nanswers++;
            } else if (!exists && name_is_below(r->name, r->name_len, name, name_len)) {
                exists = 1; /* empty non-terminal */
            }
        }
        rcode = exists ? RC_NOERROR : RC_NXDOMAIN;
    }

    int tc = 0;
    if (HDR_LEN + qsec_len + nanswers * ANSWER_LEN + tail > limit) {
        tc = 1;
        nanswers = 0;
    }

    /* header */
    size_t n = header_only(q, out, outcap, rcode);
    out[2] = (uint8_t)(out[2] | (aa ? 0x04 : 0) | (tc ? 0x02 : 0));
    put16(out + 4, 1);
    put16(out + 6, (uint16_t)nanswers);
    put16(out + 10, (uint16_t)(e.present ? 1 : 0));

    /* question, with the client's case */
    memcpy(out + n, q + HDR_LEN, qsec_len);
    n += qsec_len;

    /* answers */
    if (nanswers) {
        for (size_t i = 0; i < z->count; i++) {
            const struct dns_record *r = &z->rec[i];
            if (r->name_len != name_len || memcmp(r->name, name, name_len) != 0)
                continue;
            put16(out + n, 0xC00C);
            put16(out + n + 2, T_A);
            put16(out + n + 4, C_IN);
            put32(out + n + 6, r->ttl);
            put16(out + n + 10, 4);
            memcpy(out + n + 12, r->addr, 4);
            n += ANSWER_LEN;
        }
    }

    /* OPT */
    if (e.present) {
        out[n] = 0;
        put16(out + n + 1, T_OPT);
        put16(out + n + 3, DNS_EDNS_PAYLOAD);
        out[n + 5] = (uint8_t)(rcode >> 4); /* extended rcode, upper 8 bits */
        out[n + 6] = 0;                     /* version 0 */
        put16(out + n + 7, 0);              /* flags: DO not set, we do not sign */
        put16(out + n + 9, 0);              /* no options */
        n += OPT_LEN;
    }
    return n;
}
