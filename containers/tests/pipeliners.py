#!/usr/bin/env python3
"""Hostile HTTP clients that pipeline requests and never read the answers.

    pipeliners.py HOST PORT CLIENTS SECONDS

Opens CLIENTS connections and, for SECONDS, keeps writing pipelined 'GET / HTTP/1.1'
requests on each as fast as the server accepts them, reading nothing. Bounded in count
and time; prints 'CLIENTS connections, N MiB of requests written'. Exit 1 if it could not
connect at all.
"""
import socket
import sys
import time


def main():
    host, port, n, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 512
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection((host, port), timeout=5)
        except OSError:
            continue
        s.setblocking(False)
        socks.append(s)
    if not socks:
        print("could not connect")
        return 1
    written = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        progress = False
        for s in socks:
            try:
                written += s.send(req)
                progress = True
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                pass  # closed by the server
        if not progress:
            time.sleep(0.02)
    print("%d connections, %.1f MiB of requests written" % (len(socks), written / 1048576))
    for s in socks:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
