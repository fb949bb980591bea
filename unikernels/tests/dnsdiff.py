#!/usr/bin/env python3
"""Compare the answers of two DNS servers to the same query list, as dig prints them.

    dnsdiff.py HOST:PORT HOST:PORT QUERYFILE

QUERYFILE: one query per line, 'NAME TYPE [dig options...]' ('#' comments), e.g.
'www.cetic.be A +tcp' or 'nope.cetic.be A +edns=0 +cdflag'. Every query also gets
+norecurse +nocookie +tries=3 +time=2 unless it says otherwise.

For each query the two answers must agree on: rcode, header flags, the section counts, the
EDNS line, and every record (owner, TTL, class, type, data) of the answer, authority and
additional sections. Documented differences that are normalised away, not compared:
  - the order of records inside a section (both servers may rotate or sort RRsets);
  - the case of owner names and the message ID;
  - message size and name compression (dig does not show them);
  - the CD flag: the second server (unibench) must copy it from the query (RFC 4035 3.1.6),
    knot 3.2 leaves it clear for an unsigned zone, so 'cd' is checked on the second answer
    and then left out of the flag comparison.
Prints one line per query ('same' or the difference); exit status 1 if any differ.
"""
import re
import subprocess
import sys


def dig(server, args):
    host, port = server.rsplit(":", 1)
    host = host.strip("[]")
    cmd = ["dig", "@" + host, "-p", port, "+norecurse", "+nocookie", "+tries=3", "+time=2"] + args
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    return parse(out)


def parse(out):
    r = {"status": None, "flags": None, "counts": None, "edns": None, "sections": {}}
    section = None
    for line in out.splitlines():
        m = re.search(r"status: (\w+)", line)
        if m:
            r["status"] = m.group(1)
        m = re.match(r";; flags: ([a-z ]*);\s*(QUERY: \d+, ANSWER: \d+, AUTHORITY: \d+, ADDITIONAL: \d+)", line)
        if m:
            r["flags"] = " ".join(sorted(m.group(1).split()))
            r["counts"] = m.group(2)
        m = re.match(r"; EDNS: (.*)", line)
        if m:
            r["edns"] = m.group(1).strip()
        m = re.match(r";; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:", line)
        if m:
            section = m.group(1)
            r["sections"][section] = []
            continue
        if not line.strip() or line.startswith(";"):
            if not line.strip():
                section = None
            continue
        if section:
            f = line.split()
            f[0] = f[0].lower()
            r["sections"][section].append(" ".join(f))
    for k in r["sections"]:
        r["sections"][k].sort()
    return r


def main():
    a, b, qfile = sys.argv[1], sys.argv[2], sys.argv[3]
    differ = 0
    n = 0
    for line in open(qfile):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        n += 1
        args = line.split()
        ra, rb = dig(a, args), dig(b, args)
        if ra["status"] is None:
            print("FAIL %s: no answer from %s" % (line, a))
            differ += 1
            continue
        diffs = []
        if "+cdflag" in args:
            if "cd" not in (rb["flags"] or "").split():
                diffs.append("cd")
            for r in (ra, rb):
                r["flags"] = " ".join(f for f in (r["flags"] or "").split() if f != "cd")
        diffs += [k for k in ("status", "flags", "counts", "edns", "sections") if ra[k] != rb[k]]
        if diffs:
            differ += 1
            print("DIFF %s:" % line)
            for k in diffs:
                if k == "cd":
                    print("     cd: not copied from the query by %s" % b)
                    continue
                print("     %s: %s\n     %s  vs %s" % (k, ra[k], " " * len(k), rb[k]))
        else:
            print("same %s (%s, %s)" % (line, ra["status"], ra["counts"]))
    print("%d queries, %d differ" % (n, differ))
    return 1 if differ or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
