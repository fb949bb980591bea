/* reflect.c - the null echo guest's whole data path (services/echo_main.c): an IPv4/UDP
 * frame addressed to an interface is turned around in place (MACs, addresses and ports
 * swapped, the DNS QR bit set so a DNS load generator counts the echo as an answer, the
 * UDP checksum cleared) and sent back on the same virtio ring. No IP stack, no app: what
 * it sustains is the cap of the virtio/tap path under QEMU on this host. */
#include "uk.h"

size_t udp_reflect(uint8_t *f, size_t len)
{
    if (len < ETH_HLEN + 20 + 8 || f[12] != 0x08 || f[13] != 0x00)
        return 0;
    uint8_t *ip = f + ETH_HLEN;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    size_t tot = (size_t)(ip[2] << 8 | ip[3]);
    if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 17 || tot < ihl + 8 || ETH_HLEN + tot > len)
        return 0;
    if ((ip[6] & 0x3f) || ip[7]) /* a fragment: not a whole datagram */
        return 0;
    uint8_t *udp = ip + ihl;
    uint16_t sport = (uint16_t)(udp[0] << 8 | udp[1]);
    /* never answer port 0 or echo-style services: two reflectors would loop */
    if (sport == 0 || sport == 7 || sport == 13 || sport == 19 || sport == 37)
        return 0;
    uint8_t t[6];
    memcpy(t, f, 6), memcpy(f, f + 6, 6), memcpy(f + 6, t, 6);
    memcpy(t, ip + 12, 4), memcpy(ip + 12, ip + 16, 4), memcpy(ip + 16, t, 4); /* sum unchanged */
    memcpy(t, udp, 2), memcpy(udp, udp + 2, 2), memcpy(udp + 2, t, 2);
    size_t ulen = tot - ihl;
    if (ulen >= 8 + 3)
        udp[8 + 2] |= 0x80; /* QR: a reflected DNS query reads as a response */
    udp[6] = udp[7] = 0;     /* no UDP checksum (IPv4 allows it) */
    return ETH_HLEN + tot;
}
