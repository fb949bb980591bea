#!/usr/bin/env python3
"""Regenerate the malformed-input corpus in tests/corpus/ (committed; rerun after edits).

File names carry the expected outcome so any harness can check it:
  DNS  <outcome>-<what>.dns   outcome: drop | formerr | notimp | refused | nxdomain |
                              noerror | badvers | servfail   (for the default zone)
  HTTP <status>-<what>.http   status of the FIRST response; the connection must end
                              (or stay usable) without a crash. 'none' = no response yet.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def hdr(ident=0x1234, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", ident, flags, qd, an, ns, ar)


def name(text):
    out = b""
    for label in text.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def q(text, qtype=1, qclass=1):
    return name(text) + struct.pack(">HH", qtype, qclass)


def opt(payload=1232, version=0):
    return b"\0" + struct.pack(">HHBBHH", 41, payload, 0, version, 0, 0)


DNS = {
    "drop-empty": b"",
    "drop-short-header": hdr()[:11],
    "drop-qr-set": hdr(flags=0x8100) + q("www.cetic.be"),
    "drop-qr-set-garbage": b"\x80" * 11 + b"\xff" * 40,
    "formerr-qdcount-zero": hdr(qd=0),
    "formerr-qdcount-two": hdr(qd=2) + q("www.cetic.be") + q("cetic.be"),
    "formerr-header-only": hdr(),
    "formerr-truncated-label": hdr() + b"\x03www\x05cet",
    "formerr-truncated-type": hdr() + name("www.cetic.be") + b"\x00",
    "formerr-no-root-label": hdr() + b"\x03www\x05cetic\x02be",
    "formerr-compression-in-question": hdr() + b"\x03www\xc0\x0c" + struct.pack(">HH", 1, 1),
    "formerr-compression-loop": hdr() + b"\xc0\x0c" + struct.pack(">HH", 1, 1),
    "formerr-pointer-out-of-packet": hdr() + b"\xc3\xff" + struct.pack(">HH", 1, 1),
    "formerr-reserved-label-type": hdr() + b"\x43" + b"a" * 3 + b"\0" + struct.pack(">HH", 1, 1),
    "formerr-name-too-long": hdr() + (b"\x3f" + b"a" * 63) * 4 + b"\0" + struct.pack(">HH", 1, 1),
    "formerr-arcount-lies": hdr(ar=3) + q("www.cetic.be"),
    "formerr-ancount-lies": hdr(an=65535) + q("www.cetic.be"),
    "formerr-opt-rdlen-lies": hdr(ar=1) + q("www.cetic.be") + opt()[:-2] + b"\x10\x00",
    "formerr-two-opts": hdr(ar=2) + q("www.cetic.be") + opt() + opt(),
    "formerr-opt-in-answer": hdr(an=1) + q("www.cetic.be") + opt(),
    "formerr-opt-nonroot-owner": hdr(ar=1) + q("www.cetic.be") + b"\xc0\x0c" + opt()[1:],
    "formerr-ar-pointer-loop": hdr(ar=1) + q("www.cetic.be") + b"\xc0\x1e" + struct.pack(">HHIH", 1, 1, 0, 0)[:2],
    "notimp-opcode-status": hdr(flags=0x1000) + q("www.cetic.be"),
    "notimp-opcode-update-garbage": hdr(flags=0x2800, qd=7) + b"\xff" * 20,
    "refused-outside-zone": hdr() + q("example.org"),
    "refused-class-chaos": hdr() + q("version.bind", 16, 3),
    "refused-root": hdr() + q("."),
    "refused-suffix-not-label": hdr() + q("xcetic.be"),
    "nxdomain-unknown": hdr() + q("nope.cetic.be"),
    "nxdomain-max-length-name": hdr() + (b"\x3f" + b"a" * 63) * 3 + b"\x34" + b"b" * 52 + name("cetic.be") + struct.pack(">HH", 1, 1),
    "noerror-trailing-garbage": hdr() + q("www.cetic.be") + b"\xde\xad\xbe\xef" * 8,
    "noerror-mixed-case": hdr() + q("WwW.CeTiC.Be"),
    "noerror-aaaa": hdr() + q("www.cetic.be", 28),
    "noerror-edns-tiny-payload": hdr(ar=1) + q("www.cetic.be") + opt(payload=1),
    "noerror-edns-huge-payload": hdr(ar=1) + q("www.cetic.be") + opt(payload=65535),
    "noerror-any": hdr() + q("cetic.be", 255),
    "badvers-edns-version-1": hdr(ar=1) + q("www.cetic.be") + opt(version=1),
}

HTTP = {
    "400-garbage": b"\x00\x01\x02\x03 hello\r\n\r\n",
    "400-no-version": b"GET /\r\n\r\n",
    "400-bad-version": b"GET / HTTX/1.1\r\n\r\n",
    "400-space-before-colon": b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    "400-obs-fold": b"GET / HTTP/1.1\r\nHost: x\r\n continued\r\n\r\n",
    "400-no-colon": b"GET / HTTP/1.1\r\nHost\r\n\r\n",
    "400-bad-content-length": b"POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n",
    "400-conflicting-content-length": b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    "400-content-length-overflow": b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    "400-nul-in-header": b"GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n",
    "400-double-space": b"GET  / HTTP/1.1\r\n\r\n",
    "400-bare-cr": b"GET / HTTP/1.1\rHost: x\r\n\r\n",
    "431-huge-header": b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
    "431-endless-request-line": b"GET /" + b"x" * 20000,
    "505-http2": b"GET / HTTP/2.0\r\n\r\n",
    "501-chunked": b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "405-delete": b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n",
    "404-traversal": b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "200-leading-crlf": b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "200-bare-lf": b"GET / HTTP/1.1\nHost: x\n\n",
    "405-post-body-then-pipelined-get": b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "400-no-host": b"GET / HTTP/1.1\r\n\r\n",
    "400-two-hosts": b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "none-incomplete": b"GET / HTTP/1.1\r\nHost: x\r\n",
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith((".dns", ".http")):
            os.remove(os.path.join(OUT, old))
    for k, v in DNS.items():
        with open(os.path.join(OUT, k + ".dns"), "wb") as f:
            f.write(v)
    for k, v in HTTP.items():
        with open(os.path.join(OUT, k + ".http"), "wb") as f:
            f.write(v)
    print(f"{len(DNS)} dns, {len(HTTP)} http files in {OUT}")


if __name__ == "__main__":
    main()
