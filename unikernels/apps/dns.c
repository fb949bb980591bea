/*
 * unibench DNS service logic (see dns.h). Freestanding C11.
 *
 * Query handling, in order (RFC 1035, 2308, 6891, 7766, 8482):
 *   shorter than a header, or QR set          -> drop (return 0)
 *   opcode other than QUERY                   -> NOTIMP
 *   qdcount != 1, bad question, bad records   -> FORMERR
 *   OPT with version > 0                      -> BADVERS (extended rcode 16)
 *   class not IN/ANY, or name outside zone    -> REFUSED
 *   AXFR/IXFR                                 -> REFUSED (no zone transfers)
 *   name with the type asked                  -> NOERROR, the RRset (AA)
 *   name with a CNAME (type not CNAME)        -> the CNAME, then the same for its target
 *                                                while it is in the zone (at most 8 links)
 *   ANY                                       -> one RRset of the name (RFC 8482 4.1:
 *                                                the lowest type, as knot does)
 *   name exists, type does not                -> NOERROR, no answer, SOA in authority
 *   name does not exist                       -> NXDOMAIN, SOA in authority (AA)
 * The negative SOA's TTL is min(SOA TTL, SOA MINIMUM) (RFC 2308 3). NS/MX/SRV answers get
 * the A/AAAA records of in-zone targets in the additional section, as far as they fit.
 * ID, opcode, RD and CD are copied; RA and AD are never set. Owner names equal to the
 * question are a pointer to it (0xC00C), other names are written uncompressed.
 * Over UDP a response longer than the client's limit (512, or its EDNS payload size capped
 * at ours) keeps the question (and OPT) but no records, and has TC set: the client retries
 * over TCP, where the limit is the caller's buffer (up to 65535).
 */
#include "dns.h"

#include <string.h>

#define HDR_LEN 12
#define T_A DNS_T_A
#define T_OPT 41
#define T_IXFR 251
#define T_AXFR 252
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

#define OPT_LEN 11    /* root 1 + type 2 + class 2 + ttl 4 + rdlength 2 */
#define MAX_CHAIN 8   /* CNAME links followed inside the zone */
#define MAX_OUT (DNS_ZONE_MAX_RECORDS + MAX_CHAIN) /* records in one response section */

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
    z->soa = -1;
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
        if (!bad && parse_ipv4(spec + eq + 1, end - eq - 1, r->rdata) != 0)
            bad = 1;
        if (bad) {
            zone_fail(z);
            return -1;
        }
        memcpy(r->name + rp, z->origin, z->origin_len);
        r->name_len = (uint16_t)(rp + z->origin_len);
        r->ttl = DNS_DEFAULT_TTL;
        r->type = T_A;
        r->rdlen = 4;
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
    z->soa = -1;
    return 0;
}

/* The compiled zone (generated zone.c: the build runs tools/zonec on the ZONE file). */
extern const uint8_t apps_zone_blob[];
extern const size_t apps_zone_len;

void dns_zone_default(struct dns_zone *z)
{
    (void)dns_zone_unpack(z, apps_zone_blob, apps_zone_len);
}

/* Packed form: "UBZ1", origin_len u8, origin, count u16, then per record: name_len u8,
 * name, type u16, ttl u32, rdlen u16, rdata. Checked on the way in, never trusted. */
int dns_zone_unpack(struct dns_zone *z, const uint8_t *p, size_t len)
{
    if (!z)
        return -1;
    zone_fail(z);
    size_t i = 0;
    if (!p || len < 7 || memcmp(p, "UBZ1", 4) != 0)
        return -1;
    i = 4;
    size_t ol = p[i++];
    if (ol == 0 || i + ol + 2 > len)
        return -1;
    memcpy(z->origin, p + i, ol);
    i += ol;
    size_t count = get16(p + i);
    i += 2;
    if (count == 0 || count > DNS_ZONE_MAX_RECORDS)
        return -1;
    int soa = -1;
    for (size_t k = 0; k < count; k++) {
        struct dns_record *r = &z->rec[k];
        if (i >= len)
            return -1;
        size_t nl = p[i++];
        if (nl == 0 || i + nl + 8 > len)
            return -1;
        memcpy(r->name, p + i, nl);
        r->name_len = (uint16_t)nl;
        i += nl;
        r->type = get16(p + i);
        r->ttl = (uint32_t)get16(p + i + 2) << 16 | get16(p + i + 4);
        r->rdlen = get16(p + i + 6);
        i += 8;
        if (r->rdlen > DNS_RDATA_MAX || i + r->rdlen > len)
            return -1;
        memcpy(r->rdata, p + i, r->rdlen);
        i += r->rdlen;
        if (r->type == DNS_T_SOA && nl == ol && memcmp(r->name, p + 5, ol) == 0)
            soa = (int)k;
    }
    if (i != len)
        return -1;
    z->origin_len = (uint16_t)ol;
    z->soa = (int16_t)soa;
    z->count = (uint16_t)count;
    return 0;
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

/* A header-only response: ID, opcode, RD and CD echoed, QR set, all counts zero. */
static size_t header_only(const uint8_t *q, uint8_t *out, size_t outcap, int rcode)
{
    if (outcap < HDR_LEN)
        return 0;
    memset(out, 0, HDR_LEN);
    out[0] = q[0];
    out[1] = q[1];
    out[2] = (uint8_t)(0x80 | (q[2] & 0x78) | (q[2] & 0x01)); /* QR, opcode, RD */
    out[3] = (uint8_t)((q[3] & 0x10) | (rcode & 0x0F));     /* CD, rcode */
    return HDR_LEN;
}

static int same_name(const struct dns_record *r, const uint8_t *name, size_t len)
{
    return r->name_len == len && memcmp(r->name, name, len) == 0;
}

/* The target name inside a record's rdata (NS, CNAME, PTR: at 0; MX: 2; SRV: 6), or NULL. */
static const uint8_t *rdata_target(const struct dns_record *r, size_t *len)
{
    size_t off;
    switch (r->type) {
    case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR: off = 0; break;
    case DNS_T_MX: off = 2; break;
    case DNS_T_SRV: off = 6; break;
    default: return NULL;
    }
    if (off >= r->rdlen)
        return NULL;
    *len = r->rdlen - off;
    return r->rdata + off;
}

/* One record in a response section; ttl overrides r->ttl (negative SOA). */
struct out_rr {
    uint16_t idx;
    uint32_t ttl;
};

struct answer {
    const struct dns_zone *z;
    const uint8_t *qname; /* lower-cased question name */
    size_t qname_len;
    struct out_rr an[MAX_OUT], ns[1], ar[MAX_OUT];
    size_t nan, nns, nar;
};

static size_t rr_size(const struct answer *a, const struct dns_record *r)
{
    size_t owner = same_name(r, a->qname, a->qname_len) ? 2 : r->name_len;
    return owner + 10 + r->rdlen;
}

static size_t put_rr(const struct answer *a, const struct out_rr *o, uint8_t *p)
{
    const struct dns_record *r = &a->z->rec[o->idx];
    size_t n;
    if (same_name(r, a->qname, a->qname_len)) {
        put16(p, 0xC00C);
        n = 2;
    } else {
        memcpy(p, r->name, r->name_len);
        n = r->name_len;
    }
    put16(p + n, r->type);
    put16(p + n + 2, C_IN);
    put32(p + n + 4, o->ttl);
    put16(p + n + 8, r->rdlen);
    memcpy(p + n + 10, r->rdata, r->rdlen);
    return n + 10 + r->rdlen;
}

static int in_section(const struct out_rr *s, size_t n, size_t idx)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].idx == idx)
            return 1;
    return 0;
}

static void add_rrset(struct answer *a, const uint8_t *name, size_t len, uint16_t type)
{
    const struct dns_zone *z = a->z;
    for (size_t i = 0; i < z->count && a->nan < MAX_OUT; i++)
        if (z->rec[i].type == type && same_name(&z->rec[i], name, len) && !in_section(a->an, a->nan, i)) {
            a->an[a->nan].idx = (uint16_t)i;
            a->an[a->nan].ttl = z->rec[i].ttl;
            a->nan++;
        }
}

static void add_negative_soa(struct answer *a)
{
    const struct dns_zone *z = a->z;
    if (z->soa < 0)
        return;
    const struct dns_record *r = &z->rec[z->soa];
    uint32_t ttl = r->ttl;
    if (r->rdlen >= 4) { /* MINIMUM is the last field */
        const uint8_t *m = r->rdata + r->rdlen - 4;
        uint32_t min = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
        if (min < ttl)
            ttl = min;
    }
    a->ns[0].idx = (uint16_t)z->soa;
    a->ns[0].ttl = ttl;
    a->nns = 1;
}

/* Fill the sections for an in-zone question; returns the rcode. */
static int resolve(struct answer *a, uint16_t qtype)
{
    const struct dns_zone *z = a->z;
    const uint8_t *name = a->qname;
    size_t len = a->qname_len;
    int rcode = RC_NOERROR;
    for (int link = 0;; link++) {
        int exists = len == z->origin_len; /* the apex always exists */
        int has_type = 0, has_cname = -1, lowest = -1;
        for (size_t i = 0; i < z->count; i++) {
            const struct dns_record *r = &z->rec[i];
            if (same_name(r, name, len)) {
                exists = 1;
                if (r->type == qtype)
                    has_type = 1;
                if (r->type == DNS_T_CNAME)
                    has_cname = (int)i;
                if (lowest < 0 || r->type < z->rec[lowest].type)
                    lowest = (int)i;
            } else if (!exists && name_is_below(r->name, r->name_len, name, len)) {
                exists = 1; /* empty non-terminal */
            }
        }
        if (!exists) {
            add_negative_soa(a);
            return RC_NXDOMAIN;
        }
        if (qtype == T_ANY && lowest >= 0) {
            add_rrset(a, name, len, z->rec[lowest].type);
            return rcode;
        }
        if (has_type) {
            add_rrset(a, name, len, qtype);
            break;
        }
        if (has_cname >= 0 && qtype != DNS_T_CNAME) {
            size_t before = a->nan;
            add_rrset(a, name, len, DNS_T_CNAME);
            const struct dns_record *c = &z->rec[has_cname];
            if (a->nan == before || link + 1 >= MAX_CHAIN ||
                !name_is_below(c->rdata, c->rdlen, z->origin, z->origin_len))
                return rcode; /* a loop, too long, or leaves the zone: the resolver goes on */
            name = c->rdata;
            len = c->rdlen;
            continue;
        }
        add_negative_soa(a); /* NODATA */
        return rcode;
    }
    /* additional: addresses of in-zone NS/MX/SRV targets */
    for (size_t k = 0; k < a->nan; k++) {
        const struct dns_record *r = &z->rec[a->an[k].idx];
        if (r->type == DNS_T_CNAME)
            continue;
        size_t tl;
        const uint8_t *t = rdata_target(r, &tl);
        if (!t)
            continue;
        for (size_t i = 0; i < z->count && a->nar < MAX_OUT; i++) {
            const struct dns_record *g = &z->rec[i];
            if ((g->type == DNS_T_A || g->type == DNS_T_AAAA) && same_name(g, t, tl) &&
                !in_section(a->an, a->nan, i) && !in_section(a->ar, a->nar, i)) {
                a->ar[a->nar].idx = (uint16_t)i;
                a->ar[a->nar].ttl = g->ttl;
                a->nar++;
            }
        }
    }
    return rcode;
}

static size_t answer(const struct dns_zone *z, const uint8_t *q, size_t qlen, uint8_t *out,
                     size_t outcap, int tcp)
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
    if (tcp)
        limit = DNS_TCP_MAX;
    else if (e.present && e.payload > 512)
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

    struct answer a;
    a.z = z;
    a.qname = name;
    a.qname_len = name_len;
    a.nan = a.nns = a.nar = 0;
    int rcode;
    int aa = 0;
    if (e.present && e.version > 0) {
        rcode = RC_BADVERS;
    } else if (!z || z->count == 0) {
        rcode = RC_SERVFAIL;
    } else if ((qclass != C_IN && qclass != C_ANY) ||
               !name_is_below(name, name_len, z->origin, z->origin_len) ||
               qtype == T_AXFR || qtype == T_IXFR) {
        rcode = RC_REFUSED;
    } else {
        aa = 1;
        rcode = resolve(&a, qtype);
    }

    /* Answer and authority must fit whole (else TC); additional records as far as they fit. */
    size_t need = HDR_LEN + qsec_len + tail;
    for (size_t i = 0; i < a.nan; i++)
        need += rr_size(&a, &z->rec[a.an[i].idx]);
    for (size_t i = 0; i < a.nns; i++)
        need += rr_size(&a, &z->rec[a.ns[i].idx]);
    int tc = 0;
    if (need > limit) {
        tc = 1;
        a.nan = a.nns = a.nar = 0;
    }
    size_t nar = 0;
    for (size_t i = 0; i < a.nar; i++) {
        size_t sz = rr_size(&a, &z->rec[a.ar[i].idx]);
        if (need + sz > limit)
            break;
        need += sz;
        nar++;
    }

    /* header */
    size_t n = header_only(q, out, outcap, rcode);
    out[2] = (uint8_t)(out[2] | (aa ? 0x04 : 0) | (tc ? 0x02 : 0));
    put16(out + 4, 1);
    put16(out + 6, (uint16_t)a.nan);
    put16(out + 8, (uint16_t)a.nns);
    put16(out + 10, (uint16_t)(nar + (e.present ? 1 : 0)));

    /* question, with the client's case */
    memcpy(out + n, q + HDR_LEN, qsec_len);
    n += qsec_len;
    for (size_t i = 0; i < a.nan; i++)
        n += put_rr(&a, &a.an[i], out + n);
    for (size_t i = 0; i < a.nns; i++)
        n += put_rr(&a, &a.ns[i], out + n);
    for (size_t i = 0; i < nar; i++)
        n += put_rr(&a, &a.ar[i], out + n);

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

size_t dns_respond(const struct dns_zone *z, const uint8_t *q, size_t qlen, uint8_t *out,
                   size_t outcap)
{
    return answer(z, q, qlen, out, outcap, 0);
}

size_t dns_respond_tcp(const struct dns_zone *z, const uint8_t *q, size_t qlen, uint8_t *out,
                       size_t outcap)
{
    return answer(z, q, qlen, out, outcap, 1);
}
