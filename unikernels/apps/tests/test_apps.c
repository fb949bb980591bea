/*
 * Host unit tests for the portable DNS and HTTP logic. Built with ASan/UBSan by
 * `make -C unikernels/apps test`; every input and output buffer is heap-allocated at its
 * exact size so that any out-of-bounds access is reported.
 * Prints "N passed, M failed" and exits non-zero on failure.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dnsstats.h"
#include "http.h"

#ifndef CORPUS_DIR
#define CORPUS_DIR "tests/corpus"
#endif

static int g_passed, g_failed, g_case_failed;
static const char *g_case;

static void fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL %s (%s:%d): ", g_case, file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    g_case_failed = 1;
}

#define CHECK(cond) do { if (!(cond)) fail(__FILE__, __LINE__, "%s", #cond); } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
    if (_a != _b) fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, _a, #b, _b); } while (0)

static void run(const char *name, void (*fn)(void))
{
    g_case = name;
    g_case_failed = 0;
    fn();
    if (g_case_failed)
        g_failed++;
    else
        g_passed++;
}

/* ================================================================ DNS helpers */

static size_t put_name(uint8_t *p, const char *text)
{
    size_t n = 0;
    const char *s = text;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        if (l) {
            p[n++] = (uint8_t)l;
            memcpy(p + n, s, l);
            n += l;
        }
        if (!dot)
            break;
        s = dot + 1;
    }
    p[n++] = 0;
    return n;
}

struct qopt {
    uint16_t id, flags, qtype, qclass;
    int edns;
    uint16_t payload;
    uint8_t version;
};

static struct qopt qdef(void)
{
    struct qopt o = {0xBEEF, 0x0100, 1, 1, 0, 1232, 0};
    return o;
}

static size_t build_query(uint8_t *p, const char *name, struct qopt o)
{
    memset(p, 0, 12);
    p[0] = (uint8_t)(o.id >> 8);
    p[1] = (uint8_t)o.id;
    p[2] = (uint8_t)(o.flags >> 8);
    p[3] = (uint8_t)o.flags;
    p[5] = 1;
    p[11] = o.edns ? 1 : 0;
    size_t n = 12 + put_name(p + 12, name);
    p[n++] = (uint8_t)(o.qtype >> 8);
    p[n++] = (uint8_t)o.qtype;
    p[n++] = (uint8_t)(o.qclass >> 8);
    p[n++] = (uint8_t)o.qclass;
    if (o.edns) {
        uint8_t opt[11] = {0, 0, 41, (uint8_t)(o.payload >> 8), (uint8_t)o.payload, 0, o.version,
                           0, 0, 0, 0};
        memcpy(p + n, opt, 11);
        n += 11;
    }
    return n;
}

struct dresp {
    size_t len;
    uint8_t buf[2048];
};

/* Run dns_respond with exact-size heap copies of the query and the output buffer. */
static size_t respond_exact(const struct dns_zone *z, const uint8_t *q, size_t qlen,
                            size_t outcap, struct dresp *r)
{
    uint8_t *qc = malloc(qlen ? qlen : 1);
    uint8_t *out = malloc(outcap ? outcap : 1);
    memcpy(qc, q, qlen);
    size_t n = dns_respond(z, qc, qlen, out, outcap);
    if (n > outcap)
        fail(__FILE__, __LINE__, "response %zu > outcap %zu", n, outcap);
    else if (r) {
        memcpy(r->buf, out, n);
        r->len = n;
    }
    free(qc);
    free(out);
    return n;
}

static struct dns_zone g_zone;

static size_t ask(const char *name, struct qopt o, struct dresp *r)
{
    uint8_t q[600];
    size_t qlen = build_query(q, name, o);
    return respond_exact(&g_zone, q, qlen, 1500, r);
}

static unsigned u16(const uint8_t *p) { return (unsigned)(p[0] << 8 | p[1]); }
static int rcode(const struct dresp *r) { return r->buf[3] & 0x0F; }
static int flag_aa(const struct dresp *r) { return (r->buf[2] >> 2) & 1; }
static int flag_tc(const struct dresp *r) { return (r->buf[2] >> 1) & 1; }
static int flag_qr(const struct dresp *r) { return (r->buf[2] >> 7) & 1; }
static int flag_rd(const struct dresp *r) { return r->buf[2] & 1; }
static unsigned ancount(const struct dresp *r) { return u16(r->buf + 6); }
static unsigned arcount(const struct dresp *r) { return u16(r->buf + 10); }

/* ================================================================ DNS tests */

static void t_dns_a_answer(void)
{
    struct dresp r;
    struct qopt o = qdef();
    uint8_t q[600];
    size_t qlen = build_query(q, "www.cetic.be", o);
    CHECK(respond_exact(&g_zone, q, qlen, 512, &r) > 0);
    CHECK_EQ(u16(r.buf), 0xBEEF);
    CHECK(flag_qr(&r));
    CHECK(flag_aa(&r));
    CHECK(!flag_tc(&r));
    CHECK(flag_rd(&r));
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(u16(r.buf + 4), 1);
    CHECK_EQ(ancount(&r), 1);
    CHECK_EQ(u16(r.buf + 8), 0);
    CHECK_EQ(arcount(&r), 0);
    CHECK(memcmp(r.buf + 12, q + 12, qlen - 12) == 0); /* question echoed */
    const uint8_t *a = r.buf + qlen;
    CHECK_EQ(r.len, qlen + 16);
    CHECK_EQ(u16(a), 0xC00C); /* compression pointer to the question name */
    CHECK_EQ(u16(a + 2), 1);
    CHECK_EQ(u16(a + 4), 1);
    CHECK_EQ(u16(a + 6) << 16 | u16(a + 8), 300);
    CHECK_EQ(u16(a + 10), 4);
    CHECK(memcmp(a + 12, "\x0a\x00\x00\x05", 4) == 0);
}

static void t_dns_apex_and_internship(void)
{
    struct dresp r;
    ask("cetic.be", qdef(), &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 1);
    ask("internship.cetic.be.", qdef(), &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 1);
}

static void t_dns_case_echo(void)
{
    struct dresp r;
    uint8_t q[600];
    size_t qlen = build_query(q, "WwW.CeTiC.bE", qdef());
    respond_exact(&g_zone, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 1);
    CHECK(memcmp(r.buf + 12, "\x03WwW\x05" "CeTiC\x02" "bE", 13) == 0);
}

static void t_dns_nxdomain(void)
{
    struct dresp r;
    ask("nope.cetic.be", qdef(), &r);
    CHECK_EQ(rcode(&r), 3);
    CHECK(flag_aa(&r));
    CHECK_EQ(ancount(&r), 0);
    ask("a.www.cetic.be", qdef(), &r);
    CHECK_EQ(rcode(&r), 3);
}

static void t_dns_refused(void)
{
    struct dresp r;
    ask("example.org", qdef(), &r);
    CHECK_EQ(rcode(&r), 5);
    CHECK(!flag_aa(&r));
    CHECK_EQ(ancount(&r), 0);
    CHECK_EQ(u16(r.buf + 4), 1);
    ask("xcetic.be", qdef(), &r); /* suffix match must be on a label boundary */
    CHECK_EQ(rcode(&r), 5);
    ask("be", qdef(), &r);
    CHECK_EQ(rcode(&r), 5);
    struct qopt o = qdef();
    o.qclass = 3; /* CHAOS */
    ask("www.cetic.be", o, &r);
    CHECK_EQ(rcode(&r), 5);
}

static void t_dns_other_types(void)
{
    struct dresp r;
    uint16_t types[] = {28, 15, 16, 6, 2};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        struct qopt o = qdef();
        o.qtype = types[i];
        ask("www.cetic.be", o, &r);
        CHECK_EQ(rcode(&r), 0);
        CHECK(flag_aa(&r));
        CHECK_EQ(ancount(&r), 0);
    }
    struct qopt o = qdef();
    o.qtype = 255; /* ANY returns the A records */
    ask("www.cetic.be", o, &r);
    CHECK_EQ(ancount(&r), 1);
}

static void t_dns_rd_copied(void)
{
    struct dresp r;
    struct qopt o = qdef();
    o.flags = 0x0000;
    ask("www.cetic.be", o, &r);
    CHECK(!flag_rd(&r));
    CHECK_EQ(r.buf[3] & 0x80, 0); /* RA never set */
    o.flags = 0x0100;
    ask("www.cetic.be", o, &r);
    CHECK(flag_rd(&r));
}

static void t_dns_notimp(void)
{
    struct dresp r;
    struct qopt o = qdef();
    o.flags = 0x2100; /* opcode 4 (NOTIFY), RD */
    ask("www.cetic.be", o, &r);
    CHECK_EQ(rcode(&r), 4);
    CHECK_EQ((r.buf[2] >> 3) & 0xF, 4);
    CHECK(flag_qr(&r));
    CHECK_EQ(u16(r.buf), 0xBEEF);
}

static void t_dns_formerr(void)
{
    struct dresp r;
    uint8_t q[600];
    size_t qlen;
    /* qdcount 0 and 2 */
    qlen = build_query(q, "www.cetic.be", qdef());
    q[5] = 0;
    respond_exact(&g_zone, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    CHECK_EQ(r.len, 12);
    q[5] = 2;
    respond_exact(&g_zone, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    /* truncated question: every prefix of the question */
    qlen = build_query(q, "www.cetic.be", qdef());
    for (size_t cut = 12; cut < qlen; cut++) {
        CHECK(respond_exact(&g_zone, q, cut, 512, &r) == 12);
        CHECK_EQ(rcode(&r), 1);
    }
    /* compression in the question, including a pointer to itself */
    uint8_t comp[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1};
    respond_exact(&g_zone, comp, sizeof comp, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    /* label length byte > 63 (reserved label types 0x40, 0x80) */
    uint8_t big[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 'a', 0, 0, 1, 0, 1};
    respond_exact(&g_zone, big, sizeof big, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    big[12] = 0x80;
    respond_exact(&g_zone, big, sizeof big, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    /* name > 255 bytes */
    memset(q, 0, sizeof q);
    q[5] = 1;
    size_t n = 12;
    for (int l = 0; l < 4; l++) {
        q[n++] = 63;
        memset(q + n, 'a', 63);
        n += 63;
    }
    q[n++] = 0;
    q[n + 1] = 1;
    q[n + 3] = 1;
    n += 4;
    respond_exact(&g_zone, q, n, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    /* exactly 255 bytes is fine (NXDOMAIN in zone) */
    memset(q, 0, sizeof q);
    q[5] = 1;
    n = 12;
    for (int l = 0; l < 3; l++) {
        q[n++] = 63;
        memset(q + n, 'a', 63);
        n += 63;
    }
    q[n++] = 52;
    memset(q + n, 'b', 52);
    n += 52;
    n += put_name(q + n, "cetic.be");
    CHECK_EQ(n - 12, 255);
    q[n + 1] = 1;
    q[n + 3] = 1;
    n += 4;
    respond_exact(&g_zone, q, n, 512, &r);
    CHECK_EQ(rcode(&r), 3);
}

static void t_dns_counts_lie(void)
{
    struct dresp r;
    uint8_t q[600];
    size_t qlen = build_query(q, "www.cetic.be", qdef());
    q[11] = 3; /* arcount 3, nothing there */
    respond_exact(&g_zone, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    q[11] = 0;
    q[6] = 0xFF; /* ancount 65280 */
    respond_exact(&g_zone, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    q[6] = 0;
    /* an additional record whose rdlength runs past the end */
    uint8_t tail[] = {0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0x01, 0x00};
    memcpy(q + qlen, tail, sizeof tail);
    q[11] = 1;
    respond_exact(&g_zone, q, qlen + sizeof tail, 512, &r);
    CHECK_EQ(rcode(&r), 1);
    /* a compressed owner name pointing to itself in the additional section: skipped,
     * not followed; the record is then truncated -> FORMERR, and no hang */
    uint8_t loop[] = {0xC0, (uint8_t)qlen, 0, 1, 0, 1};
    memcpy(q + qlen, loop, sizeof loop);
    respond_exact(&g_zone, q, qlen + sizeof loop, 512, &r);
    CHECK_EQ(rcode(&r), 1);
}

static void t_dns_drop(void)
{
    uint8_t q[600];
    size_t qlen = build_query(q, "www.cetic.be", qdef());
    for (size_t cut = 0; cut < 12; cut++)
        CHECK_EQ(respond_exact(&g_zone, q, cut, 512, NULL), 0);
    q[2] |= 0x80; /* QR: a response */
    CHECK_EQ(respond_exact(&g_zone, q, qlen, 512, NULL), 0);
    q[2] &= 0x7F;
    CHECK_EQ(respond_exact(&g_zone, q, qlen, 11, NULL), 0); /* no room for a header */
}

static void t_dns_edns(void)
{
    struct dresp r;
    struct qopt o = qdef();
    o.edns = 1;
    o.payload = 4096;
    ask("www.cetic.be", o, &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 1);
    CHECK_EQ(arcount(&r), 1);
    const uint8_t *opt = r.buf + r.len - 11;
    CHECK_EQ(opt[0], 0);
    CHECK_EQ(u16(opt + 1), 41);
    CHECK_EQ(u16(opt + 3), 1232);
    CHECK_EQ(opt[5], 0); /* extended rcode */
    CHECK_EQ(opt[6], 0); /* version */
    CHECK_EQ(u16(opt + 9), 0);
    /* BADVERS */
    o.version = 1;
    ask("www.cetic.be", o, &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 0);
    CHECK_EQ(arcount(&r), 1);
    opt = r.buf + r.len - 11;
    CHECK_EQ(u16(opt + 1), 41);
    CHECK_EQ(opt[5], 1); /* 16 >> 4 */
    CHECK_EQ(opt[6], 0);
    /* NXDOMAIN with EDNS keeps the OPT */
    o.version = 0;
    ask("nope.cetic.be", o, &r);
    CHECK_EQ(rcode(&r), 3);
    CHECK_EQ(arcount(&r), 1);
}

static void t_dns_truncation(void)
{
    struct dns_zone z;
    char spec[2048] = "big.test:";
    for (int i = 0; i < DNS_ZONE_MAX_RECORDS; i++) {
        char e[32];
        snprintf(e, sizeof e, "%sx=10.0.0.%d", i ? "," : "", i + 1);
        strcat(spec, e);
    }
    CHECK_EQ(dns_zone_parse(&z, spec), 0);
    CHECK_EQ(z.count, DNS_ZONE_MAX_RECORDS);
    uint8_t q[600];
    struct dresp r;
    struct qopt o = qdef();
    size_t qlen = build_query(q, "x.big.test", o); /* 12+16 = 28; 28+32*16 = 540 > 512 */
    CHECK(respond_exact(&z, q, qlen, 1500, &r) > 0);
    CHECK(flag_tc(&r));
    CHECK_EQ(ancount(&r), 0);
    CHECK(r.len <= 512);
    o.edns = 1;
    o.payload = 1232;
    qlen = build_query(q, "x.big.test", o);
    respond_exact(&z, q, qlen, 1500, &r);
    CHECK(!flag_tc(&r));
    CHECK_EQ(ancount(&r), DNS_ZONE_MAX_RECORDS);
    CHECK_EQ(r.len, qlen - 11 + DNS_ZONE_MAX_RECORDS * 16 + 11);
    CHECK_EQ(r.buf[qlen - 11 + (DNS_ZONE_MAX_RECORDS - 1) * 16 + 15], DNS_ZONE_MAX_RECORDS);
    /* EDNS payload smaller than 512 counts as 512 */
    o.payload = 100;
    qlen = build_query(q, "x.big.test", o);
    respond_exact(&z, q, qlen, 1500, &r);
    CHECK(flag_tc(&r));
    CHECK_EQ(arcount(&r), 1);
    /* the caller's buffer is a limit too */
    o.payload = 1232;
    qlen = build_query(q, "x.big.test", o);
    respond_exact(&z, q, qlen, 300, &r);
    CHECK(flag_tc(&r));
    CHECK(r.len <= 300);
    /* buffer too small for the question: header only, TC */
    CHECK_EQ(respond_exact(&z, q, qlen, 20, &r), 12);
    CHECK(flag_tc(&r));
}

static void t_dns_zone_parse(void)
{
    struct dns_zone z;
    struct dresp r;
    CHECK_EQ(dns_zone_parse(&z, "Example.COM.:@=1.2.3.4,a.b=5.6.7.8,www=9.9.9.9,www=8.8.8.8"), 0);
    CHECK_EQ(z.count, 4);
    uint8_t q[600];
    size_t qlen = build_query(q, "a.b.example.com", qdef());
    respond_exact(&z, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 1);
    CHECK(memcmp(r.buf + r.len - 4, "\x05\x06\x07\x08", 4) == 0);
    qlen = build_query(q, "b.example.com", qdef()); /* empty non-terminal */
    respond_exact(&z, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 0);
    qlen = build_query(q, "WWW.example.com", qdef());
    respond_exact(&z, q, qlen, 512, &r);
    CHECK_EQ(ancount(&r), 2);
    qlen = build_query(q, "c.example.com", qdef());
    respond_exact(&z, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 3);
    qlen = build_query(q, "cetic.be", qdef());
    respond_exact(&z, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 5);

    const char *bad[] = {
        "", "cetic.be", ":@=1.2.3.4", "cetic.be:", "cetic.be:@", "cetic.be:@=",
        "cetic.be:=1.2.3.4", "cetic.be:@=1.2.3", "cetic.be:@=1.2.3.4.5", "cetic.be:@=256.1.1.1",
        "cetic.be:@=1.2.3.4,", "cetic.be:@=1.2.3.4,,www=1.2.3.4", "cetic..be:@=1.2.3.4",
        "cetic.be:w w=1.2.3.4", "cetic.be:@=1.2.3.4x", "cetic.be:@=01234.1.1.1",
        "cetic.be:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1.1.1.1",
        "cetic.be:www.=1.1.1.1", "cetic.be:@@=1.1.1.1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (dns_zone_parse(&z, bad[i]) != -1)
            fail(__FILE__, __LINE__, "spec \"%s\" accepted", bad[i]);
        CHECK_EQ(z.count, 0);
    }
    /* 33 records */
    char spec[2048] = "t:";
    for (int i = 0; i <= DNS_ZONE_MAX_RECORDS; i++) {
        char e[32];
        snprintf(e, sizeof e, "%sh%d=10.0.0.1", i ? "," : "", i);
        strcat(spec, e);
    }
    CHECK_EQ(dns_zone_parse(&z, spec), -1);
    /* a name that would exceed 255 bytes with the origin */
    char longspec[1024];
    strcpy(longspec, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:"
                     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
                     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=1.1.1.1");
    CHECK_EQ(dns_zone_parse(&z, longspec), -1);
    /* an unusable zone answers SERVFAIL rather than anything made up */
    qlen = build_query(q, "www.cetic.be", qdef());
    respond_exact(&z, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 2);
    /* the root as origin */
    CHECK_EQ(dns_zone_parse(&z, ".:host=1.2.3.4"), 0);
    qlen = build_query(q, "host", qdef());
    respond_exact(&z, q, qlen, 512, &r);
    CHECK_EQ(ancount(&r), 1);
    qlen = build_query(q, "other.org", qdef());
    respond_exact(&z, q, qlen, 512, &r);
    CHECK_EQ(rcode(&r), 3);
}

/* ---- zone files (zonefile.c), SOA/NS, negative answers, CNAME, ANY, TCP ---- */

static const char TEST_ZONE[] =
    "; a test zone\n"
    "$ORIGIN example.org.\n"
    "$TTL 1h\n"
    "@   IN SOA ns1 hostmaster.example.org. ( 7 3600 600\n"
    "          86400 ; expire\n"
    "          60 )\n"
    "    IN NS ns1\n"
    "    NS ns2.example.net.\n"
    "    MX 10 mail\n"
    "    TXT \"v=spf1 -all\" \"two\\\"q\"\n"
    "ns1 300 IN A 192.0.2.53\n"
    "ns1 IN 300 AAAA 2001:db8::53\n"
    "mail A 192.0.2.25\n"
    "www A 192.0.2.80\n"
    "    A 192.0.2.81\n"
    "alias CNAME www\n"
    "loop1 CNAME loop2\n"
    "loop2 CNAME loop1\n"
    "dangling CNAME nothere\n"
    "ext CNAME www.example.net.\n"
    "_http._tcp SRV 0 5 80 www\n"
    "a.b.c A 192.0.2.1\n";

static struct dns_zone g_tz;

static size_t ask_z(const struct dns_zone *z, const char *name, uint16_t qtype, struct dresp *r)
{
    uint8_t q[600];
    struct qopt o = qdef();
    o.qtype = qtype;
    size_t qlen = build_query(q, name, o);
    return respond_exact(z, q, qlen, 1500, r);
}
static unsigned nscount(const struct dresp *r) { return u16(r->buf + 8); }

/* Offset of the first record after the question. */
static size_t after_question(const struct dresp *r)
{
    size_t i = 12;
    while (r->buf[i])
        i += 1 + r->buf[i];
    return i + 5;
}

/* Skip one record at off; returns the offset after it and its type. */
static size_t skip_rr(const struct dresp *r, size_t off, unsigned *type, uint32_t *ttl)
{
    if ((r->buf[off] & 0xC0) == 0xC0)
        off += 2;
    else {
        while (r->buf[off])
            off += 1 + r->buf[off];
        off++;
    }
    *type = u16(r->buf + off);
    *ttl = (uint32_t)u16(r->buf + off + 4) << 16 | u16(r->buf + off + 6);
    return off + 10 + u16(r->buf + off + 8);
}

static void t_zone_load(void)
{
    char err[128];
    CHECK_EQ(dns_zone_load(&g_tz, TEST_ZONE, strlen(TEST_ZONE), NULL, err, sizeof err), 0);
    if (err[0])
        fprintf(stderr, "  zone error: %s\n", err);
    CHECK_EQ(g_tz.count, 17);
    CHECK_EQ(g_tz.soa, 0);
    CHECK(memcmp(g_tz.origin, "\x07" "example\x03" "org", 13) == 0);
    /* TTLs: $TTL 1h, explicit 300 in both orders */
    CHECK_EQ(g_tz.rec[0].ttl, 3600);
    CHECK_EQ(g_tz.rec[5].ttl, 300);
    CHECK_EQ(g_tz.rec[6].ttl, 300);
    CHECK_EQ(g_tz.rec[6].type, DNS_T_AAAA);
    CHECK(memcmp(g_tz.rec[6].rdata, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x53", 16) == 0);
    /* TXT with two strings and an escaped quote */
    CHECK_EQ(g_tz.rec[4].type, DNS_T_TXT);
    CHECK_EQ(g_tz.rec[4].rdlen, 1 + 11 + 1 + 5);
    CHECK(memcmp(g_tz.rec[4].rdata + 12, "\x05two\"q", 6) == 0);
    /* SOA rdata: relative MNAME completed, MINIMUM last */
    CHECK(memcmp(g_tz.rec[0].rdata, "\x03ns1\x07" "example\x03" "org\0", 17) == 0);
    CHECK_EQ(g_tz.rec[0].rdata[g_tz.rec[0].rdlen - 1], 60);
    /* pack/unpack round trip */
    static uint8_t blob[65536];
    static struct dns_zone back;
    size_t n = dns_zone_pack(&g_tz, blob, sizeof blob);
    CHECK(n > 0);
    CHECK_EQ(dns_zone_unpack(&back, blob, n), 0);
    CHECK_EQ(back.count, g_tz.count);
    CHECK_EQ(back.soa, 0);
    CHECK(memcmp(back.rec[16].name, g_tz.rec[16].name, g_tz.rec[16].name_len) == 0);
    for (size_t cut = 0; cut < n; cut++) /* every truncation is refused */
        if (dns_zone_unpack(&back, blob, cut) == 0)
            fail(__FILE__, __LINE__, "unpack accepted %zu of %zu bytes", cut, n);
    CHECK_EQ(back.count, 0);
}

static void t_zone_errors(void)
{
    static struct dns_zone z;
    const char *soa = "$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 10.0.0.1\n";
    char err[128];
    CHECK_EQ(dns_zone_load(&z, soa, strlen(soa), NULL, err, sizeof err), 0);
    struct { const char *text; const char *why; } bad[] = {
        {"$ORIGIN t.\n@ 60 NS ns1\n", "no SOA"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n", "no NS"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\n@ SOA ns1 h 2 2 3 4 5\n", "more than one SOA"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nsub NS ns1\n", "delegations"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx CNAME y\nx A 1.2.3.4\n", "CNAME and other"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\n* A 1.2.3.4\n", "wildcards"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx HINFO a b\n", "unsupported"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx CH A 1.2.3.4\n", "class IN"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx A 1.2.3\n", "IPv4"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx AAAA 1::2::3\n", "IPv6"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx A 1.2.3.4 5\n", "unexpected data"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx.other. A 1.2.3.4\n", "outside"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx TXT \"open\n", "unterminated"},
        {"$INCLUDE other.zone\n", "$INCLUDE"},
        {"$ORIGIN t\n", "absolute"},
        {"$ORIGIN t.\n@ SOA ns1 h 1 2 3 4\n", "MINIMUM"},
        {"$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx A 1.2.3.4\nx A 1.2.3.4\n", "duplicate"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        if (dns_zone_load(&z, bad[i].text, strlen(bad[i].text), NULL, err, sizeof err) != -1)
            fail(__FILE__, __LINE__, "bad zone %zu accepted", i);
        else if (!strstr(err, bad[i].why))
            fail(__FILE__, __LINE__, "bad zone %zu: error '%s' lacks '%s'", i, err, bad[i].why);
        CHECK_EQ(z.count, 0);
    }
    /* too many records */
    static char big[16384];
    strcpy(big, soa);
    for (int i = 0; i < DNS_ZONE_MAX_RECORDS; i++) {
        char line[64];
        snprintf(line, sizeof line, "h%d A 10.0.0.1\n", i);
        strcat(big, line);
    }
    CHECK_EQ(dns_zone_load(&z, big, strlen(big), NULL, err, sizeof err), -1);
    CHECK(strstr(err, "too many records") != NULL);
    /* the error names the line */
    const char *l4 = "$ORIGIN t.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\nx BOGUS 1\n";
    CHECK_EQ(dns_zone_load(&z, l4, strlen(l4), NULL, err, sizeof err), -1);
    CHECK(strncmp(err, "4: ", 3) == 0);
}

static void t_dns_default_zone_real(void)
{
    struct dresp r;
    CHECK(g_zone.soa >= 0);
#ifdef ZONE_IS_DEFAULT
    ask_z(&g_zone, "cetic.be", 6, &r); /* SOA */
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 1);
    ask_z(&g_zone, "cetic.be", 2, &r); /* NS, glue in additional */
    CHECK_EQ(ancount(&r), 1);
    CHECK_EQ(arcount(&r), 1);
    CHECK(memcmp(r.buf + r.len - 4, "\x0a\x00\x00\x64", 4) == 0);
    ask_z(&g_zone, "nope.cetic.be", 1, &r);
    CHECK_EQ(rcode(&r), 3);
    CHECK_EQ(nscount(&r), 1);
    unsigned type;
    uint32_t ttl;
    skip_rr(&r, after_question(&r), &type, &ttl);
    CHECK_EQ(type, 6);
    CHECK_EQ(ttl, 300);
#endif
    ask_z(&g_zone, "www.cetic.be", 15, &r); /* NODATA */
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 0);
    CHECK_EQ(nscount(&r), 1);
}

static void t_dns_real_zone(void)
{
    struct dresp r;
    unsigned type;
    uint32_t ttl;
    /* negative answers: SOA with TTL min(3600, 60) */
    ask_z(&g_tz, "nope.example.org", 1, &r);
    CHECK_EQ(rcode(&r), 3);
    CHECK(flag_aa(&r));
    CHECK_EQ(nscount(&r), 1);
    CHECK_EQ(r.len, skip_rr(&r, after_question(&r), &type, &ttl));
    CHECK_EQ(type, 6);
    CHECK_EQ(ttl, 60);
    ask_z(&g_tz, "www.example.org", 16, &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 0);
    CHECK_EQ(nscount(&r), 1);
    ask_z(&g_tz, "b.c.example.org", 1, &r); /* empty non-terminal: NODATA */
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(nscount(&r), 1);
    /* NS: in-zone glue (A and AAAA) in additional, the out-of-zone NS has none */
    ask_z(&g_tz, "example.org", 2, &r);
    CHECK_EQ(ancount(&r), 2);
    CHECK_EQ(arcount(&r), 2);
    ask_z(&g_tz, "example.org", 15, &r);
    CHECK_EQ(ancount(&r), 1);
    CHECK_EQ(arcount(&r), 1);
    ask_z(&g_tz, "_http._tcp.example.org", 33, &r);
    CHECK_EQ(ancount(&r), 1);
    CHECK_EQ(arcount(&r), 2);
    /* CNAME chain inside the zone, then the target's RRset */
    ask_z(&g_tz, "alias.example.org", 1, &r);
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 3);
    size_t off = skip_rr(&r, after_question(&r), &type, &ttl);
    CHECK_EQ(type, 5);
    skip_rr(&r, off, &type, &ttl);
    CHECK_EQ(type, 1);
    ask_z(&g_tz, "alias.example.org", 5, &r); /* the CNAME itself */
    CHECK_EQ(ancount(&r), 1);
    ask_z(&g_tz, "ext.example.org", 1, &r); /* leaves the zone: CNAME only */
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 1);
    CHECK_EQ(nscount(&r), 0);
    ask_z(&g_tz, "dangling.example.org", 1, &r); /* in-zone target missing: NXDOMAIN */
    CHECK_EQ(rcode(&r), 3);
    CHECK_EQ(ancount(&r), 1);
    CHECK_EQ(nscount(&r), 1);
    ask_z(&g_tz, "loop1.example.org", 1, &r); /* a loop ends */
    CHECK_EQ(rcode(&r), 0);
    CHECK_EQ(ancount(&r), 2);
    /* ANY (RFC 8482): one RRset, the lowest type (NS at the apex), never the whole node */
    ask_z(&g_tz, "example.org", 255, &r);
    CHECK_EQ(ancount(&r), 2);
    skip_rr(&r, after_question(&r), &type, &ttl);
    CHECK_EQ(type, 2);
    ask_z(&g_tz, "www.example.org", 255, &r);
    CHECK_EQ(ancount(&r), 2);
    /* zone transfers refused */
    ask_z(&g_tz, "example.org", 252, &r);
    CHECK_EQ(rcode(&r), 5);
    ask_z(&g_tz, "example.org", 251, &r);
    CHECK_EQ(rcode(&r), 5);
}

static void t_dns_cd_copied(void)
{
    struct dresp r;
    struct qopt o = qdef();
    o.flags = 0x0110; /* RD, CD */
    ask("www.cetic.be", o, &r);
    CHECK_EQ(r.buf[3] & 0x10, 0x10);
    CHECK_EQ(r.buf[3] & 0x20, 0); /* AD never set */
    ask("nope.cetic.be", o, &r);
    CHECK_EQ(r.buf[3] & 0x1F, 0x13);
    o.flags = 0x0130; /* AD in the query is not echoed */
    ask("www.cetic.be", o, &r);
    CHECK_EQ(r.buf[3] & 0x30, 0x10);
}

static void t_dns_tcp_no_truncation(void)
{
    static struct dns_zone z;
    static char text[16384];
    strcpy(text, "$ORIGIN big.test.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\n");
    for (int i = 0; i < 40; i++) {
        char line[600];
        char s[201];
        memset(s, 'a' + i % 26, 200);
        s[200] = 0;
        snprintf(line, sizeof line, "txt TXT \"%s\" \"%d\"\n", s, i);
        strcat(text, line);
    }
    char err[128];
    CHECK_EQ(dns_zone_load(&z, text, strlen(text), NULL, err, sizeof err), 0);
    uint8_t q[600];
    struct qopt o = qdef();
    o.qtype = 16;
    size_t qlen = build_query(q, "txt.big.test", o);
    static struct dresp r;
    respond_exact(&z, q, qlen, 1500, &r); /* UDP: TC, no records */
    CHECK(flag_tc(&r));
    CHECK_EQ(ancount(&r), 0);
    uint8_t *qc = malloc(qlen);
    memcpy(qc, q, qlen);
    uint8_t *out = malloc(DNS_TCP_MAX);
    size_t n = dns_respond_tcp(&z, qc, qlen, out, DNS_TCP_MAX);
    CHECK(n > 8000);
    CHECK_EQ(u16(out + 6), 40);
    CHECK_EQ(out[2] & 0x02, 0);
    CHECK_EQ(dns_respond_tcp(&z, qc, qlen, out, 2000) > 0, 1); /* a small buffer still truncates */
    CHECK_EQ(out[2] & 0x02, 0x02);
    free(qc);
    free(out);
}

static uint32_t g_rng = 12345;
static uint32_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}

static void t_dns_fuzz(void)
{
    uint8_t base[600], q[700];
    struct qopt o = qdef();
    o.edns = 1;
    size_t blen = build_query(base, "internship.cetic.be", o);
    for (int iter = 0; iter < 20000; iter++) {
        size_t qlen = blen;
        memcpy(q, base, blen);
        int muts = 1 + (int)(rnd() % 6);
        for (int m = 0; m < muts; m++) {
            switch (rnd() % 4) {
            case 0: q[rnd() % qlen] = (uint8_t)rnd(); break;
            case 1: q[rnd() % qlen] ^= (uint8_t)(1u << (rnd() % 8)); break;
            case 2: qlen = rnd() % (qlen + 1); if (qlen == 0) qlen = 1; break;
            case 3: if (qlen < sizeof q - 8) { for (int k = 0; k < 8; k++) q[qlen++] = (uint8_t)rnd(); } break;
            }
        }
        size_t cap = (iter % 5 == 0) ? 12 + rnd() % 80 : 1500;
        respond_exact(&g_zone, q, qlen, cap, NULL);
    }
    CHECK(1);
}

/* The zone-file reader on mutated text, and answers from the rich test zone on mutated
 * queries (ASan/UBSan catch any out-of-bounds access). */
static void t_zone_fuzz(void)
{
    static struct dns_zone z;
    static char text[sizeof TEST_ZONE + 64];
    char err[128];
    int loaded = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = strlen(TEST_ZONE);
        memcpy(text, TEST_ZONE, n);
        int muts = 1 + (int)(rnd() % 4);
        for (int m = 0; m < muts && n > 0; m++) {
            size_t at = rnd() % n;
            switch (rnd() % 3) {
            case 0: text[at] = (char)(rnd() % 128); break;
            case 1: text[at] = " \t\n;()\"\\.@$"[rnd() % 12]; break;
            case 2: n = at; break;
            }
        }
        char *exact = malloc(n ? n : 1);
        memcpy(exact, text, n);
        if (dns_zone_load(&z, exact, n, NULL, err, sizeof err) == 0) {
            loaded++;
            CHECK(z.soa >= 0 && z.count > 0);
        } else {
            CHECK(err[0] != 0);
            CHECK_EQ(z.count, 0);
        }
        free(exact);
    }
    CHECK(loaded > 0);
    uint8_t base[600], q[700];
    struct qopt o = qdef();
    o.edns = 1;
    const char *names[] = {"alias.example.org", "example.org", "_http._tcp.example.org", "nope.example.org"};
    for (int iter = 0; iter < 20000; iter++) {
        o.qtype = (uint16_t)(iter % 3 == 0 ? 255 : iter % 3 == 1 ? 1 : 2);
        size_t blen = build_query(base, names[iter % 4], o);
        size_t qlen = blen;
        memcpy(q, base, blen);
        int muts = 1 + (int)(rnd() % 4);
        for (int m = 0; m < muts; m++) {
            switch (rnd() % 3) {
            case 0: q[rnd() % qlen] = (uint8_t)rnd(); break;
            case 1: qlen = rnd() % (qlen + 1); if (qlen == 0) qlen = 1; break;
            case 2: q[rnd() % qlen] ^= (uint8_t)(1u << (rnd() % 8)); break;
            }
        }
        size_t cap = (iter % 4 == 0) ? 12 + rnd() % 200 : 1500;
        respond_exact(&g_tz, q, qlen, cap, NULL);
        uint8_t *qc = malloc(qlen), *out = malloc(cap);
        memcpy(qc, q, qlen);
        CHECK(dns_respond_tcp(&g_tz, qc, qlen, out, cap) <= cap);
        free(qc);
        free(out);
    }
}

/* ================================================================ HTTP helpers */

struct sink {
    char *data;
    size_t len, cap;
    int calls;
};

static void sink_emit(void *ctx, const void *data, size_t len)
{
    struct sink *s = ctx;
    if (s->len + len + 1 > s->cap) {
        s->cap = (s->len + len + 1) * 2;
        s->data = realloc(s->data, s->cap);
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    s->data[s->len] = 0;
    s->calls++;
}

static void sink_reset(struct sink *s)
{
    free(s->data);
    memset(s, 0, sizeof *s);
}

static struct http_site g_site;
static struct http_conn *g_conn;

/* Feed exact-size heap copies of data in chunks of `step` bytes (0 = all at once).
 * Returns the last feed result. */
static int feed(struct http_conn *c, const char *data, size_t len, size_t step, struct sink *out)
{
    int r = HTTP_KEEP;
    size_t off = 0;
    if (step == 0)
        step = len ? len : 1;
    do {
        size_t n = len - off < step ? len - off : step;
        uint8_t *chunk = malloc(n ? n : 1);
        memcpy(chunk, data + off, n);
        r = http_conn_feed(c, &g_site, chunk, n, sink_emit, out);
        free(chunk);
        off += n;
    } while (off < len);
    return r;
}

static int feed_str(const char *req, struct sink *out)
{
    http_conn_init(g_conn);
    return feed(g_conn, req, strlen(req), 0, out);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static long header_value(const char *resp, const char *name)
{
    const char *p = strstr(resp, name);
    if (!p)
        return -1;
    return strtol(p + strlen(name), NULL, 10);
}

/* ================================================================ HTTP tests */

static unsigned char *read_file(const char *path, size_t *len);

static void t_http_page(void)
{
#ifdef PAGE_IS_DEFAULT
    CHECK(g_site.body_len >= 400 && g_site.body_len <= 600);
    CHECK(strstr(g_site.body, "unibench") != NULL);
#endif
    CHECK(strncmp(g_site.content_type, "text/", 5) == 0);
    size_t len = 0;
    unsigned char *want = read_file(PAGE_FILE, &len);
    CHECK(want != NULL);
    if (want) {
        CHECK_EQ(g_site.body_len, len);
        CHECK(g_site.body_len == len && memcmp(g_site.body, want, len) == 0);
        free(want);
    }
}

static void t_http_get(void)
{
    const char *paths[] = {"/", "/index.html", "/?q=1", "http://localhost:8080/index.html"};
    for (size_t i = 0; i < 4; i++) {
        struct sink s = {0};
        char req[256];
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: t\r\n\r\n",
                 paths[i]);
        CHECK_EQ(feed_str(req, &s), HTTP_KEEP);
        CHECK(strncmp(s.data, "HTTP/1.1 200 OK\r\n", 17) == 0);
        CHECK(strstr(s.data, "\r\nServer: unibench\r\n") != NULL);
        char ct[200];
        snprintf(ct, sizeof ct, "\r\nContent-Type: %s\r\n", g_site.content_type);
        CHECK(strstr(s.data, ct) != NULL);
        CHECK(strstr(s.data, "Date:") == NULL);
        CHECK_EQ(header_value(s.data, "\r\nContent-Length: "), (long)g_site.body_len);
        if (g_site.body_len < 1000)
            CHECK_EQ(s.calls, 1); /* a small response is emitted in one piece */
        const char *body = strstr(s.data, "\r\n\r\n");
        CHECK(body != NULL);
        if (body) {
            body += 4;
            CHECK_EQ((size_t)(s.data + s.len - body), g_site.body_len);
            CHECK(memcmp(body, g_site.body, g_site.body_len) == 0);
        }
        sink_reset(&s);
    }
}

static void t_http_head(void)
{
    struct sink s = {0};
    CHECK_EQ(feed_str("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", &s), HTTP_KEEP);
    CHECK(strncmp(s.data, "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK_EQ(header_value(s.data, "\r\nContent-Length: "), (long)g_site.body_len);
    CHECK(s.len >= 4 && memcmp(s.data + s.len - 4, "\r\n\r\n", 4) == 0); /* no body */
    sink_reset(&s);
    CHECK_EQ(feed_str("HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n", &s), HTTP_KEEP);
    CHECK(strncmp(s.data, "HTTP/1.1 404 ", 13) == 0);
    CHECK(memcmp(s.data + s.len - 4, "\r\n\r\n", 4) == 0);
    sink_reset(&s);
}

static void t_http_404_405(void)
{
    struct sink s = {0};
    CHECK_EQ(feed_str("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", &s), HTTP_KEEP);
    CHECK(strncmp(s.data, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
    const char *body = strstr(s.data, "\r\n\r\n");
    CHECK(body && header_value(s.data, "\r\nContent-Length: ") == (long)strlen(body + 4));
    sink_reset(&s);
    CHECK_EQ(feed_str("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", &s), HTTP_KEEP);
    CHECK(strncmp(s.data, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0);
    CHECK(strstr(s.data, "\r\nAllow: GET, HEAD\r\n") != NULL);
    sink_reset(&s);
    CHECK_EQ(feed_str("get / HTTP/1.1\r\nHost: x\r\n\r\n", &s), HTTP_KEEP); /* methods are case-sensitive */
    CHECK(strncmp(s.data, "HTTP/1.1 405 ", 13) == 0);
    sink_reset(&s);
}

static void t_http_400(void)
{
    const char *bad[] = {
        "GET\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n", "GET / FTP/1.1\r\n\r\n",
        " GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "GET / HTTP/1.1\r\n: empty\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "G\x01T / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sink s = {0};
        int r = feed_str(bad[i], &s);
        if (r != HTTP_CLOSE || !s.data || strncmp(s.data, "HTTP/1.1 400 Bad Request\r\n", 26) != 0)
            fail(__FILE__, __LINE__, "request %zu not answered 400+close: %.40s", i,
                 s.data ? s.data : "(nothing)");
        else
            CHECK(strstr(s.data, "\r\nConnection: close\r\n") != NULL);
        sink_reset(&s);
    }
    struct sink s = {0};
    CHECK_EQ(feed_str("GET / HTTP/3.0\r\n\r\n", &s), HTTP_CLOSE);
    CHECK(strncmp(s.data, "HTTP/1.1 505 ", 13) == 0);
    sink_reset(&s);
    CHECK_EQ(feed_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &s),
             HTTP_CLOSE);
    CHECK(strncmp(s.data, "HTTP/1.1 501 ", 13) == 0);
    sink_reset(&s);
}

static void t_http_huge_header(void)
{
    size_t n = 64 * 1024;
    char *req = malloc(n + 64);
    strcpy(req, "GET / HTTP/1.1\r\nX-Big: ");
    size_t off = strlen(req);
    memset(req + off, 'a', n);
    strcpy(req + off + n, "\r\n\r\n");
    struct sink s = {0};
    http_conn_init(g_conn);
    CHECK_EQ(feed(g_conn, req, strlen(req), 1000, &s), HTTP_CLOSE);
    CHECK(s.data && strncmp(s.data, "HTTP/1.1 431 ", 13) == 0);
    CHECK_EQ(count_of(s.data, "HTTP/1.1 "), 1);
    sink_reset(&s);
    /* a head of exactly HTTP_REQ_MAX bytes is still accepted */
    strcpy(req, "GET / HTTP/1.1\r\nHost: x\r\nX-Fill: ");
    off = strlen(req);
    size_t fill = HTTP_REQ_MAX - off - 4;
    memset(req + off, 'b', fill);
    strcpy(req + off + fill, "\r\n\r\n");
    CHECK_EQ(strlen(req), HTTP_REQ_MAX);
    CHECK_EQ(feed_str(req, &s), HTTP_KEEP);
    CHECK(s.data && strncmp(s.data, "HTTP/1.1 200 ", 13) == 0);
    sink_reset(&s);
    free(req);
}

static void t_http_host_required(void)
{
    struct sink s = {0};
    CHECK_EQ(feed_str("GET / HTTP/1.1\r\n\r\n", &s), HTTP_CLOSE);
    CHECK(s.data && strncmp(s.data, "HTTP/1.1 400 ", 13) == 0);
    sink_reset(&s);
    CHECK_EQ(feed_str("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", &s), HTTP_CLOSE);
    CHECK(s.data && strncmp(s.data, "HTTP/1.1 400 ", 13) == 0);
    sink_reset(&s);
    CHECK_EQ(feed_str("GET / HTTP/1.0\r\n\r\n", &s), HTTP_CLOSE); /* 1.0 needs none */
    CHECK(s.data && strncmp(s.data, "HTTP/1.1 200 ", 13) == 0);
    sink_reset(&s);
    CHECK_EQ(feed_str("GET / HTTP/1.1\r\nHOST: \r\n\r\n", &s), HTTP_KEEP); /* empty is allowed */
    CHECK(s.data && strncmp(s.data, "HTTP/1.1 200 ", 13) == 0);
    sink_reset(&s);
}

static void t_http_timeout(void)
{
    struct sink s = {0};
    http_conn_init(g_conn);
    CHECK(http_conn_idle(g_conn));
    CHECK_EQ(feed(g_conn, "GET / HTTP/1.1\r\nHo", 19, 0, &s), HTTP_KEEP);
    CHECK(!http_conn_idle(g_conn));
    CHECK(s.data == NULL);
    http_conn_timeout(g_conn, sink_emit, &s);
    CHECK(s.data && strncmp(s.data, "HTTP/1.1 408 ", 13) == 0);
    CHECK(strstr(s.data, "Connection: close") != NULL);
    sink_reset(&s);
    CHECK_EQ(feed(g_conn, "st: x\r\n\r\n", 9, 0, &s), HTTP_CLOSE); /* closed for good */
    CHECK(s.data == NULL);
    http_conn_init(g_conn); /* an idle connection times out silently */
    http_conn_timeout(g_conn, sink_emit, &s);
    CHECK(s.data == NULL);
    http_conn_init(g_conn); /* a body being skipped counts as a request under way */
    CHECK_EQ(feed(g_conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab", 49, 0, &s), HTTP_KEEP);
    CHECK(!http_conn_idle(g_conn));
    sink_reset(&s);
}

static void t_http_connection_close(void)
{
    struct sink s = {0};
    CHECK_EQ(feed_str("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &s), HTTP_CLOSE);
    CHECK(strstr(s.data, "\r\nConnection: close\r\n") != NULL);
    CHECK(strncmp(s.data, "HTTP/1.1 200 ", 13) == 0);
    sink_reset(&s);
    CHECK_EQ(feed_str("GET / HTTP/1.1\r\nHost: x\r\nconnection: Upgrade, CLOSE\r\n\r\n", &s), HTTP_CLOSE);
    sink_reset(&s);
    /* after close, nothing more is answered */
    CHECK_EQ(feed(g_conn, "GET / HTTP/1.1\r\n\r\n", 18, 0, &s), HTTP_CLOSE);
    CHECK_EQ(s.len, 0);
    sink_reset(&s);
    /* requests after a Connection: close in the same segment are not answered */
    CHECK_EQ(feed_str("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n", &s),
             HTTP_CLOSE);
    CHECK_EQ(count_of(s.data, "HTTP/1.1 "), 1);
    sink_reset(&s);
}

static void t_http_10(void)
{
    struct sink s = {0};
    CHECK_EQ(feed_str("GET / HTTP/1.0\r\n\r\n", &s), HTTP_CLOSE);
    CHECK(strncmp(s.data, "HTTP/1.1 200 ", 13) == 0);
    CHECK(strstr(s.data, "\r\nConnection: close\r\n") != NULL);
    sink_reset(&s);
    CHECK_EQ(feed_str("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &s), HTTP_KEEP);
    CHECK(strstr(s.data, "\r\nConnection: keep-alive\r\n") != NULL);
    sink_reset(&s);
}

static const char PIPE[] =
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello=world"
    "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
    "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
    "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nxy"
    "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

static void check_pipe_output(const struct sink *s)
{
    const char *expect[] = {"HTTP/1.1 200 ", "HTTP/1.1 405 ", "HTTP/1.1 404 ",
                            "HTTP/1.1 200 ", "HTTP/1.1 200 ", "HTTP/1.1 404 "};
    const char *p = s->data;
    for (int i = 0; i < 6; i++) {
        const char *hit = p ? strstr(p, "HTTP/1.1 ") : NULL;
        if (!hit || strncmp(hit, expect[i], 13) != 0) {
            fail(__FILE__, __LINE__, "response %d is not %s", i, expect[i]);
            return;
        }
        p = hit + 1;
    }
    CHECK_EQ(count_of(s->data, "HTTP/1.1 "), 6);
}

static void t_http_pipelining(void)
{
    struct sink whole = {0};
    http_conn_init(g_conn);
    CHECK_EQ(feed(g_conn, PIPE, strlen(PIPE), 0, &whole), HTTP_CLOSE);
    check_pipe_output(&whole);
    /* byte by byte, and in random chunks: identical output */
    for (int mode = 0; mode < 20; mode++) {
        struct sink s = {0};
        http_conn_init(g_conn);
        int r = HTTP_KEEP;
        size_t off = 0, len = strlen(PIPE);
        while (off < len) {
            size_t step = mode == 0 ? 1 : 1 + rnd() % 40;
            if (step > len - off)
                step = len - off;
            r = feed(g_conn, PIPE + off, step, 0, &s);
            off += step;
        }
        CHECK_EQ(r, HTTP_CLOSE);
        CHECK_EQ(s.len, whole.len);
        CHECK(s.len == whole.len && memcmp(s.data, whole.data, s.len) == 0);
        sink_reset(&s);
    }
    sink_reset(&whole);
}

static void t_http_split_body(void)
{
    struct sink s = {0};
    http_conn_init(g_conn);
    const char *a = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234";
    const char *b = "56789GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    CHECK_EQ(feed(g_conn, a, strlen(a), 0, &s), HTTP_KEEP);
    CHECK_EQ(count_of(s.data, "HTTP/1.1 "), 1);
    CHECK_EQ(feed(g_conn, b, strlen(b), 0, &s), HTTP_KEEP);
    CHECK_EQ(count_of(s.data, "HTTP/1.1 "), 2);
    CHECK(strstr(s.data, "HTTP/1.1 200 ") != NULL);
    sink_reset(&s);
    /* empty feeds are harmless */
    http_conn_init(g_conn);
    CHECK_EQ(http_conn_feed(g_conn, &g_site, (const uint8_t *)"", 0, sink_emit, &s), HTTP_KEEP);
    CHECK_EQ(s.len, 0);
    sink_reset(&s);
}

static void t_http_fuzz(void)
{
    char buf[512];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = strlen(PIPE) < sizeof buf - 1 ? strlen(PIPE) : sizeof buf - 1;
        memcpy(buf, PIPE, len);
        buf[len < sizeof buf ? len : sizeof buf - 1] = 0;
        int muts = 1 + (int)(rnd() % 4);
        for (int m = 0; m < muts; m++)
            buf[rnd() % len] = (char)rnd();
        struct sink s = {0};
        http_conn_init(g_conn);
        feed(g_conn, buf, len, 1 + rnd() % 64, &s);
        /* every response starts with a status line and is well-formed */
        for (const char *p = s.data; p && *p;) {
            if (strncmp(p, "HTTP/1.1 ", 9) != 0) {
                fail(__FILE__, __LINE__, "bad response start at iter %d", iter);
                break;
            }
            const char *end = strstr(p, "\r\n\r\n");
            long cl = header_value(p, "\r\nContent-Length: ");
            if (!end || cl < 0) {
                fail(__FILE__, __LINE__, "bad response head at iter %d", iter);
                break;
            }
            /* HEAD responses have no body: the next response follows the head directly */
            if (strncmp(end + 4, "HTTP/1.1 ", 9) == 0 || end + 4 == s.data + s.len) {
                p = end + 4;
                continue;
            }
            p = end + 4 + cl;
            if (p > s.data + s.len) {
                fail(__FILE__, __LINE__, "body past end at iter %d", iter);
                break;
            }
        }
        sink_reset(&s);
    }
    CHECK(1);
}

/* ================================================================ corpus */

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *data = malloc(1 << 20);
    *len = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

static int corpus_files(const char *ext, char names[][128], int max)
{
    DIR *d = opendir(CORPUS_DIR);
    int n = 0;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        size_t l = strlen(e->d_name), el = strlen(ext);
        if (l > el && l < 128 && strcmp(e->d_name + l - el, ext) == 0)
            strcpy(names[n++], e->d_name);
    }
    closedir(d);
    return n;
}

static void t_corpus_dns(void)
{
    static char names[256][128];
    int n = corpus_files(".dns", names, 256);
    CHECK(n >= 20);
    const char *outcomes[] = {"noerror", "formerr", "servfail", "nxdomain", "notimp", "refused"};
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, names[i]);
        size_t len = 0;
        unsigned char *data = read_file(path, &len);
        struct dresp r;
        size_t got = respond_exact(&g_zone, data, len, 1232, &r);
        free(data);
        if (strncmp(names[i], "drop-", 5) == 0) {
            if (got != 0)
                fail(__FILE__, __LINE__, "%s: answered, expected drop", names[i]);
            continue;
        }
        if (got < 12) {
            fail(__FILE__, __LINE__, "%s: no answer", names[i]);
            continue;
        }
        int want = -1;
        for (int k = 0; k < 6; k++)
            if (strncmp(names[i], outcomes[k], strlen(outcomes[k])) == 0 &&
                names[i][strlen(outcomes[k])] == '-')
                want = k;
        if (strncmp(names[i], "badvers-", 8) == 0) {
            if (rcode(&r) != 0 || arcount(&r) != 1 || r.buf[r.len - 6] != 1)
                fail(__FILE__, __LINE__, "%s: not BADVERS", names[i]);
            continue;
        }
        if (want < 0)
            fail(__FILE__, __LINE__, "%s: unknown expected outcome", names[i]);
        else if (rcode(&r) != want)
            fail(__FILE__, __LINE__, "%s: rcode %d, expected %d", names[i], rcode(&r), want);
    }
}

static void t_corpus_http(void)
{
    static char names[256][128];
    int n = corpus_files(".http", names, 256);
    CHECK(n >= 10);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, names[i]);
        size_t len = 0;
        unsigned char *data = read_file(path, &len);
        for (int step = 0; step <= 1; step++) { /* all at once, then in 7-byte chunks */
            struct sink s = {0};
            http_conn_init(g_conn);
            feed(g_conn, (const char *)data, len, step ? 7 : 0, &s);
            if (strncmp(names[i], "none-", 5) == 0) {
                if (s.len)
                    fail(__FILE__, __LINE__, "%s: unexpected response", names[i]);
            } else if (!s.data || strncmp(s.data, "HTTP/1.1 ", 9) != 0 ||
                       strncmp(s.data + 9, names[i], 3) != 0) {
                fail(__FILE__, __LINE__, "%s: first response %.12s", names[i],
                     s.data ? s.data : "(none)");
            }
            sink_reset(&s);
        }
        free(data);
    }
}

/* stats.unibench. CH TXT is answered with the counters; other CHAOS queries still go to the
 * logic (REFUSED), and only what the logic saw is counted. */
static void t_dns_stats(void)
{
    struct dns_stats st = {0};
    uint8_t q[512], r[512];
    struct qopt o = qdef();
    size_t qlen = build_query(q, "www.cetic.be", o);
    size_t n = dns_respond(&g_zone, q, qlen, r, sizeof r);
    dns_stats_count(&st, r, n);
    dns_stats_count(&st, r, 0); /* one dropped */
    o.qclass = 3;
    qlen = build_query(q, "version.bind", o);
    CHECK_EQ(dns_stats_answer(&st, q, qlen, r, sizeof r), 0); /* not ours: the logic refuses it */
    n = dns_respond(&g_zone, q, qlen, r, sizeof r);
    CHECK_EQ(r[3] & 0x0F, 5);
    dns_stats_count(&st, r, n);
    o.qtype = 16;
    qlen = build_query(q, "Stats.UNIBENCH", o);
    n = dns_stats_answer(&st, q, qlen, r, sizeof r);
    CHECK(n > qlen);
    CHECK_EQ(r[0], 0xBE);
    CHECK(r[2] & 0x80);
    CHECK_EQ(r[3] & 0x0F, 0);
    CHECK_EQ(r[7], 1);
    const char *want = "received=3 answered=2 malformed=1 refused=1 rx_dropped=unknown";
    size_t wl = strlen(want);
    CHECK_EQ(r[n - wl - 1], wl);
    CHECK(memcmp(r + n - wl, want, wl) == 0);
    st.rx_dropped_known = 1;
    st.rx_dropped = 42;
    n = dns_stats_answer(&st, q, qlen, r, sizeof r);
    CHECK(memcmp(r + n - 13, "rx_dropped=42", 13) == 0);
    CHECK_EQ(dns_stats_answer(&st, q, qlen, r, 40), 0); /* no room: nothing written */
    o.qclass = 1;
    qlen = build_query(q, "stats.unibench", o);
    CHECK_EQ(dns_stats_answer(&st, q, qlen, r, sizeof r), 0); /* class IN: not the stats query */
}

int main(void)
{
    dns_zone_default(&g_zone);
    http_site_default(&g_site);
    g_conn = malloc(sizeof *g_conn);

    run("dns_a_answer", t_dns_a_answer);
    run("dns_apex_and_internship", t_dns_apex_and_internship);
    run("dns_case_echo", t_dns_case_echo);
    run("dns_nxdomain", t_dns_nxdomain);
    run("dns_refused", t_dns_refused);
    run("dns_other_types", t_dns_other_types);
    run("dns_rd_copied", t_dns_rd_copied);
    run("dns_notimp", t_dns_notimp);
    run("dns_formerr", t_dns_formerr);
    run("dns_counts_lie", t_dns_counts_lie);
    run("dns_drop", t_dns_drop);
    run("dns_edns", t_dns_edns);
    run("dns_truncation", t_dns_truncation);
    run("dns_zone_parse", t_dns_zone_parse);
    run("zone_load", t_zone_load);
    run("zone_errors", t_zone_errors);
    run("dns_default_zone_real", t_dns_default_zone_real);
    run("dns_real_zone", t_dns_real_zone);
    run("dns_cd_copied", t_dns_cd_copied);
    run("dns_tcp_no_truncation", t_dns_tcp_no_truncation);
    run("dns_stats", t_dns_stats);
    run("dns_fuzz", t_dns_fuzz);
    run("zone_fuzz", t_zone_fuzz);
    run("http_page", t_http_page);
    run("http_get", t_http_get);
    run("http_head", t_http_head);
    run("http_404_405", t_http_404_405);
    run("http_400", t_http_400);
    run("http_huge_header", t_http_huge_header);
    run("http_host_required", t_http_host_required);
    run("http_timeout", t_http_timeout);
    run("http_connection_close", t_http_connection_close);
    run("http_10", t_http_10);
    run("http_pipelining", t_http_pipelining);
    run("http_split_body", t_http_split_body);
    run("http_fuzz", t_http_fuzz);
    run("corpus_dns", t_corpus_dns);
    run("corpus_http", t_corpus_http);

    free(g_conn);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
