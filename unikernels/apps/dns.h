/*
 * unibench DNS service logic: an authoritative server for one zone of A records.
 *
 * Portable C11, freestanding: no allocation, no OS calls; uses only memcpy/memset/
 * memcmp/strlen. All state lives in caller-provided structures. Shared, unchanged,
 * by the unikernel (unikernels/) and the POSIX front end (containers/posix/).
 *
 * API frozen: signatures below will not change (new functions may be added).
 */
#ifndef UNIBENCH_DNS_H
#define UNIBENCH_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_ZONE_MAX_RECORDS 32
#define DNS_NAME_MAX 255        /* wire form, including the terminating root label */
#define DNS_DEFAULT_TTL 300
#define DNS_EDNS_PAYLOAD 1232   /* UDP payload size we advertise in our OPT RR */

/* One A record. The name is stored in wire form (length-prefixed labels, ending with
 * the root label 0), lower-cased, so matching is a plain byte comparison after the
 * query's name has been lower-cased. */
struct dns_record {
    uint8_t  name[DNS_NAME_MAX];
    uint16_t name_len;          /* bytes used in name, root label included */
    uint8_t  addr[4];           /* IPv4 address, network order */
    uint32_t ttl;
};

struct dns_zone {
    uint8_t  origin[DNS_NAME_MAX];  /* wire form, lower case */
    uint16_t origin_len;
    uint16_t count;                 /* records used; 0 means unusable (parse failed) */
    struct dns_record rec[DNS_ZONE_MAX_RECORDS];
};

/* The study's zone: cetic.be, www.cetic.be, internship.cetic.be -> 10.0.0.5 (TTL 300). */
void dns_zone_default(struct dns_zone *z);

/* Spec "ORIGIN:LABEL=IPv4[,LABEL=IPv4...]" where LABEL '@' is the apex, e.g.
 * "cetic.be:@=10.0.0.5,www=10.0.0.5,internship=10.0.0.5". LABEL may contain dots
 * ("a.b" means a.b.ORIGIN). A trailing dot on ORIGIN is accepted.
 * Returns 0, or -1 on any syntax error or overflow (and leaves z unusable: count 0). */
int dns_zone_parse(struct dns_zone *z, const char *spec);

/* Answer one query (a UDP payload). Returns the length of the response written to out
 * (<= outcap), or 0 when the packet must be dropped silently (shorter than a header,
 * QR set, or outcap too small for even a header). Never reads past q[qlen-1] and never
 * writes past out[outcap-1]. q and out must not overlap. */
size_t dns_respond(const struct dns_zone *z, const uint8_t *q, size_t qlen,
                   uint8_t *out, size_t outcap);

#endif /* UNIBENCH_DNS_H */
