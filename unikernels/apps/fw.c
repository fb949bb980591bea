/*
 * unibench firewall policy (see fw.h): rule parser, matcher, rate-limited log, and the
 * nftables and C renderings of a ruleset. Freestanding C11.
 */
#include "fw.h"

#include <string.h>

/* ---------------------------------------------------------------- output buffer */

struct buf {
    char *p;
    size_t n, cap;
    int overflow;
};

static void put_s(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (b->n + 1 >= b->cap) {
            b->overflow = 1;
            return;
        }
        b->p[b->n++] = *s;
    }
}

static void put_u(struct buf *b, uint64_t v)
{
    char t[21];
    int i = 0;
    do {
        t[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    char s[22];
    int j = 0;
    while (i)
        s[j++] = t[--i];
    s[j] = 0;
    put_s(b, s);
}

static void put_ip(struct buf *b, uint32_t ip)
{
    for (int i = 3; i >= 0; i--) {
        put_u(b, (ip >> (8 * i)) & 0xFF);
        if (i)
            put_s(b, ".");
    }
}

static int mask_len(uint32_t m)
{
    int n = 0;
    while (m & 0x80000000u) {
        n++;
        m <<= 1;
    }
    return n;
}

static void put_cidr(struct buf *b, uint32_t ip, uint32_t mask)
{
    put_ip(b, ip);
    if (mask != 0xFFFFFFFFu) {
        put_s(b, "/");
        put_u(b, (uint64_t)mask_len(mask));
    }
}

static size_t finish(struct buf *b)
{
    if (b->cap == 0)
        return 0;
    b->p[b->n < b->cap ? b->n : b->cap - 1] = 0;
    return b->overflow ? 0 : b->n;
}

/* ---------------------------------------------------------------- parser */

static const struct {
    const char *name;
    uint8_t type;
} icmp_names[] = {
    {"echo-reply", 0}, {"destination-unreachable", 3}, {"source-quench", 4}, {"redirect", 5},
    {"echo-request", 8}, {"time-exceeded", 11}, {"parameter-problem", 12},
    {"timestamp-request", 13}, {"timestamp-reply", 14},
};
#define N_ICMP_NAMES (sizeof(icmp_names) / sizeof(icmp_names[0]))

struct lexer {
    const char *p, *end; /* current line */
};

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Next token: a quoted string (quotes stripped, *quoted set) or a run of non-blanks. */
static int next_tok(struct lexer *lx, const char **t, size_t *tl, int *quoted)
{
    while (lx->p < lx->end && is_space(*lx->p))
        lx->p++;
    if (lx->p == lx->end || *lx->p == '#')
        return 0;
    *quoted = 0;
    if (*lx->p == '"') {
        const char *s = ++lx->p;
        while (lx->p < lx->end && *lx->p != '"')
            lx->p++;
        if (lx->p == lx->end)
            return -1;
        *t = s;
        *tl = (size_t)(lx->p - s);
        lx->p++;
        *quoted = 1;
        return 1;
    }
    *t = lx->p;
    while (lx->p < lx->end && !is_space(*lx->p) && *lx->p != '#')
        lx->p++;
    *tl = (size_t)(lx->p - *t);
    return 1;
}

static int tok_is(const char *t, size_t tl, const char *lit)
{
    return tl == strlen(lit) && !memcmp(t, lit, tl);
}

static int parse_num(const char *t, size_t tl, uint32_t max, uint32_t *out)
{
    uint32_t v = 0;
    if (tl == 0 || tl > 10)
        return -1;
    for (size_t i = 0; i < tl; i++) {
        if (t[i] < '0' || t[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(t[i] - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

static int parse_cidr(const char *t, size_t tl, uint32_t *ip, uint32_t *mask)
{
    uint32_t a = 0, part;
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        size_t s = i;
        while (i < tl && t[i] >= '0' && t[i] <= '9')
            i++;
        if (parse_num(t + s, i - s, 255, &part))
            return -1;
        a = a << 8 | part;
        if (k < 3) {
            if (i >= tl || t[i] != '.')
                return -1;
            i++;
        }
    }
    uint32_t plen = 32;
    if (i < tl) {
        if (t[i] != '/' || parse_num(t + i + 1, tl - i - 1, 32, &plen))
            return -1;
    }
    *mask = plen ? (uint32_t)(0xFFFFFFFFull << (32 - plen)) : 0;
    if (a & ~*mask)
        return -1; /* host bits set: say what you mean */
    *ip = a;
    return 0;
}

static int parse_icmp_types(const char *t, size_t tl, uint32_t *types)
{
    size_t i = 0;
    *types = 0;
    while (i < tl) {
        size_t s = i;
        while (i < tl && t[i] != ',')
            i++;
        uint32_t n;
        int found = 0;
        for (size_t k = 0; k < N_ICMP_NAMES; k++)
            if (tok_is(t + s, i - s, icmp_names[k].name)) {
                *types |= 1u << icmp_names[k].type;
                found = 1;
            }
        if (!found) {
            if (parse_num(t + s, i - s, 31, &n))
                return -1;
            *types |= 1u << n;
        }
        if (i < tl)
            i++; /* ',' */
        if (i == tl && t[tl - 1] == ',')
            return -1;
    }
    return *types ? 0 : -1;
}

static void set_err(char *err, size_t cap, const char *a, const char *t, size_t tl)
{
    struct buf b = {err, 0, cap, 0};
    put_s(&b, a);
    if (t) {
        put_s(&b, " '");
        for (size_t i = 0; i < tl && i < 40; i++) {
            char c[2] = {t[i], 0};
            put_s(&b, c);
        }
        put_s(&b, "'");
    }
    (void)finish(&b);
}

static int parse_rule(struct lexer *lx, struct fw_rule *r, char *err, size_t errcap)
{
    const char *t;
    size_t tl;
    int q, k = next_tok(lx, &t, &tl, &q);
    memset(r, 0, sizeof(*r));
    if (k <= 0 || q || !(tok_is(t, tl, "accept") || tok_is(t, tl, "drop"))) {
        set_err(err, errcap, "expected accept or drop, got", k > 0 ? t : "end of line", k > 0 ? tl : 11);
        return -1;
    }
    r->action = tok_is(t, tl, "drop") ? FW_DROP : FW_ACCEPT;
    int have_src = 0, have_dst = 0;
    while ((k = next_tok(lx, &t, &tl, &q)) > 0) {
        if (q) {
            set_err(err, errcap, "unexpected string", t, tl);
            return -1;
        }
        if (tok_is(t, tl, "icmp") || tok_is(t, tl, "udp") || tok_is(t, tl, "tcp")) {
            if (r->proto) {
                set_err(err, errcap, "a second protocol", t, tl);
                return -1;
            }
            r->proto = tok_is(t, tl, "icmp") ? 1 : tok_is(t, tl, "tcp") ? 6 : 17;
        } else if (tok_is(t, tl, "type")) {
            if (r->proto != 1 || r->icmp_types || next_tok(lx, &t, &tl, &q) <= 0 || q ||
                parse_icmp_types(t, tl, &r->icmp_types)) {
                set_err(err, errcap, "expected 'icmp type NAME[,NAME...]'", NULL, 0);
                return -1;
            }
        } else if (tok_is(t, tl, "dport")) {
            uint32_t port;
            if ((r->proto != 6 && r->proto != 17) || r->dport || next_tok(lx, &t, &tl, &q) <= 0 || q ||
                parse_num(t, tl, 65535, &port) || port == 0) {
                set_err(err, errcap, "expected 'udp|tcp dport 1..65535'", NULL, 0);
                return -1;
            }
            r->dport = (uint16_t)port;
        } else if (tok_is(t, tl, "from") || tok_is(t, tl, "to")) {
            int from = tok_is(t, tl, "from");
            if ((from ? have_src : have_dst) || next_tok(lx, &t, &tl, &q) <= 0 || q ||
                parse_cidr(t, tl, from ? &r->src : &r->dst, from ? &r->src_mask : &r->dst_mask)) {
                set_err(err, errcap, from ? "expected 'from A.B.C.D[/N]' (once, no host bits)"
                                          : "expected 'to A.B.C.D[/N]' (once, no host bits)", NULL, 0);
                return -1;
            }
            if (from)
                have_src = 1;
            else
                have_dst = 1;
        } else if (tok_is(t, tl, "log")) {
            if (next_tok(lx, &t, &tl, &q) <= 0 || !q || tl == 0 || tl >= FW_LOG_MAX) {
                set_err(err, errcap, "expected log \"TEXT\" (1..47 characters)", NULL, 0);
                return -1;
            }
            for (size_t i = 0; i < tl; i++)
                if ((unsigned char)t[i] < 0x20 || t[i] == '\\' || (unsigned char)t[i] >= 0x7F) {
                    set_err(err, errcap, "log text must be printable ASCII without backslashes", NULL, 0);
                    return -1;
                }
            memcpy(r->log, t, tl);
            r->log[tl] = 0;
            if ((k = next_tok(lx, &t, &tl, &q)) != 0) {
                set_err(err, errcap, k < 0 ? "unterminated string" : "nothing may follow log \"TEXT\", got",
                        k < 0 ? NULL : t, k < 0 ? 0 : tl);
                return -1;
            }
            return 0;
        } else {
            set_err(err, errcap, "unknown word", t, tl);
            return -1;
        }
    }
    if (k < 0) {
        set_err(err, errcap, "unterminated string", NULL, 0);
        return -1;
    }
    return 0;
}

int fw_parse(struct fw_ruleset *rs, const char *text, size_t len, char *err, size_t errcap)
{
    const char *p = text, *end = text + len;
    int line = 0;
    rs->count = 0;
    if (errcap)
        err[0] = 0;
    while (p < end) {
        const char *eol = p;
        while (eol < end && *eol != '\n')
            eol++;
        line++;
        struct lexer lx = {p, eol};
        const char *t;
        size_t tl;
        int q;
        struct lexer peek = lx;
        if (next_tok(&peek, &t, &tl, &q) != 0) {
            if (rs->count == FW_RULES_MAX) {
                set_err(err, errcap, "too many rules (at most 32)", NULL, 0);
                return line;
            }
            if (parse_rule(&lx, &rs->rule[rs->count], err, errcap))
                return line;
            rs->count++;
        }
        p = eol < end ? eol + 1 : end;
    }
    return 0;
}

/* ---------------------------------------------------------------- matcher */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int fw_match(const struct fw_ruleset *rs, const uint8_t *ip, size_t len)
{
    if (len < 20 || (ip[0] >> 4) != 4)
        return -1;
    size_t ihl = (size_t)(ip[0] & 0xF) * 4;
    if (ihl < 20 || ihl > len)
        return -1;
    uint8_t proto = ip[9];
    uint32_t src = rd32(ip + 12), dst = rd32(ip + 16);
    int first_frag = ((ip[6] & 0x1F) << 8 | ip[7]) == 0;
    const uint8_t *l4 = ip + ihl;
    size_t l4len = len - ihl;
    for (unsigned i = 0; i < rs->count; i++) {
        const struct fw_rule *r = &rs->rule[i];
        if (r->proto && r->proto != proto)
            continue;
        if ((src & r->src_mask) != r->src || (dst & r->dst_mask) != r->dst)
            continue;
        if (r->icmp_types && (!first_frag || l4len < 1 || l4[0] > 31 || !(r->icmp_types & (1u << l4[0]))))
            continue;
        if (r->dport && (!first_frag || l4len < 4 || (uint16_t)(l4[2] << 8 | l4[3]) != r->dport))
            continue;
        return (int)i;
    }
    return -1;
}

int fw_drops(const struct fw_ruleset *rs, int rule)
{
    return rule >= 0 && (unsigned)rule < rs->count && rs->rule[rule].action == FW_DROP;
}

/* ---------------------------------------------------------------- log */

static size_t log_line(const struct fw_rule *r, uint32_t src, uint32_t count, char *out, size_t cap)
{
    struct buf b = {out, 0, cap, 0};
    put_s(&b, r->log);
    put_s(&b, " ");
    put_ip(&b, src);
    if (count > 1) {
        put_s(&b, " (");
        put_u(&b, count);
        put_s(&b, " since the last line)");
    }
    return finish(&b);
}

size_t fw_log_match(struct fw_logger *lg, const struct fw_ruleset *rs, int rule, uint32_t src,
                    uint64_t now_ns, char *out, size_t cap)
{
    if (rule < 0 || (unsigned)rule >= rs->count || !rs->rule[rule].log[0])
        return 0;
    struct fw_log_state *s = &lg->st[rule];
    s->pending++;
    s->last_src = src;
    if (now_ns < s->next_ok_ns)
        return 0;
    size_t n = log_line(&rs->rule[rule], src, s->pending, out, cap);
    s->pending = 0;
    s->next_ok_ns = now_ns + FW_LOG_INTERVAL_NS;
    return n;
}

size_t fw_log_flush(struct fw_logger *lg, const struct fw_ruleset *rs, uint64_t now_ns, char *out, size_t cap)
{
    for (unsigned i = 0; i < rs->count; i++) {
        struct fw_log_state *s = &lg->st[i];
        if (s->pending && now_ns >= s->next_ok_ns) {
            size_t n = log_line(&rs->rule[i], s->last_src, s->pending, out, cap);
            s->pending = 0;
            s->next_ok_ns = now_ns + FW_LOG_INTERVAL_NS;
            return n;
        }
    }
    return 0;
}

uint64_t fw_log_deadline(const struct fw_logger *lg, const struct fw_ruleset *rs)
{
    uint64_t d = 0;
    for (unsigned i = 0; i < rs->count; i++)
        if (lg->st[i].pending && (!d || lg->st[i].next_ok_ns < d))
            d = lg->st[i].next_ok_ns ? lg->st[i].next_ok_ns : 1;
    return d;
}

/* ---------------------------------------------------------------- renderings */

static const char *icmp_name(unsigned t)
{
    for (size_t k = 0; k < N_ICMP_NAMES; k++)
        if (icmp_names[k].type == t)
            return icmp_names[k].name;
    return NULL;
}

size_t fw_to_nft(const struct fw_ruleset *rs, unsigned log_group, char *out, size_t cap)
{
    struct buf b = {out, 0, cap, 0};
    put_s(&b, "# generated by unibench from the firewall rule file: do not edit\n"
              "table ip unibench_firewall\n"
              "flush table ip unibench_firewall\n"
              "table ip unibench_firewall {\n"
              "\tchain forward {\n"
              "\t\ttype filter hook forward priority 0; policy accept;\n");
    for (unsigned i = 0; i < rs->count; i++) {
        const struct fw_rule *r = &rs->rule[i];
        put_s(&b, "\t\t");
        if (r->src_mask) {
            put_s(&b, "ip saddr ");
            put_cidr(&b, r->src, r->src_mask);
            put_s(&b, " ");
        }
        if (r->dst_mask) {
            put_s(&b, "ip daddr ");
            put_cidr(&b, r->dst, r->dst_mask);
            put_s(&b, " ");
        }
        const char *pn = r->proto == 1 ? "icmp" : r->proto == 6 ? "tcp" : r->proto == 17 ? "udp" : NULL;
        if (r->proto == 1 && r->icmp_types) {
            put_s(&b, "icmp type { ");
            int first = 1;
            for (unsigned t = 0; t < 32; t++)
                if (r->icmp_types & (1u << t)) {
                    if (!first)
                        put_s(&b, ", ");
                    first = 0;
                    if (icmp_name(t))
                        put_s(&b, icmp_name(t));
                    else
                        put_u(&b, t);
                }
            put_s(&b, " } ");
        } else if (pn && r->dport) {
            put_s(&b, pn);
            put_s(&b, " dport ");
            put_u(&b, r->dport);
            put_s(&b, " ");
        } else if (pn) {
            put_s(&b, "ip protocol ");
            put_s(&b, pn);
            put_s(&b, " ");
        }
        put_s(&b, "counter ");
        if (r->log[0]) {
            put_s(&b, "log group ");
            put_u(&b, log_group);
            put_s(&b, " ");
        }
        put_s(&b, r->action == FW_DROP ? "drop" : "accept");
        put_s(&b, "\n");
    }
    put_s(&b, "\t}\n}\n");
    return finish(&b);
}

static void put_hex32(struct buf *b, uint32_t v)
{
    static const char hx[] = "0123456789abcdef";
    char s[11] = "0x";
    for (int i = 0; i < 8; i++)
        s[2 + i] = hx[(v >> (28 - 4 * i)) & 0xF];
    s[10] = 0;
    put_s(b, s);
}

size_t fw_to_c(const struct fw_ruleset *rs, const char *name, char *out, size_t cap)
{
    struct buf b = {out, 0, cap, 0};
    put_s(&b, "/* generated by fwgen from the firewall rule file: do not edit */\n#include \"fw.h\"\n\nconst struct fw_ruleset ");
    put_s(&b, name);
    put_s(&b, " = {\n    ");
    put_u(&b, rs->count);
    put_s(&b, ",\n    {\n");
    for (unsigned i = 0; i < rs->count; i++) {
        const struct fw_rule *r = &rs->rule[i];
        put_s(&b, "        {");
        put_s(&b, r->action == FW_DROP ? "FW_DROP" : "FW_ACCEPT");
        put_s(&b, ", ");
        put_u(&b, r->proto);
        put_s(&b, ", ");
        put_hex32(&b, r->icmp_types);
        put_s(&b, ", ");
        put_u(&b, r->dport);
        put_s(&b, ", ");
        put_hex32(&b, r->src);
        put_s(&b, ", ");
        put_hex32(&b, r->src_mask);
        put_s(&b, ", ");
        put_hex32(&b, r->dst);
        put_s(&b, ", ");
        put_hex32(&b, r->dst_mask);
        put_s(&b, ", \"");
        put_s(&b, r->log); /* printable, no quotes or backslashes (checked by the parser) */
        put_s(&b, "\"},\n");
    }
    put_s(&b, "    }\n};\n");
    return finish(&b);
}
