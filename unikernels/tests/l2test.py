#!/usr/bin/env python3
"""Ethernet-level tests of the unikernel network stack.

QEMU runs with `-netdev socket,id=n0,udp=127.0.0.1:PEER,localaddr=127.0.0.1:LOCAL`: every
Ethernet frame travels as one UDP datagram over loopback, so this script plays the whole
LAN (a host 10.0.2.2 plus spoofed senders) without touching any real interface.

    l2test.py dns|web QEMU_PORT MY_PORT [READY_FILE]

READY_FILE is created once the socket is bound: start QEMU only then (the gratuitous ARP
is sent once, right after boot).

Checks: gratuitous ARP at start, ARP reply, ICMP echo, IPv4 options and fragments,
UDP DNS (dns: no answer to source port 0 or to echo-style ports 7/13/19/37), or (web):
RST for a closed port, RFC 5961 (in-window RST and SYN get a challenge ACK, only an exact
RST resets), keepalive probes ACKed, keyed ISNs, a SYN flood that neither evicts an
established keep-alive connection nor locks out a new client (SYN cookies), RST ignored in
TIME_WAIT (RFC 1337).
Prints one 'ok'/'FAIL' line per check; exit status 1 on any failure.
"""
import os
import random
import socket
import struct
import sys
import time

GUEST_IP = bytes([10, 0, 2, 15])
HOST_IP = bytes([10, 0, 2, 2])
HOST_MAC = bytes.fromhex("020000000001")
BCAST = b"\xff" * 6

failures = 0


def report(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + "l2: " + what, flush=True)
    if not ok:
        failures += 1


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Lan:
    def __init__(self, qemu_port, my_port):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.s.bind(("127.0.0.1", my_port))
        self.peer = ("127.0.0.1", qemu_port)
        self.guest_mac = None

    def send(self, frame):
        self.s.sendto(frame, self.peer)

    def recv_until(self, pred, timeout):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                f, _ = self.s.recvfrom(2048)
            except socket.timeout:
                return None
            self.on_frame(f)
            r = pred(f)
            if r:
                return r

    def on_frame(self, f):
        # Answer the guest's ARP requests for the host (gateway) address.
        if len(f) >= 42 and f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[38:42] == HOST_IP:
            self.send(arp(2, f[6:12], HOST_MAC, HOST_IP, f[22:28], f[28:32]))

    def ip(self, src, proto, payload, dst=GUEST_IP, src_mac=HOST_MAC, flags_frag=0x4000, options=b""):
        ihl = 5 + len(options) // 4
        hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), random.randrange(65536),
                          flags_frag, 64, proto, 0, src, dst) + options
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        return self.guest_mac + src_mac + b"\x08\x00" + hdr + payload


def arp(op, dst_mac, smac, sip, tmac, tip):
    return dst_mac + smac + b"\x08\x06" + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, smac, sip, tmac, tip)


def ip_payload(f, proto):
    """(src ip, payload) of an IPv4 frame of that protocol, else None."""
    if len(f) < 34 or f[12:14] != b"\x08\x00" or f[23] != proto:
        return None
    ihl = (f[14] & 15) * 4
    tot = struct.unpack("!H", f[16:18])[0]
    return f[26:30], f[14 + ihl:14 + tot]


def udp(src, sport, dport, data, dst=GUEST_IP):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(u)) + u)
    return u[:6] + struct.pack("!H", c or 0xFFFF) + u[8:]


def tcp(src, sport, dport, seq, ack, flags, data=b"", dst=GUEST_IP, opts=b""):
    off = (20 + len(opts)) // 4
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, 65535, 0, 0) + opts + data
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(t)) + t)
    return t[:16] + struct.pack("!H", c) + t[18:]


def dns_query(qid, name):
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def main():
    svc, qemu_port, my_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    lan = Lan(qemu_port, my_port)
    if len(sys.argv) > 4:
        open(sys.argv[4], "w").close()

    # 1. The guest announces itself right after DRIVER_OK.
    def garp(f):
        if f[12:14] == b"\x08\x06" and f[28:32] == GUEST_IP and f[38:42] == GUEST_IP:
            return f[6:12]
    mac = lan.recv_until(garp, 15)
    report(mac is not None, "gratuitous ARP from 10.0.2.15 after boot")
    if mac is None:
        return 1
    lan.guest_mac = mac

    # 2. ARP request for the guest.
    lan.send(arp(1, BCAST, HOST_MAC, HOST_IP, b"\0" * 6, GUEST_IP))
    r = lan.recv_until(lambda f: f if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02" and f[28:32] == GUEST_IP else None, 3)
    report(r is not None and r[22:28] == mac, "ARP reply with the guest MAC")

    # 3. ICMP echo.
    body = os.urandom(56)
    echo = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + body
    echo = echo[:2] + struct.pack("!H", csum(echo)) + echo[4:]
    lan.send(lan.ip(HOST_IP, 1, echo))
    r = lan.recv_until(lambda f: (p := ip_payload(f, 1)) and p[1][0] == 0 and p[1][4:6] == b"\x12\x34" and p, 3)
    report(bool(r) and r[1][8:] == body and csum(r[1]) == 0, "ICMP echo reply with the same payload")

    if svc == "dns":
        def answer(qid):
            def pred(f):
                p = ip_payload(f, 17)
                if p and len(p[1]) >= 8 + 12 and struct.unpack("!H", p[1][8:10])[0] == qid:
                    return p[1][8:]
            return pred
        q = dns_query(0x4242, "www.cetic.be")
        lan.send(lan.ip(HOST_IP, 17, udp(HOST_IP, 5353, 53, q)))
        r = lan.recv_until(answer(0x4242), 3)
        report(r is not None and r.endswith(bytes([10, 0, 0, 5])), "UDP DNS answer 10.0.0.5")
        # IPv4 options are skipped, not fatal.
        q = dns_query(0x4343, "www.cetic.be")
        lan.send(lan.ip(HOST_IP, 17, udp(HOST_IP, 5353, 53, q), options=b"\x01\x01\x01\x00"))
        r = lan.recv_until(answer(0x4343), 3)
        report(r is not None, "query with IPv4 options answered")
        # Fragments are dropped (no reassembly).
        q = dns_query(0x4444, "www.cetic.be")
        lan.send(lan.ip(HOST_IP, 17, udp(HOST_IP, 5353, 53, q), flags_frag=0x2000))
        r = lan.recv_until(answer(0x4444), 1)
        report(r is None, "fragment (MF set) dropped")
        # Bad UDP checksum dropped.
        u = bytearray(udp(HOST_IP, 5353, 53, dns_query(0x4545, "www.cetic.be")))
        u[6] ^= 0xFF
        lan.send(lan.ip(HOST_IP, 17, bytes(u)))
        report(lan.recv_until(answer(0x4545), 1) is None, "bad UDP checksum dropped")
        # No answers to source port 0 or to echo-style services (reflection loops, amplification).
        for k, port in enumerate((0, 7, 13, 19, 37)):
            lan.send(lan.ip(HOST_IP, 17, udp(HOST_IP, port, 53, dns_query(0x4700 + k, "www.cetic.be"))))
        got = lan.recv_until(lambda f: (p := ip_payload(f, 17)) and len(p[1]) > 10 and p[1][8] == 0x47 and p, 1)
        report(got is None, "no answer to UDP source ports 0, 7, 13, 19, 37")
        # Forged ARP and IP frames do not redirect the host's answers (ARP policy).
        evil = bytes.fromhex("026666666666")

        def answer_frame(qid):
            def pred(f):
                p = ip_payload(f, 17)
                if p and len(p[1]) >= 20 and struct.unpack("!H", p[1][8:10])[0] == qid:
                    return f
            return pred
        lan.send(arp(1, BCAST, evil, HOST_IP, b"\0" * 6, HOST_IP))        # gratuitous request
        lan.send(arp(2, BCAST, evil, HOST_IP, b"\0" * 6, HOST_IP))        # gratuitous reply
        lan.send(arp(2, mac, evil, HOST_IP, mac, GUEST_IP))               # unsolicited reply to us
        lan.send(arp(1, BCAST, evil, HOST_IP, b"\0" * 6, GUEST_IP))       # request to us
        lan.send(lan.ip(HOST_IP, 17, udp(HOST_IP, 5353, 53, dns_query(0x4747, "www.cetic.be")), src_mac=evil))
        f = lan.recv_until(answer_frame(0x4747), 3)
        report(f is not None and f[0:6] == HOST_MAC,
               "forged ARP (gratuitous, unsolicited, request) and IP source MAC: answer still goes to the host's MAC")
        # A new on-link host: the guest asks for its MAC; the newest of 3 queries waits, alone.
        new_ip, new_mac = bytes([10, 0, 2, 9]), bytes.fromhex("020000000009")
        for k in range(3):
            lan.send(lan.ip(new_ip, 17, udp(new_ip, 5353, 53, dns_query(0x4800 + k, "www.cetic.be")), src_mac=new_mac))
        req = lan.recv_until(lambda f: f if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[38:42] == new_ip else None, 3)
        report(req is not None, "ARP request for a new on-link sender")
        lan.send(arp(2, mac, new_mac, new_ip, mac, GUEST_IP))
        got = []
        while True:
            f = lan.recv_until(lambda f: (p := ip_payload(f, 17)) and len(p[1]) > 10 and p[1][8] == 0x48 and f, 0.7)
            if f is None:
                break
            got.append((f[0:6], f[14 + 20 + 8 + 1]))
        report(got == [(new_mac, 2)], "one held answer per pending resolution, sent on the reply: %s" % got)
        lan.send(lan.ip(HOST_IP, 17, udp(HOST_IP, 5353, 53, dns_query(0x4646, "www.cetic.be"))))
        report(lan.recv_until(answer(0x4646), 3) is not None, "still answering")
        return 1 if failures else 0

    # web: RST for a closed port.
    lan.send(lan.ip(HOST_IP, 6, tcp(HOST_IP, 40001, 81, 1000, 0, 0x02)))
    r = lan.recv_until(lambda f: (p := ip_payload(f, 6)) and struct.unpack("!H", p[1][2:4])[0] == 40001 and p, 3)
    report(bool(r) and r[1][13] & 0x04 and struct.unpack("!I", r[1][8:12])[0] == 1001, "SYN to a closed port gets RST/ACK")

    def seg_from(port, flag_mask=0xFF):
        def pred(f):
            p = ip_payload(f, 6)
            if p and p[0] == GUEST_IP and struct.unpack("!H", p[1][2:4])[0] == port and p[1][13] & flag_mask:
                return p[1]
        return pred

    def u32(b, off):
        return struct.unpack("!I", b[off:off + 4])[0]

    def send_tcp(port, seq, ack, flags, data=b""):
        lan.send(lan.ip(HOST_IP, 6, tcp(HOST_IP, port, 80, seq, ack, flags, data)))

    # An established keep-alive connection K: handshake, one request.
    kport, kiss = 40010, 90000
    send_tcp(kport, kiss, 0, 0x02)
    sa = lan.recv_until(seg_from(kport, 0x12), 3)
    report(bool(sa) and sa[13] & 0x12 == 0x12, "keep-alive connection: SYN-ACK")
    if not sa:
        return 1
    kg = u32(sa, 4) + 1            # the guest's next sequence number
    kseq = kiss + 1                # ours
    send_tcp(kport, kseq, kg, 0x10)

    def k_request(what):
        """GET on K; returns True once a complete 200 arrived (and ACKs it)."""
        global failures
        nonlocal kseq, kg
        req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        send_tcp(kport, kseq, kg, 0x18, req)
        kseq += len(req)
        got, end = b"", time.monotonic() + 5
        while time.monotonic() < end:
            seg = lan.recv_until(seg_from(kport, 0x1F), 0.5)
            if not seg:
                if not got:
                    send_tcp(kport, kseq - len(req), kg, 0x18, req)  # retransmit
                continue
            data = seg[(seg[12] >> 4) * 4:]
            if u32(seg, 4) == kg and data:
                got += data
                kg += len(data)
                send_tcp(kport, kseq, kg, 0x10)
            if b"</html>" in got:
                return got.startswith(b"HTTP/1.1 200 ")
        return False

    report(k_request("first"), "keep-alive connection: GET 200")
    # RFC 5961 3.2: an in-window RST that is not an exact match gets a challenge ACK, no reset.
    send_tcp(kport, kseq + 100, 0, 0x04)
    ch = lan.recv_until(seg_from(kport), 1)
    report(bool(ch) and ch[13] == 0x10 and u32(ch, 8) == kseq, "in-window RST: challenge ACK (ack = RCV.NXT)")
    # RFC 5961 4.2: a SYN on an established connection gets a challenge ACK.
    send_tcp(kport, kseq + 5000, 0, 0x02)
    ch = lan.recv_until(seg_from(kport), 1)
    report(bool(ch) and ch[13] == 0x10 and u32(ch, 8) == kseq, "SYN on an established connection: challenge ACK")
    # An ACK far outside the window is not processed, only answered.
    send_tcp(kport, kseq, kg + 1000000, 0x10)
    ch = lan.recv_until(seg_from(kport), 1)
    report(bool(ch) and ch[13] == 0x10 and u32(ch, 4) == kg, "ACK of unsent data: answered with an ACK, ignored")
    # Keepalive probe: seq = RCV.NXT - 1, no data -> ACK.
    send_tcp(kport, kseq - 1, kg, 0x10)
    ch = lan.recv_until(seg_from(kport), 1)
    report(bool(ch) and ch[13] == 0x10 and u32(ch, 8) == kseq, "keepalive probe answered with an ACK")
    report(k_request("after"), "connection survives the spoofed RST/SYN/ACK: GET 200")

    # RFC 6528: initial sequence numbers of neighbouring tuples are unrelated.
    isns = []
    for port in (40020, 40021, 40022):
        send_tcp(port, 5, 0, 0x02)
        sa = lan.recv_until(seg_from(port, 0x12), 2)
        if sa:
            isns.append(u32(sa, 4))
        send_tcp(port, 6, 0, 0x04)  # exact-match RST (seq = RCV.NXT): gone
    far = len(isns) == 3 and all(min((x - y) & 0xFFFFFFFF, (y - x) & 0xFFFFFFFF) > (1 << 20)
                                 for i, x in enumerate(isns) for y in isns[i + 1:])
    report(far, "ISNs of consecutive connections differ by > 2^20 (keyed, RFC 6528)")

    # SYN flood from 3000 spoofed senders (TEST-NET-2, routed via the gateway = us).
    for i in range(3000):
        src = bytes([198, 51, 100 + (i >> 8) % 4, i & 0xFF])
        lan.send(lan.ip(src, 6, tcp(src, 1024 + i, 80, random.randrange(1 << 32), 0, 0x02, opts=b"\x02\x04\x05\xb4")))
        if i % 200 == 199:
            time.sleep(0.005)
    synacks = 0
    while lan.recv_until(lambda f: (p := ip_payload(f, 6)) and p[1][13] == 0x12, 0.5):
        synacks += 1
        if synacks > 5000:
            break
    report(synacks > 0, "SYN flood of 3000: answered with %d SYN-ACKs" % synacks)

    # The established connection was not evicted by the flood.
    report(k_request("flood"), "keep-alive connection survives the SYN flood: GET 200")
    # Only an exact-match RST resets it: afterwards its data gets a RST.
    send_tcp(kport, kseq, 0, 0x04)
    send_tcp(kport, kseq, kg, 0x18, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    r = lan.recv_until(seg_from(kport, 0x04), 1)
    report(r is not None, "exact-match RST resets the connection (later data gets a RST)")

    # A legitimate client still gets served.
    sport, iss = 40002, 7000

    def from_guest(flag_mask):
        def pred(f):
            p = ip_payload(f, 6)
            if p and p[0] == GUEST_IP and struct.unpack("!H", p[1][2:4])[0] == sport and p[1][13] & flag_mask:
                return p[1]
        return pred
    synack = None
    for _ in range(10):
        lan.send(lan.ip(HOST_IP, 6, tcp(HOST_IP, sport, 80, iss, 0, 0x02, opts=b"\x02\x04\x05\xb4")))
        synack = lan.recv_until(from_guest(0x12), 0.5)
        if synack and synack[13] & 0x12 == 0x12:
            break
    report(bool(synack) and synack[13] & 0x12 == 0x12, "handshake after the flood: SYN-ACK")
    if not synack:
        return 1
    gseq = struct.unpack("!I", synack[4:8])[0] + 1
    req = b"GET / HTTP/1.0\r\n\r\n"
    lan.send(lan.ip(HOST_IP, 6, tcp(HOST_IP, sport, 80, iss + 1, gseq, 0x10)))
    lan.send(lan.ip(HOST_IP, 6, tcp(HOST_IP, sport, 80, iss + 1, gseq, 0x18, req)))
    got, fin, end = b"", False, time.monotonic() + 5
    while not fin and time.monotonic() < end:
        seg = lan.recv_until(from_guest(0x19), 1)
        if not seg:
            continue
        seq = struct.unpack("!I", seg[4:8])[0]
        data = seg[(seg[12] >> 4) * 4:]
        if os.environ.get("L2DEBUG"):
            print("seg seq", seq - gseq, "flags %x" % seg[13], "len", len(data), "have", len(got))
        if seq == gseq + len(got):
            got += data
            if seg[13] & 0x01:
                fin = True
        ack = gseq + len(got) + (1 if fin else 0)
        lan.send(lan.ip(HOST_IP, 6, tcp(HOST_IP, sport, 80, iss + 1 + len(req), ack, 0x10 | (0x01 if fin else 0))))
    report(got[:9] in (b"HTTP/1.0 ", b"HTTP/1.1 ") and got[9:12] == b"200" and b"unibench" in got and fin,
           "HTTP/1.0 GET after the flood: 200, page, FIN (%d bytes)" % len(got))
    # Our FIN went out after theirs: the guest is in TIME_WAIT. A RST there is ignored (RFC 1337):
    # our retransmitted FIN is still answered with an ACK, not a RST.
    if fin:
        ack = gseq + len(got) + 1
        lan.recv_until(from_guest(0x10), 0.2)  # the ACK of our FIN
        lan.send(lan.ip(HOST_IP, 6, tcp(HOST_IP, sport, 80, iss + 2 + len(req), 0, 0x04)))
        lan.send(lan.ip(HOST_IP, 6, tcp(HOST_IP, sport, 80, iss + 1 + len(req), ack, 0x11)))
        r = lan.recv_until(from_guest(0x14), 0.4)
        report(bool(r) and r[13] == 0x10, "RST in TIME_WAIT ignored: a retransmitted FIN is re-ACKed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
