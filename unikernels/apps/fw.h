/*
 * unibench firewall policy: a tiny rule language, its matcher over IPv4 packets, the
 * rate-limited log, and its translation to nftables.
 *
 * Portable C11, freestanding (memcpy/memset/memcmp/strlen only), no allocation. One rule
 * file (unikernels/services/firewall.rules) is compiled at build time (apps.mk, fwgen) into
 * a struct fw_ruleset that the firewall unikernel enforces and the firewall container turns
 * into nftables rules: the two firewalls enforce the same policy and log the same lines.
 *
 * Rule file: one rule per line, '#' starts a comment; the first matching rule decides,
 * a packet matching none is accepted.
 *
 *   RULE   := ACTION MATCH* [log "TEXT"]
 *   ACTION := accept | drop
 *   MATCH  := icmp [type T[,T...]] | udp [dport N] | tcp [dport N] | from CIDR | to CIDR
 *   T      := echo-reply | destination-unreachable | source-quench | redirect | echo-request
 *           | time-exceeded | parameter-problem | timestamp-request | timestamp-reply | 0..31
 *   CIDR   := A.B.C.D[/N]
 *
 * The rules apply to packets being forwarded (nftables: the forward hook), not to packets
 * addressed to the firewall itself. `log "TEXT"` logs "TEXT SRC" for a match, at most one
 * line a second per rule; matches in between are counted and reported by the next line
 * ("TEXT SRC (N since the last line)", SRC = the latest).
 */
#ifndef UNIBENCH_FW_H
#define UNIBENCH_FW_H

#include <stddef.h>
#include <stdint.h>

#define FW_RULES_MAX 32
#define FW_LOG_MAX 48          /* log text, NUL included */
#define FW_ACCEPT 0
#define FW_DROP 1
#define FW_LOG_INTERVAL_NS 1000000000ULL

struct fw_rule {
    uint8_t action;            /* FW_ACCEPT or FW_DROP */
    uint8_t proto;             /* 0 any, 1 icmp, 6 tcp, 17 udp */
    uint32_t icmp_types;       /* bit t set: ICMP type t matches; 0 = any type */
    uint16_t dport;            /* tcp/udp destination port; 0 = any */
    uint32_t src, src_mask;    /* host order; mask 0 = any */
    uint32_t dst, dst_mask;
    char log[FW_LOG_MAX];      /* "" = no log */
};

struct fw_ruleset {
    unsigned count;
    struct fw_rule rule[FW_RULES_MAX];
};

/* Parse a rule file. Returns 0, or the (1-based) number of the offending line with a
 * message in err (NUL-terminated, truncated to errcap). */
int fw_parse(struct fw_ruleset *rs, const char *text, size_t len, char *err, size_t errcap);

/* The rule deciding the IPv4 packet ip[0..len) (header first), or -1 when none matches
 * (accept). Truncated or malformed packets match only rules that need no field they lack;
 * non-first fragments have no ports or ICMP type. */
int fw_match(const struct fw_ruleset *rs, const uint8_t *ip, size_t len);

/* 1 when the packet is to be dropped. */
int fw_drops(const struct fw_ruleset *rs, int rule);

/* Rate-limited log, one state per rule. */
struct fw_log_state {
    uint64_t next_ok_ns;       /* no line before this time */
    uint32_t pending;          /* matches not yet reported */
    uint32_t last_src;
};
struct fw_logger {
    struct fw_log_state st[FW_RULES_MAX];
};

/* A match of rule (with a log text) from src at now_ns. Returns the length of the line
 * written to out (no newline, NUL-terminated, <= cap-1), or 0 when it is only counted. */
size_t fw_log_match(struct fw_logger *lg, const struct fw_ruleset *rs, int rule, uint32_t src,
                    uint64_t now_ns, char *out, size_t cap);
/* Report counted matches whose second is over: one line per call (0: nothing due). */
size_t fw_log_flush(struct fw_logger *lg, const struct fw_ruleset *rs, uint64_t now_ns, char *out, size_t cap);
/* When fw_log_flush next has something to say (0: never). */
uint64_t fw_log_deadline(const struct fw_logger *lg, const struct fw_ruleset *rs);

/* The ruleset as an nftables script (table ip unibench_firewall, chain forward; logging
 * rules send the packet to NFLOG group log_group). Returns the length written to out
 * (NUL-terminated), or 0 if cap is too small. */
size_t fw_to_nft(const struct fw_ruleset *rs, unsigned log_group, char *out, size_t cap);

/* The ruleset as C source defining `const struct fw_ruleset <name>` (for the build). */
size_t fw_to_c(const struct fw_ruleset *rs, const char *name, char *out, size_t cap);

#endif /* UNIBENCH_FW_H */
