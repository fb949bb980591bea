/* dnsstats.c - the CHAOS TXT "stats.unibench." answer and the counting (see dnsstats.h). */
#include "dnsstats.h"

#include <string.h>

#define T_TXT 16
#define T_ANY 255
#define C_CH 3

static const uint8_t stats_name[] = "\5stats\10unibench";

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Offset just past the question if it is stats.unibench. TXT|ANY CH, else 0. */
static size_t stats_question(const uint8_t *q, size_t qlen)
{
    if (qlen < 12 || (q[2] & 0x80) || (q[2] & 0x78) || q[4] != 0 || q[5] != 1)
        return 0;
    size_t n = sizeof stats_name; /* the labels and the root byte */
    if (qlen < 12 + n + 4)
        return 0;
    for (size_t i = 0; i < n - 1; i++)
        if (lower(q[12 + i]) != stats_name[i])
            return 0;
    if (q[12 + n - 1] != 0)
        return 0;
    size_t p = 12 + n;
    unsigned type = (unsigned)q[p] << 8 | q[p + 1];
    unsigned cls = (unsigned)q[p + 2] << 8 | q[p + 3];
    if ((type != T_TXT && type != T_ANY) || cls != C_CH)
        return 0;
    return p + 4;
}

static size_t put_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static size_t put_str(char *out, const char *s)
{
    size_t n = 0;
    while (s[n]) {
        out[n] = s[n];
        n++;
    }
    return n;
}

size_t dns_stats_answer(const struct dns_stats *s, const uint8_t *q, size_t qlen, uint8_t *out,
                        size_t outcap)
{
    size_t qend = stats_question(q, qlen);
    if (!qend)
        return 0;
    char text[200];
    size_t t = 0;
    t += put_str(text + t, "received=");
    t += put_u64(text + t, s->received);
    t += put_str(text + t, " answered=");
    t += put_u64(text + t, s->answered);
    t += put_str(text + t, " malformed=");
    t += put_u64(text + t, s->malformed);
    t += put_str(text + t, " refused=");
    t += put_u64(text + t, s->refused);
    t += put_str(text + t, " rx_dropped=");
    if (s->rx_dropped_known)
        t += put_u64(text + t, s->rx_dropped);
    else
        t += put_str(text + t, "unknown");
    size_t need = qend + 2 + 2 + 2 + 4 + 2 + 1 + t;
    if (need > outcap)
        return 0;
    memcpy(out, q, qend);
    out[2] = (uint8_t)(0x84 | (q[2] & 0x01)); /* QR, AA, RD copied */
    out[3] = 0;                               /* RA 0, rcode NOERROR */
    out[6] = 0;
    out[7] = 1; /* one answer */
    out[8] = out[9] = out[10] = out[11] = 0;
    size_t p = qend;
    out[p++] = 0xC0; /* the name: a pointer to the question's */
    out[p++] = 12;
    out[p++] = 0;
    out[p++] = T_TXT;
    out[p++] = 0;
    out[p++] = C_CH;
    for (int i = 0; i < 4; i++)
        out[p++] = 0; /* TTL 0: never cache */
    out[p++] = (uint8_t)((t + 1) >> 8);
    out[p++] = (uint8_t)(t + 1);
    out[p++] = (uint8_t)t;
    memcpy(out + p, text, t);
    return p + t;
}

void dns_stats_count(struct dns_stats *s, const uint8_t *r, size_t rlen)
{
    s->received++;
    if (rlen == 0) {
        s->malformed++;
        return;
    }
    s->answered++;
    if (rlen >= 4 && (r[3] & 0x0F) == 5)
        s->refused++;
}
