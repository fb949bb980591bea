/*
 * zonefile.c - an RFC 1035 master-file reader for the DNS logic (see dns_zone_load in dns.h),
 * and the packed form the build embeds. Freestanding C11 like dns.c, but linked only by the
 * host-side zone compiler (tools/zonec.c), the unit tests and tools: the images carry the
 * compiled zone, not this parser.
 *
 * Accepted: $ORIGIN, $TTL, '@', relative and absolute names, an omitted owner (the previous
 * one), omitted or reordered TTL and class, TTL units (1h30m), ( ... ) across lines, ';'
 * comments, quoted strings with \" \\ \DDD escapes, types A AAAA NS CNAME SOA MX TXT PTR SRV.
 * Refused with a reason: $INCLUDE, classes other than IN, other types, wildcards, NS below
 * the apex (no delegations), CNAME next to other data, a zone without exactly one SOA at the
 * origin or without NS there, names outside the zone, more than DNS_ZONE_MAX_RECORDS records.
 */
#include "dns.h"

#include <string.h>

struct zp {
    const char *s;
    size_t len, pos;
    unsigned line;
    int paren;            /* inside ( ... ) */
    char *err;
    size_t errcap;
    uint8_t origin[DNS_NAME_MAX];
    size_t origin_len;    /* 0: no $ORIGIN yet */
    uint8_t owner[DNS_NAME_MAX];
    size_t owner_len;     /* 0: no previous owner */
    uint32_t ttl;
    int have_ttl;
};

/* ---------------------------------------------------------------- errors */

static void err_append(struct zp *p, size_t *n, const char *s, size_t sl)
{
    for (size_t i = 0; i < sl && *n + 1 < p->errcap; i++)
        p->err[(*n)++] = s[i];
}

/* "LINE: msg[ 'tok']" */
static int fail(struct zp *p, const char *msg, const char *tok, size_t toklen)
{
    if (!p->err || p->errcap == 0)
        return -1;
    char num[12];
    size_t k = 0;
    unsigned v = p->line;
    do {
        num[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < sizeof num);
    size_t n = 0;
    while (k)
        err_append(p, &n, &num[--k], 1);
    err_append(p, &n, ": ", 2);
    err_append(p, &n, msg, strlen(msg));
    if (tok) {
        if (toklen > 40)
            toklen = 40;
        err_append(p, &n, " '", 2);
        err_append(p, &n, tok, toklen);
        err_append(p, &n, "'", 1);
    }
    p->err[n] = 0;
    return -1;
}

/* ---------------------------------------------------------------- tokens */

struct tok {
    const char *s;
    size_t n;
    int quoted;
    int at_line_start; /* the token starts in column 0 */
};

/* Skip blanks, comments and (inside parentheses) line ends. Returns 1 at the end of a
 * logical line or the file, 0 before a token. */
static int skip_space(struct zp *p)
{
    for (;;) {
        if (p->pos >= p->len)
            return 1;
        char c = p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else if (c == ';') {
            while (p->pos < p->len && p->s[p->pos] != '\n')
                p->pos++;
        } else if (c == '(') {
            p->paren++;
            p->pos++;
        } else if (c == ')') {
            if (p->paren)
                p->paren--;
            p->pos++;
        } else if (c == '\n') {
            if (!p->paren)
                return 1;
            p->line++;
            p->pos++;
        } else {
            return 0;
        }
    }
}

/* Next token of the current logical line; returns 0, 1 at the end of the line, -1 error. */
static int next_tok(struct zp *p, struct tok *t)
{
    size_t start = p->pos;
    int eol = skip_space(p);
    t->at_line_start = start == p->pos && (p->pos == 0 || p->s[p->pos - 1] == '\n');
    if (eol)
        return 1;
    t->quoted = 0;
    if (p->s[p->pos] == '"') {
        t->quoted = 1;
        p->pos++;
        t->s = p->s + p->pos;
        while (p->pos < p->len && p->s[p->pos] != '"') {
            if (p->s[p->pos] == '\n')
                return fail(p, "unterminated string", NULL, 0);
            if (p->s[p->pos] == '\\')
                p->pos++;
            p->pos++;
        }
        if (p->pos >= p->len)
            return fail(p, "unterminated string", NULL, 0);
        t->n = (size_t)(p->s + p->pos - t->s);
        p->pos++;
        return 0;
    }
    t->s = p->s + p->pos;
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' || c == ')')
            break;
        if (c == '\\' && p->pos + 1 < p->len)
            p->pos++;
        p->pos++;
    }
    t->n = (size_t)(p->s + p->pos - t->s);
    return 0;
}

/* Move to the start of the next line. */
static void end_line(struct zp *p)
{
    while (p->pos < p->len && p->s[p->pos] != '\n')
        p->pos++;
    if (p->pos < p->len) {
        p->pos++;
        p->line++;
    }
    p->paren = 0;
}

static int tok_eq(const struct tok *t, const char *lit)
{
    size_t n = strlen(lit);
    if (t->n != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t->s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c != lit[i])
            return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- values */

static int parse_u32(const struct tok *t, uint32_t *out)
{
    if (t->n == 0 || t->n > 10)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(t->s[i] - '0');
    }
    if (v > 0xFFFFFFFFu)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A TTL: seconds, or BIND units (1w2d3h4m5s). Must start with a digit. */
static int parse_ttl(const struct tok *t, uint32_t *out)
{
    if (t->n == 0 || t->s[0] < '0' || t->s[0] > '9')
        return -1;
    uint64_t total = 0, cur = 0;
    int digits = 0;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->s[i];
        if (c >= '0' && c <= '9') {
            cur = cur * 10 + (uint64_t)(c - '0');
            digits = 1;
            if (cur > 0xFFFFFFFFu)
                return -1;
            continue;
        }
        uint64_t mul;
        switch (c | 0x20) {
        case 's': mul = 1; break;
        case 'm': mul = 60; break;
        case 'h': mul = 3600; break;
        case 'd': mul = 86400; break;
        case 'w': mul = 604800; break;
        default: return -1;
        }
        if (!digits)
            return -1;
        total += cur * mul;
        cur = 0;
        digits = 0;
    }
    total += cur;
    if (total > 0x7FFFFFFFu) /* RFC 2181 8 */
        return -1;
    *out = (uint32_t)total;
    return 0;
}

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

/* A domain name token -> lower-case wire form. Relative names get the origin appended. */
static int parse_name(struct zp *p, const struct tok *t, uint8_t *out, size_t *outlen)
{
    if (t->quoted || t->n == 0)
        return fail(p, "bad name", t->s, t->n);
    if (t->n == 1 && t->s[0] == '@') {
        if (!p->origin_len)
            return fail(p, "'@' before any $ORIGIN", NULL, 0);
        memcpy(out, p->origin, p->origin_len);
        *outlen = p->origin_len;
        return 0;
    }
    size_t n = 0, i = 0;
    int absolute = 0;
    if (t->n == 1 && t->s[0] == '.') {
        out[0] = 0;
        *outlen = 1;
        return 0;
    }
    while (i < t->n) {
        uint8_t label[64];
        size_t ll = 0;
        while (i < t->n && t->s[i] != '.') {
            uint8_t c = (uint8_t)t->s[i++];
            if (c == '\\') {
                if (i >= t->n)
                    return fail(p, "bad escape in name", t->s, t->n);
                if (t->s[i] >= '0' && t->s[i] <= '9') {
                    if (i + 3 > t->n)
                        return fail(p, "bad escape in name", t->s, t->n);
                    unsigned v = 0;
                    for (int k = 0; k < 3; k++) {
                        char d = t->s[i + (size_t)k];
                        if (d < '0' || d > '9')
                            return fail(p, "bad escape in name", t->s, t->n);
                        v = v * 10 + (unsigned)(d - '0');
                    }
                    if (v > 255)
                        return fail(p, "bad escape in name", t->s, t->n);
                    c = (uint8_t)v;
                    i += 3;
                } else {
                    c = (uint8_t)t->s[i++];
                }
            } else if (c == '*') {
                return fail(p, "wildcards are not supported", t->s, t->n);
            }
            if (ll == 63)
                return fail(p, "label longer than 63 bytes", t->s, t->n);
            label[ll++] = lower(c);
        }
        if (ll == 0)
            return fail(p, "empty label", t->s, t->n);
        if (n + 1 + ll + 1 > DNS_NAME_MAX)
            return fail(p, "name longer than 255 bytes", t->s, t->n);
        out[n++] = (uint8_t)ll;
        memcpy(out + n, label, ll);
        n += ll;
        if (i < t->n) { /* at a dot */
            i++;
            if (i == t->n)
                absolute = 1;
        }
    }
    if (absolute) {
        out[n++] = 0;
    } else {
        if (!p->origin_len)
            return fail(p, "relative name before any $ORIGIN", t->s, t->n);
        if (n + p->origin_len > DNS_NAME_MAX)
            return fail(p, "name longer than 255 bytes", t->s, t->n);
        memcpy(out + n, p->origin, p->origin_len);
        n += p->origin_len;
    }
    *outlen = n;
    return 0;
}

static int parse_ip4(const struct tok *t, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t digits = 0;
        while (i < t->n && t->s[i] >= '0' && t->s[i] <= '9' && digits < 3) {
            v = v * 10 + (unsigned)(t->s[i] - '0');
            i++;
            digits++;
        }
        if (digits == 0 || v > 255)
            return -1;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= t->n || t->s[i] != '.')
                return -1;
            i++;
        }
    }
    return i == t->n ? 0 : -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* IPv6 text (RFC 4291 2.2 forms 1 and 2; no embedded IPv4). */
static int parse_ip6(const struct tok *t, uint8_t out[16])
{
    uint16_t head[8], tail[8];
    size_t nh = 0, nt = 0, i = 0;
    int gap = 0;
    if (t->n >= 2 && t->s[0] == ':' && t->s[1] == ':') {
        gap = 1;
        i = 2;
    } else if (t->n && t->s[0] == ':') {
        return -1;
    }
    while (i < t->n) {
        unsigned v = 0;
        size_t d = 0;
        while (i < t->n && hexval(t->s[i]) >= 0 && d < 4) {
            v = v * 16 + (unsigned)hexval(t->s[i]);
            i++;
            d++;
        }
        if (d == 0)
            return -1;
        if (gap) {
            if (nt == 8) return -1;
            tail[nt++] = (uint16_t)v;
        } else {
            if (nh == 8) return -1;
            head[nh++] = (uint16_t)v;
        }
        if (i == t->n)
            break;
        if (t->s[i] != ':')
            return -1;
        i++;
        if (i < t->n && t->s[i] == ':') {
            if (gap)
                return -1;
            gap = 1;
            i++;
        } else if (i == t->n) {
            return -1;
        }
    }
    if (gap ? nh + nt > 7 : nh != 8)
        return -1;
    memset(out, 0, 16);
    for (size_t k = 0; k < nh; k++) {
        out[2 * k] = (uint8_t)(head[k] >> 8);
        out[2 * k + 1] = (uint8_t)head[k];
    }
    for (size_t k = 0; k < nt; k++) {
        size_t at = 8 - nt + k;
        out[2 * at] = (uint8_t)(tail[k] >> 8);
        out[2 * at + 1] = (uint8_t)tail[k];
    }
    return 0;
}

static void put16(uint8_t *p, uint32_t v)
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

/* ---------------------------------------------------------------- records */

static int need(struct zp *p, struct tok *t, const char *what)
{
    int r = next_tok(p, t);
    if (r < 0)
        return -1;
    if (r == 1)
        return fail(p, what, NULL, 0);
    return 0;
}

static int rd_name(struct zp *p, struct dns_record *r, const char *what)
{
    struct tok t;
    uint8_t name[DNS_NAME_MAX];
    size_t nl;
    if (need(p, &t, what) || parse_name(p, &t, name, &nl))
        return -1;
    if (r->rdlen + nl > DNS_RDATA_MAX)
        return fail(p, "record data too long", NULL, 0);
    memcpy(r->rdata + r->rdlen, name, nl);
    r->rdlen = (uint16_t)(r->rdlen + nl);
    return 0;
}

static int rd_u16(struct zp *p, struct dns_record *r, const char *what)
{
    struct tok t;
    uint32_t v;
    if (need(p, &t, what))
        return -1;
    if (parse_u32(&t, &v) || v > 0xFFFF)
        return fail(p, what, t.s, t.n);
    put16(r->rdata + r->rdlen, v);
    r->rdlen = (uint16_t)(r->rdlen + 2);
    return 0;
}

/* One <character-string> from a token (quoted or not), with escapes. */
static int rd_string(struct zp *p, struct dns_record *r, const struct tok *t)
{
    uint8_t buf[255];
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        uint8_t c = (uint8_t)t->s[i];
        if (c == '\\' && i + 1 < t->n) {
            i++;
            if (t->s[i] >= '0' && t->s[i] <= '9' && i + 2 < t->n + 0 && t->s[i + 1] >= '0' &&
                t->s[i + 1] <= '9' && t->s[i + 2] >= '0' && t->s[i + 2] <= '9') {
                unsigned v = (unsigned)(t->s[i] - '0') * 100 + (unsigned)(t->s[i + 1] - '0') * 10 +
                             (unsigned)(t->s[i + 2] - '0');
                if (v > 255)
                    return fail(p, "bad escape in string", t->s, t->n);
                c = (uint8_t)v;
                i += 2;
            } else {
                c = (uint8_t)t->s[i];
            }
        }
        if (n == 255)
            return fail(p, "string longer than 255 bytes", NULL, 0);
        buf[n++] = c;
    }
    if (r->rdlen + 1 + n > DNS_RDATA_MAX)
        return fail(p, "record data too long", NULL, 0);
    r->rdata[r->rdlen++] = (uint8_t)n;
    memcpy(r->rdata + r->rdlen, buf, n);
    r->rdlen = (uint16_t)(r->rdlen + n);
    return 0;
}

static int parse_rdata(struct zp *p, struct dns_record *r)
{
    struct tok t;
    r->rdlen = 0;
    switch (r->type) {
    case DNS_T_A:
        if (need(p, &t, "A needs an address"))
            return -1;
        if (parse_ip4(&t, r->rdata))
            return fail(p, "bad IPv4 address", t.s, t.n);
        r->rdlen = 4;
        break;
    case DNS_T_AAAA:
        if (need(p, &t, "AAAA needs an address"))
            return -1;
        if (parse_ip6(&t, r->rdata))
            return fail(p, "bad IPv6 address", t.s, t.n);
        r->rdlen = 16;
        break;
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR:
        if (rd_name(p, r, "missing target name"))
            return -1;
        break;
    case DNS_T_MX:
        if (rd_u16(p, r, "MX needs a preference") || rd_name(p, r, "MX needs an exchange"))
            return -1;
        break;
    case DNS_T_SRV:
        if (rd_u16(p, r, "SRV needs a priority") || rd_u16(p, r, "SRV needs a weight") ||
            rd_u16(p, r, "SRV needs a port") || rd_name(p, r, "SRV needs a target"))
            return -1;
        break;
    case DNS_T_SOA:
        if (rd_name(p, r, "SOA needs MNAME") || rd_name(p, r, "SOA needs RNAME"))
            return -1;
        for (int i = 0; i < 5; i++) {
            static const char *what[] = {"SOA needs SERIAL", "SOA needs REFRESH", "SOA needs RETRY",
                                         "SOA needs EXPIRE", "SOA needs MINIMUM"};
            uint32_t v;
            if (need(p, &t, what[i]))
                return -1;
            if (i == 0 ? parse_u32(&t, &v) : parse_ttl(&t, &v))
                return fail(p, what[i], t.s, t.n);
            if (r->rdlen + 4 > DNS_RDATA_MAX)
                return fail(p, "record data too long", NULL, 0);
            put32(r->rdata + r->rdlen, v);
            r->rdlen = (uint16_t)(r->rdlen + 4);
        }
        break;
    case DNS_T_TXT: {
        int any = 0;
        for (;;) {
            int e = next_tok(p, &t);
            if (e < 0)
                return -1;
            if (e == 1)
                break;
            if (rd_string(p, r, &t))
                return -1;
            any = 1;
        }
        if (!any)
            return fail(p, "TXT needs a string", NULL, 0);
        return 0;
    }
    default:
        return fail(p, "unsupported type", NULL, 0);
    }
    if (next_tok(p, &t) == 0)
        return fail(p, "unexpected data after the record", t.s, t.n);
    return 0;
}

static int type_of(const struct tok *t)
{
    static const struct { const char *name; int type; } types[] = {
        {"A", DNS_T_A}, {"NS", DNS_T_NS}, {"CNAME", DNS_T_CNAME}, {"SOA", DNS_T_SOA},
        {"PTR", DNS_T_PTR}, {"MX", DNS_T_MX}, {"TXT", DNS_T_TXT}, {"AAAA", DNS_T_AAAA},
        {"SRV", DNS_T_SRV},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (tok_eq(t, types[i].name))
            return types[i].type;
    return 0;
}

static int is_known_class(const struct tok *t)
{
    return tok_eq(t, "CH") || tok_eq(t, "HS") || tok_eq(t, "CS") || tok_eq(t, "ANY");
}

static int name_below(const uint8_t *name, size_t len, const uint8_t *suffix, size_t slen)
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

static int check_zone(struct zp *p, struct dns_zone *z)
{
    int soa = -1, ns = 0;
    for (size_t i = 0; i < z->count; i++) {
        struct dns_record *r = &z->rec[i];
        int apex = r->name_len == z->origin_len && !memcmp(r->name, z->origin, z->origin_len);
        if (!name_below(r->name, r->name_len, z->origin, z->origin_len))
            return fail(p, "record outside the zone", NULL, 0);
        if (r->type == DNS_T_SOA) {
            if (!apex)
                return fail(p, "SOA below the apex", NULL, 0);
            if (soa >= 0)
                return fail(p, "more than one SOA", NULL, 0);
            soa = (int)i;
        }
        if (r->type == DNS_T_NS) {
            if (!apex)
                return fail(p, "NS below the apex: delegations are not supported", NULL, 0);
            ns++;
        }
        for (size_t k = 0; k < z->count; k++) {
            struct dns_record *o = &z->rec[k];
            if (k == i || o->name_len != r->name_len || memcmp(o->name, r->name, r->name_len))
                continue;
            if (r->type == DNS_T_CNAME && o->type != DNS_T_CNAME)
                return fail(p, "CNAME and other data at the same name", NULL, 0);
            if (r->type == DNS_T_CNAME && k > i)
                return fail(p, "more than one CNAME at the same name", NULL, 0);
            if (k > i && o->type == r->type && o->rdlen == r->rdlen &&
                !memcmp(o->rdata, r->rdata, r->rdlen))
                return fail(p, "duplicate record", NULL, 0);
        }
    }
    if (soa < 0)
        return fail(p, "no SOA at the zone's origin", NULL, 0);
    if (!ns)
        return fail(p, "no NS at the zone's origin", NULL, 0);
    z->soa = (int16_t)soa;
    return 0;
}

int dns_zone_load(struct dns_zone *z, const char *text, size_t len, const char *origin,
                  char *err, size_t errcap)
{
    struct zp p;
    memset(&p, 0, sizeof p);
    p.s = text;
    p.len = text ? len : 0;
    p.line = 1;
    p.err = err;
    p.errcap = errcap;
    if (err && errcap)
        err[0] = 0;
    if (!z)
        return -1;
    z->count = 0;
    z->origin_len = 0;
    z->soa = -1;
    if (origin) {
        struct tok t = {origin, strlen(origin), 0, 0};
        if (t.n == 0 || t.s[t.n - 1] != '.') {
            p.line = 0;
            return fail(&p, "origin must be absolute (end with a dot)", origin, t.n);
        }
        if (parse_name(&p, &t, p.origin, &p.origin_len))
            return -1;
    }
    int soa_seen = 0;
    int status = 0;
    while (p.pos < p.len) {
        struct tok t;
        int e = next_tok(&p, &t);
        if (e < 0) {
            status = -1;
            break;
        }
        if (e == 1) { /* empty line */
            end_line(&p);
            continue;
        }
        if (t.s[0] == '$' && t.at_line_start) {
            struct tok v;
            if (tok_eq(&t, "$ORIGIN")) {
                if (need(&p, &v, "$ORIGIN needs a name")) { status = -1; break; }
                if (v.n == 0 || v.s[v.n - 1] != '.') {
                    status = fail(&p, "$ORIGIN must be absolute (end with a dot)", v.s, v.n);
                    break;
                }
                if (parse_name(&p, &v, p.origin, &p.origin_len)) { status = -1; break; }
            } else if (tok_eq(&t, "$TTL")) {
                if (need(&p, &v, "$TTL needs a value")) { status = -1; break; }
                if (parse_ttl(&v, &p.ttl)) { status = fail(&p, "bad $TTL", v.s, v.n); break; }
                p.have_ttl = 1;
            } else if (tok_eq(&t, "$INCLUDE")) {
                status = fail(&p, "$INCLUDE is not supported", NULL, 0);
                break;
            } else {
                status = fail(&p, "unknown directive", t.s, t.n);
                break;
            }
            if (next_tok(&p, &v) == 0) {
                status = fail(&p, "unexpected data after the directive", v.s, v.n);
                break;
            }
            end_line(&p);
            continue;
        }
        if (z->count == DNS_ZONE_MAX_RECORDS) {
            status = fail(&p, "too many records (this build holds DNS_ZONE_MAX_RECORDS = 64)", NULL, 0);
            break;
        }
        struct dns_record *r = &z->rec[z->count];
        /* owner */
        if (t.at_line_start) {
            size_t nl;
            if (parse_name(&p, &t, p.owner, &nl)) { status = -1; break; }
            p.owner_len = nl;
            if (need(&p, &t, "missing type")) { status = -1; break; }
        } else if (!p.owner_len) {
            status = fail(&p, "no owner name (the first record must start in column 0)", NULL, 0);
            break;
        }
        /* [ttl] [class] type, TTL and class in either order */
        int have_ttl = 0, have_class = 0, type = 0;
        uint32_t ttl = 0;
        for (;;) {
            if (!have_ttl && t.s[0] >= '0' && t.s[0] <= '9' && !t.quoted) {
                if (parse_ttl(&t, &ttl)) { status = fail(&p, "bad TTL", t.s, t.n); break; }
                have_ttl = 1;
            } else if (!have_class && tok_eq(&t, "IN")) {
                have_class = 1;
            } else if (is_known_class(&t)) {
                status = fail(&p, "only class IN is supported", t.s, t.n);
                break;
            } else {
                type = type_of(&t);
                if (!type) {
                    status = fail(&p, "unsupported or unknown type", t.s, t.n);
                    break;
                }
                break;
            }
            if (need(&p, &t, "missing type")) { status = -1; break; }
        }
        if (status)
            break;
        memcpy(r->name, p.owner, p.owner_len);
        r->name_len = (uint16_t)p.owner_len;
        r->type = (uint16_t)type;
        if (parse_rdata(&p, r)) { status = -1; break; }
        if (type == DNS_T_SOA && !soa_seen) {
            soa_seen = 1;
            if (!p.origin_len) {
                memcpy(p.origin, r->name, r->name_len);
                p.origin_len = r->name_len;
            }
            memcpy(z->origin, r->name, r->name_len);
            z->origin_len = r->name_len;
            if (!have_ttl && !p.have_ttl) { /* RFC 1035: the SOA MINIMUM is the default */
                const uint8_t *m = r->rdata + r->rdlen - 4;
                p.ttl = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
                p.have_ttl = 1;
            }
        }
        if (!have_ttl) {
            if (!p.have_ttl) {
                status = fail(&p, "no TTL (give one, or $TTL)", NULL, 0);
                break;
            }
            ttl = p.ttl;
        }
        r->ttl = ttl;
        z->count++;
        end_line(&p);
    }
    if (status == 0 && !soa_seen) {
        status = fail(&p, "no SOA record", NULL, 0);
    }
    if (status == 0)
        status = check_zone(&p, z);
    if (status) {
        z->count = 0;
        z->origin_len = 0;
        z->soa = -1;
        return -1;
    }
    return 0;
}

size_t dns_zone_pack(const struct dns_zone *z, uint8_t *out, size_t cap)
{
    if (!z || z->count == 0 || z->origin_len == 0 || cap < 7)
        return 0;
    size_t n = 0;
    memcpy(out, "UBZ1", 4);
    n = 4;
    if (n + 1 + z->origin_len + 2 > cap)
        return 0;
    out[n++] = (uint8_t)z->origin_len;
    memcpy(out + n, z->origin, z->origin_len);
    n += z->origin_len;
    put16(out + n, z->count);
    n += 2;
    for (size_t i = 0; i < z->count; i++) {
        const struct dns_record *r = &z->rec[i];
        if (n + 1 + r->name_len + 8 + r->rdlen > cap)
            return 0;
        out[n++] = (uint8_t)r->name_len;
        memcpy(out + n, r->name, r->name_len);
        n += r->name_len;
        put16(out + n, r->type);
        put32(out + n + 2, r->ttl);
        put16(out + n + 6, r->rdlen);
        n += 8;
        memcpy(out + n, r->rdata, r->rdlen);
        n += r->rdlen;
    }
    return n;
}
