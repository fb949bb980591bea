/*
 * dnsstats.h - the DNS service's own counters, answered to a CHAOS-class TXT query for
 * "stats.unibench." (like BIND's version.bind), so a load generator can tell where a lost
 * query was lost: before the server (the path), in the server (received, not answered), or
 * in the generator. Each front end owns one struct, counts what only it can see (datagrams
 * dropped before the logic saw them: a full receive ring or socket buffer), and hooks these
 * two calls into its query path:
 *
 *     size_t n = dns_stats_answer(&stats, q, len, out, cap);
 *     if (n == 0) { n = dns_respond(...); dns_stats_count(&stats, out, n); }
 *
 * The stats queries themselves are not counted. Freestanding: no libc beyond memcpy.
 */
#ifndef UNIBENCH_DNSSTATS_H
#define UNIBENCH_DNSSTATS_H

#include <stddef.h>
#include <stdint.h>

struct dns_stats {
    uint64_t received;   /* datagrams given to the DNS logic */
    uint64_t answered;   /* of those, answered (any rcode) */
    uint64_t malformed;  /* of those, dropped by the logic (too short, QR set...) */
    uint64_t refused;    /* answered REFUSED (outside the zone, another class) */
    uint64_t rx_dropped; /* lost before the logic saw them (receive ring / socket buffer full) */
    int rx_dropped_known; /* 0: the front end cannot see such drops; reported as "unknown" */
};

/* If q is the stats query (QR 0, opcode QUERY, one question stats.unibench. TXT or ANY in
 * class CH), writes the answer - one TXT string "received=N answered=N malformed=N
 * refused=N rx_dropped=N|unknown" - to out and returns its length; else returns 0. */
size_t dns_stats_answer(const struct dns_stats *s, const uint8_t *q, size_t qlen, uint8_t *out,
                        size_t outcap);

/* Counts one query given to dns_respond, whose answer was rlen bytes at r (0: dropped). */
void dns_stats_count(struct dns_stats *s, const uint8_t *r, size_t rlen);

#endif /* UNIBENCH_DNSSTATS_H */
