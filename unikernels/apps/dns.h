/*
 * unibench DNS service logic: an authoritative server for one zone (UDP and TCP).
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

#define DNS_ZONE_MAX_RECORDS 64
#define DNS_NAME_MAX 255        /* wire form, including the terminating root label */
#define DNS_RDATA_MAX 512       /* longest record data we keep (a TXT of a few strings, an SOA) */
#define DNS_DEFAULT_TTL 300
#define DNS_EDNS_PAYLOAD 1232   /* UDP payload size we advertise in our OPT RR */
#define DNS_TCP_MAX 65535       /* a DNS message over TCP (RFC 7766: 2-byte length prefix) */

/* Record types the zone can hold (the zone-file compiler accepts exactly these). */
#define DNS_T_A 1
#define DNS_T_NS 2
#define DNS_T_CNAME 5
#define DNS_T_SOA 6
#define DNS_T_PTR 12
#define DNS_T_MX 15
#define DNS_T_TXT 16
#define DNS_T_AAAA 28
#define DNS_T_SRV 33

/* One resource record of class IN. Names are stored in wire form (length-prefixed labels,
 * ending with the root label 0), lower-cased, so matching is a plain byte comparison after
 * the query's name has been lower-cased. Names inside rdata (NS, CNAME, SOA, MX, PTR, SRV)
 * are uncompressed wire form too. */
struct dns_record {
    uint8_t  name[DNS_NAME_MAX];
    uint16_t name_len;          /* bytes used in name, root label included */
    uint16_t type;
    uint32_t ttl;
    uint16_t rdlen;
    uint8_t  rdata[DNS_RDATA_MAX];
};

/* A zone: records in file order. A zone from a zone file (dns_zone_default, dns_zone_load)
 * has exactly one SOA and at least one NS at its origin; a zone from a spec string
 * (dns_zone_parse) has A records only, so its negative answers carry no SOA. */
struct dns_zone {
    uint8_t  origin[DNS_NAME_MAX];  /* wire form, lower case */
    uint16_t origin_len;
    uint16_t count;                 /* records used; 0 means unusable (parse failed) */
    int16_t  soa;                   /* index of the apex SOA, -1 when there is none */
    struct dns_record rec[DNS_ZONE_MAX_RECORDS];
};

/* The zone compiled into this build (make ZONE=file; default: zones/cetic.be.zone, the
 * study's zone: SOA, NS ns1 -> 10.0.0.100, cetic.be, www, internship -> 10.0.0.5). */
void dns_zone_default(struct dns_zone *z);

/* Spec "ORIGIN:LABEL=IPv4[,LABEL=IPv4...]" where LABEL '@' is the apex, e.g.
 * "cetic.be:@=10.0.0.5,www=10.0.0.5,internship=10.0.0.5". LABEL may contain dots
 * ("a.b" means a.b.ORIGIN). A trailing dot on ORIGIN is accepted.
 * Returns 0, or -1 on any syntax error or overflow (and leaves z unusable: count 0). */
int dns_zone_parse(struct dns_zone *z, const char *spec);

/* A standard RFC 1035 master file (zonefile.c; not linked into the unikernel: the build
 * compiles the file on the host). $ORIGIN, $TTL, @, relative names, omitted owner/TTL/class,
 * parentheses, comments, quoted TXT strings; types A AAAA NS CNAME SOA MX TXT PTR SRV, class IN.
 * origin may be NULL (then $ORIGIN or the SOA owner decides). Returns 0, or -1 with
 * "LINE: reason" in err (and z unusable). */
int dns_zone_load(struct dns_zone *z, const char *text, size_t len, const char *origin,
                  char *err, size_t errcap);

/* The compact form the build embeds (dns_zone_pack in zonefile.c, unpack here).
 * pack returns the length written (0 if it does not fit); unpack returns 0 or -1. */
size_t dns_zone_pack(const struct dns_zone *z, uint8_t *out, size_t cap);
int dns_zone_unpack(struct dns_zone *z, const uint8_t *p, size_t len);

/* Answer one query (a UDP payload). Returns the length of the response written to out
 * (<= outcap), or 0 when the packet must be dropped silently (shorter than a header,
 * QR set, or outcap too small for even a header). Never reads past q[qlen-1] and never
 * writes past out[outcap-1]. q and out must not overlap. */
size_t dns_respond(const struct dns_zone *z, const uint8_t *q, size_t qlen,
                   uint8_t *out, size_t outcap);

/* The same for one message received over TCP (without its 2-byte length prefix): the size
 * limit is outcap (up to DNS_TCP_MAX), not 512 or the EDNS payload, so nothing is truncated
 * that fits outcap. */
size_t dns_respond_tcp(const struct dns_zone *z, const uint8_t *q, size_t qlen,
                       uint8_t *out, size_t outcap);

#endif /* UNIBENCH_DNS_H */
