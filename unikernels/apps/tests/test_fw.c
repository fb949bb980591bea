/*
 * Host unit tests of the firewall policy (fw.h): the rule parser, the matcher, the
 * rate-limited log, the nftables and C renderings, and the study's rule file as built
 * (fw_builtin, compiled by fwgen). Built with ASan/UBSan by `make -C unikernels/apps test`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw.h"

#ifndef FW_RULES_FILE
#define FW_RULES_FILE "../services/firewall.rules"
#endif

extern const struct fw_ruleset fw_builtin;

static int g_passed, g_failed, g_case_failed;
static const char *g_case;

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s (%s:%d): %s\n", g_case, __FILE__, __LINE__, #cond); g_case_failed = 1; } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
    fprintf(stderr, "FAIL %s (%s:%d): %s == %lld, expected %lld\n", g_case, __FILE__, __LINE__, #a, _a, _b); g_case_failed = 1; } } while (0)
#define CHECK_STR(a, b) do { if (strcmp((a), (b))) { fprintf(stderr, "FAIL %s (%s:%d): '%s', expected '%s'\n", g_case, __FILE__, __LINE__, (a), (b)); g_case_failed = 1; } } while (0)

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

static uint32_t A(int a, int b, int c, int d) { return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d; }

/* An IPv4 packet of exactly len bytes (heap, so ASan sees any over-read). */
static uint8_t *pkt(uint8_t proto, uint32_t src, uint32_t dst, uint8_t b0, uint16_t dport, uint16_t frag, size_t len)
{
    uint8_t *p = calloc(1, len ? len : 1);
    uint8_t full[64] = {0};
    full[0] = 0x45;
    full[6] = (uint8_t)(frag >> 8);
    full[7] = (uint8_t)frag;
    full[8] = 64;
    full[9] = proto;
    for (int i = 0; i < 4; i++) {
        full[12 + i] = (uint8_t)(src >> (24 - 8 * i));
        full[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    full[20] = b0;
    full[22] = (uint8_t)(dport >> 8);
    full[23] = (uint8_t)dport;
    memcpy(p, full, len < sizeof(full) ? len : sizeof(full));
    return p;
}

static int match(const struct fw_ruleset *rs, uint8_t proto, uint32_t src, uint32_t dst, uint8_t b0,
                 uint16_t dport, uint16_t frag, size_t len)
{
    uint8_t *p = pkt(proto, src, dst, b0, dport, frag, len);
    int r = fw_match(rs, p, len);
    free(p);
    return r;
}

static struct fw_ruleset parse_ok(const char *text)
{
    struct fw_ruleset rs;
    char err[128];
    int line = fw_parse(&rs, text, strlen(text), err, sizeof(err));
    if (line)
        fprintf(stderr, "  unexpected parse error, line %d: %s\n", line, err);
    CHECK_EQ(line, 0);
    return rs;
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(65536);
    *n = fread(b, 1, 65536, f);
    fclose(f);
    return b;
}

/* ------------------------------------------------------------ tests */

static void test_study_policy(void)
{
    size_t n = 0;
    char *text = read_file(FW_RULES_FILE, &n);
    CHECK(text != NULL);
    if (!text)
        return;
    struct fw_ruleset rs;
    char err[128];
    CHECK_EQ(fw_parse(&rs, text, n, err, sizeof(err)), 0);
    free(text);
    uint32_t client = A(192, 168, 100, 100), web = A(10, 0, 0, 5);
    /* echo request and echo reply: dropped, both directions */
    CHECK(fw_drops(&rs, match(&rs, 1, client, web, 8, 0, 0, 64)));
    CHECK(fw_drops(&rs, match(&rs, 1, web, client, 0, 0, 0, 64)));
    CHECK(rs.rule[match(&rs, 1, client, web, 8, 0, 0, 64)].log[0] != 0);
    /* the rest passes: other ICMP (traceroute's time-exceeded, unreachable), UDP, TCP */
    CHECK(!fw_drops(&rs, match(&rs, 1, web, client, 11, 0, 0, 56)));
    CHECK(!fw_drops(&rs, match(&rs, 1, web, client, 3, 0, 0, 56)));
    CHECK(!fw_drops(&rs, match(&rs, 17, client, A(10, 0, 0, 100), 0, 53, 0, 40)));
    CHECK(!fw_drops(&rs, match(&rs, 6, client, web, 0, 80, 0, 40)));
    /* the build compiled the same file */
    CHECK_EQ(fw_builtin.count, rs.count);
    for (unsigned i = 0; i < rs.count && i < fw_builtin.count; i++) {
        const struct fw_rule *a = &rs.rule[i], *b = &fw_builtin.rule[i];
        CHECK(a->action == b->action && a->proto == b->proto && a->icmp_types == b->icmp_types &&
              a->dport == b->dport && a->src == b->src && a->src_mask == b->src_mask && a->dst == b->dst &&
              a->dst_mask == b->dst_mask && !strcmp(a->log, b->log));
    }
}

static void test_matcher_fields(void)
{
    struct fw_ruleset rs = parse_ok(
        "# comment line\n"
        "\n"
        "accept udp dport 53 to 10.0.0.100   # DNS to the server\n"
        "drop udp from 192.168.100.0/24\n"
        "drop tcp dport 22 log \"ssh from\"\n"
        "accept icmp type 3,time-exceeded\n"
        "drop icmp\n");
    CHECK_EQ(rs.count, 5);
    uint32_t c = A(192, 168, 100, 150);
    CHECK_EQ(match(&rs, 17, c, A(10, 0, 0, 100), 0, 53, 0, 28), 0);
    CHECK_EQ(match(&rs, 17, c, A(10, 0, 0, 5), 0, 53, 0, 28), 1);   /* wrong dst */
    CHECK_EQ(match(&rs, 17, A(192, 168, 101, 3), A(10, 0, 0, 5), 0, 53, 0, 28), -1);
    CHECK_EQ(match(&rs, 6, c, A(10, 0, 0, 5), 0, 22, 0, 40), 2);
    CHECK_EQ(match(&rs, 6, c, A(10, 0, 0, 5), 0, 80, 0, 40), -1);
    CHECK_EQ(match(&rs, 1, c, A(10, 0, 0, 5), 11, 0, 0, 36), 3);
    CHECK_EQ(match(&rs, 1, c, A(10, 0, 0, 5), 3, 0, 0, 36), 3);
    CHECK_EQ(match(&rs, 1, c, A(10, 0, 0, 5), 8, 0, 0, 36), 4);
    /* no ports in a non-first fragment or a truncated header: port rules do not match */
    CHECK_EQ(match(&rs, 6, c, A(10, 0, 0, 5), 0, 22, 0x0010, 40), -1);
    CHECK_EQ(match(&rs, 6, c, A(10, 0, 0, 5), 0, 22, 0, 22), -1);
    CHECK_EQ(match(&rs, 1, c, A(10, 0, 0, 5), 11, 0, 0, 20), 4);    /* no type byte: only "drop icmp" */
    /* first fragment (MF set, offset 0) still has them */
    CHECK_EQ(match(&rs, 6, c, A(10, 0, 0, 5), 0, 22, 0x2000, 40), 2);
    /* not IPv4 / too short: no rule */
    uint8_t junk[19] = {0x45};
    CHECK_EQ(fw_match(&rs, junk, sizeof(junk)), -1);
    uint8_t *v6 = pkt(1, c, c, 8, 0, 0, 40);
    v6[0] = 0x65;
    CHECK_EQ(fw_match(&rs, v6, 40), -1);
    free(v6);
}

static void test_parse_errors(void)
{
    static const struct {
        const char *text;
        int line;
        const char *msg;
    } bad[] = {
        {"accept\nreject icmp\n", 2, "expected accept or drop"},
        {"drop icmp type ping\n", 1, "icmp type"},
        {"drop udp type echo-request\n", 1, "icmp type"},
        {"drop icmp dport 80\n", 1, "dport"},
        {"drop tcp dport 70000\n", 1, "dport"},
        {"drop from 10.0.0.1/24\n", 1, "no host bits"},
        {"drop from 10.0.0.0/33\n", 1, "from"},
        {"drop to 10.0.0\n", 1, "to"},
        {"drop icmp tcp\n", 1, "a second protocol"},
        {"drop icmp log \"unterminated\n", 1, "expected log"},
        {"drop icmp log \"x\" accept\n", 1, "nothing may follow"},
        {"drop icmp log \"\"\n", 1, "expected log"},
        {"drop icmp log \"0123456789012345678901234567890123456789012345678\"\n", 1, "expected log"},
        {"drop banana\n", 1, "unknown word 'banana'"},
        {"drop \"quoted\"\n", 1, "unexpected string"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct fw_ruleset rs;
        char err[128];
        int line = fw_parse(&rs, bad[i].text, strlen(bad[i].text), err, sizeof(err));
        if (line != bad[i].line || !strstr(err, bad[i].msg))
            fprintf(stderr, "  case %zu: line %d '%s'\n", i, line, err);
        CHECK_EQ(line, bad[i].line);
        CHECK(strstr(err, bad[i].msg) != NULL);
    }
    /* too many rules */
    char many[40 * 8];
    size_t n = 0;
    for (int i = 0; i < 33; i++)
        n += (size_t)sprintf(many + n, "accept\n");
    struct fw_ruleset rs;
    char err[128];
    CHECK_EQ(fw_parse(&rs, many, n, err, sizeof(err)), 33);
    /* a tiny error buffer is never overrun */
    char tiny[4];
    CHECK_EQ(fw_parse(&rs, "drop banana", 11, tiny, sizeof(tiny)), 1);
    CHECK_EQ(strlen(tiny), 3);
    /* no trailing newline, CRLF line ends */
    rs = parse_ok("drop icmp\r\naccept");
    CHECK_EQ(rs.count, 2);
}

static void test_log_rate_limit(void)
{
    struct fw_ruleset rs = parse_ok("drop icmp type echo-request,echo-reply log \"dropped ping from\"\naccept udp log \"udp from\"\n");
    static struct fw_logger lg;
    memset(&lg, 0, sizeof(lg));
    char line[96];
    uint64_t t = 5000000000ULL;
    uint32_t c1 = A(192, 168, 100, 100), c2 = A(192, 168, 100, 101);
    CHECK(fw_log_match(&lg, &rs, 0, c1, t, line, sizeof(line)) > 0);
    CHECK_STR(line, "dropped ping from 192.168.100.100");
    CHECK_EQ(fw_log_deadline(&lg, &rs), 0);
    /* within the second: counted, not printed */
    CHECK_EQ(fw_log_match(&lg, &rs, 0, c1, t + 100000000ULL, line, sizeof(line)), 0);
    CHECK_EQ(fw_log_match(&lg, &rs, 0, c2, t + 200000000ULL, line, sizeof(line)), 0);
    CHECK_EQ(fw_log_match(&lg, &rs, 0, c2, t + 300000000ULL, line, sizeof(line)), 0);
    CHECK_EQ(fw_log_deadline(&lg, &rs), t + FW_LOG_INTERVAL_NS);
    /* another rule has its own budget */
    CHECK(fw_log_match(&lg, &rs, 1, c2, t + 300000000ULL, line, sizeof(line)) > 0);
    CHECK_STR(line, "udp from 192.168.100.101");
    /* the flush waits for the second to end, then reports the count and the latest source */
    CHECK_EQ(fw_log_flush(&lg, &rs, t + 999999999ULL, line, sizeof(line)), 0);
    CHECK(fw_log_flush(&lg, &rs, t + FW_LOG_INTERVAL_NS, line, sizeof(line)) > 0);
    CHECK_STR(line, "dropped ping from 192.168.100.101 (3 since the last line)");
    CHECK_EQ(fw_log_flush(&lg, &rs, t + FW_LOG_INTERVAL_NS, line, sizeof(line)), 0);
    CHECK_EQ(fw_log_deadline(&lg, &rs), 0);
    /* the flush line started a new second: a match right after it is counted */
    CHECK_EQ(fw_log_match(&lg, &rs, 0, c1, t + FW_LOG_INTERVAL_NS + 1, line, sizeof(line)), 0);
    /* an event after the window prints at once, carrying the count */
    CHECK(fw_log_match(&lg, &rs, 0, c1, t + 3 * FW_LOG_INTERVAL_NS, line, sizeof(line)) > 0);
    CHECK_STR(line, "dropped ping from 192.168.100.100 (2 since the last line)");
    /* a rule without log text, or no rule, never logs */
    struct fw_ruleset quiet = parse_ok("drop icmp\n");
    CHECK_EQ(fw_log_match(&lg, &quiet, 0, c1, t, line, sizeof(line)), 0);
    CHECK_EQ(fw_log_match(&lg, &quiet, -1, c1, t, line, sizeof(line)), 0);
    /* 1000 pings in 10 s: at most 11 lines, and the counts add up */
    memset(&lg, 0, sizeof(lg));
    unsigned lines = 0, total = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t now = t + (uint64_t)i * 10000000ULL;
        size_t n = fw_log_match(&lg, &rs, 0, c1, now, line, sizeof(line));
        if (!n)
            n = fw_log_flush(&lg, &rs, now, line, sizeof(line));
        if (n) {
            lines++;
            const char *p = strstr(line, " (");
            total += p ? (unsigned)atoi(p + 2) : 1;
        }
    }
    while (fw_log_flush(&lg, &rs, t + 20 * FW_LOG_INTERVAL_NS, line, sizeof(line))) {
        lines++;
        const char *p = strstr(line, " (");
        total += p ? (unsigned)atoi(p + 2) : 1;
    }
    CHECK(lines <= 11);
    CHECK_EQ(total, 1000);
}

static void test_renderings(void)
{
    struct fw_ruleset rs = parse_ok(
        "drop icmp type echo-request,echo-reply log \"dropped ping from\"\n"
        "accept udp dport 53 from 192.168.100.0/24 to 10.0.0.100\n"
        "drop tcp\n"
        "accept icmp type 30\n"
        "accept\n");
    char out[2048];
    CHECK(fw_to_nft(&rs, 7, out, sizeof(out)) > 0);
    CHECK(strstr(out, "table ip unibench_firewall {") != NULL);
    CHECK(strstr(out, "type filter hook forward priority 0; policy accept;") != NULL);
    CHECK(strstr(out, "\t\ticmp type { echo-reply, echo-request } counter log group 7 drop\n") != NULL);
    CHECK(strstr(out, "\t\tip saddr 192.168.100.0/24 ip daddr 10.0.0.100 udp dport 53 counter accept\n") != NULL);
    CHECK(strstr(out, "\t\tip protocol tcp counter drop\n") != NULL);
    CHECK(strstr(out, "\t\ticmp type { 30 } counter accept\n") != NULL);
    CHECK(strstr(out, "\t\tcounter accept\n") != NULL);
    /* too small a buffer: 0, never an overrun */
    char small[32];
    CHECK_EQ(fw_to_nft(&rs, 1, small, sizeof(small)), 0);
    CHECK(fw_to_c(&rs, "x", out, sizeof(out)) > 0);
    CHECK(strstr(out, "const struct fw_ruleset x = {") != NULL);
    CHECK(strstr(out, "\"dropped ping from\"") != NULL);
}

int main(void)
{
    run("the study's rule file, as built", test_study_policy);
    run("matcher: protocols, ports, addresses, fragments", test_matcher_fields);
    run("parser: errors name the line and the problem", test_parse_errors);
    run("log: one line a second per rule, plus a count", test_log_rate_limit);
    run("nftables and C renderings", test_renderings);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
