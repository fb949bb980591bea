#!/usr/bin/env bash
# Numbers of issue 11 (lab networking) on this machine, all in one run, through unibench itself:
#   1. DNS and HTTP capacity (highest clean step of a ramp: loss + errors <= 1 %, generator on schedule)
#      per backend, through the forwarders (--network forward: slirp / docker-proxy on 127.0.0.1) and on
#      the lab bridge (--network lab, the generator inside the lab), and the ratio lab / forward;
#   2. in the lab, dnsperf run inside the same lab against the same DNS instance (unibench lab exec), and
#      unibench's ceiling / dnsperf's;
#   3. in the lab, 100 HTTP connections opened at once (h2load --h1 -c 100 -n 100, in the lab): all first
#      requests done within 1 s? max connect and request times;
#   4. cold boots per backend (COLD each) in lab mode (with the plumbing phase) and in forward mode.
# Lab traffic stays inside the lab's namespace; forward traffic on 127.0.0.1. Needs root (labs).
# Usage: scripts/bench-lab.sh        env: BACKENDS=qemu,docker  COLD=5  OUT=dir  LAB=benchlab
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKENDS=${BACKENDS:-qemu,docker}
COLD=${COLD:-5}
LAB=${LAB:-benchlab}
OUT=${OUT:-$home/results/$(date -u +%Y%m%dT%H%M%SZ)-bench-lab}
DNS_RAMP=(--start-rate 2k --step 4k --max-rate 400k --step-duration 3s --warmup 1s --timeout 1s --unresponsive 3s
  --clients 100 --quiet)
HTTP_RAMP=(--start-rate 1k --step 3k --max-rate 200k --step-duration 3s --warmup 1s --timeout 1s --unresponsive 3s
  --connections 50 --quiet)
for tool in python3 java dnsperf h2load; do
  command -v "$tool" >/dev/null || { echo "bench-lab: $tool is missing (see scripts/lib/host.sh)" >&2; exit 1; }
done
ub="$home/scripts/unibench"
mkdir -p "$OUT"
echo "bench-lab: results in $OUT; backends $BACKENDS; $(uptime)" | tee "$OUT/uptime-start.txt" >&2
"$ub" build >/dev/null
"$ub" lab create "$LAB" >&2

cleanup() { "$ub" destroy --all >/dev/null 2>&1 || true; }
trap cleanup EXIT

# deploy dns + web on every backend in one mode; prints the deploy JSON
deploy() {
  local mode="$1"
  if [ "$mode" = lab ]; then
    # dns and web one by one ('deploy poc --network lab' is the study's whole topology), one JSON document
    python3 -c 'import json,sys; a,b=(json.loads(x) for x in sys.argv[1:]); a["instances"]+=b["instances"]; print(json.dumps(a))' \
      "$("$ub" deploy dns --backend "$BACKENDS" --network lab --lab "$LAB" --json)" \
      "$("$ub" deploy web --backend "$BACKENDS" --network lab --lab "$LAB" --json)"
  else
    "$ub" deploy poc --backend "$BACKENDS" --network forward --json
  fi
}

endpoint() { # JSON backend service -> host:port of its first endpoint
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(next(i["endpoints"][0]["address"] for i in d["instances"] if i["backend"]==sys.argv[2] and i["service"]==sys.argv[3]))' "$@"
}

for mode in forward lab; do
  echo "==> $mode: deploy" >&2
  deploy "$mode" > "$OUT/deploy-$mode.json"
  labopt=(); [ "$mode" = lab ] && labopt=(--lab "$LAB")
  for b in ${BACKENDS//,/ }; do
    dns=$(endpoint "$OUT/deploy-$mode.json" "$b" dns)
    web=$(endpoint "$OUT/deploy-$mode.json" "$b" web)
    echo "==> $mode $b: bench dns $dns, bench http $web" >&2
    "$ub" bench dns --target "$dns" "${labopt[@]}" "${DNS_RAMP[@]}" --label "$mode-$b" --output "$OUT/dns-$mode-$b" >/dev/null
    "$ub" bench http --target "http://$web/" "${labopt[@]}" "${HTTP_RAMP[@]}" --label "$mode-$b" --output "$OUT/http-$mode-$b" >/dev/null
    if [ "$mode" = lab ]; then
      host=${dns%:*}
      "$ub" lab exec "$LAB" -- dnsperf -s "$host" -d "$home/src/main/resources/io/unibench/bench/dns/default-queries.txt" \
        -l 5 -T 1 -c 10 -q 100 > "$OUT/dnsperf-$b.txt" 2>&1 || true
      whost=${web%:*}
      "$ub" lab exec "$LAB" -- h2load --h1 -c 100 -n 100 -t 1 "http://$web/" > "$OUT/h2load-$b.txt" 2>&1 || true
    fi
  done
  "$ub" destroy --all >/dev/null
done

echo "==> cold boots" >&2
"$ub" bench boot --backend "$BACKENDS" --cold "$COLD" --network lab --lab "$LAB" --quiet --output "$OUT/boot-lab" >/dev/null
"$ub" bench boot --backend "$BACKENDS" --cold "$COLD" --quiet --output "$OUT/boot-forward" >/dev/null
echo "bench-lab: done; $(uptime)" | tee "$OUT/uptime-end.txt" >&2

python3 - "$OUT" "$BACKENDS" <<'EOF'
import csv, re, statistics, sys, os
out, backends = sys.argv[1], sys.argv[2].split(",")
def capacity(folder):
    f = os.path.join(folder, "steps.csv")
    if not os.path.exists(f):
        return None
    best = None
    for r in csv.DictReader(open(f)):
        col = next(c for c in r if c.startswith("completed_"))
        loss = float(r.get("loss_pct") or 0) + float(r.get("error_pct") or 0)
        if loss <= 1.0 and r.get("generator_saturated") != "true":
            v = float(r[col])
            best = v if best is None or v > best else best
    return best
def fmt(v):
    return "-" if v is None else f"{v:,.0f}"
print("\n# capacity (highest clean step), forward vs lab, same run")
print(f"{'backend':8} {'service':5} {'forward/s':>11} {'lab/s':>11} {'lab/forward':>12}")
for b in backends:
    for svc in ("dns", "http"):
        f, l = capacity(f"{out}/{svc}-forward-{b}"), capacity(f"{out}/{svc}-lab-{b}")
        ratio = f"{l / f:.2f}x" if f and l else "-"
        print(f"{b:8} {svc:5} {fmt(f):>11} {fmt(l):>11} {ratio:>12}")
print("\n# lab: unibench's DNS ceiling vs dnsperf in the same lab, same instance")
for b in backends:
    t = open(f"{out}/dnsperf-{b}.txt").read() if os.path.exists(f"{out}/dnsperf-{b}.txt") else ""
    m = re.search(r"Queries per second:\s+([\d.]+)", t)
    lost = re.search(r"Queries lost:\s+(\d+) \(([\d.]+)%\)", t)
    d = float(m.group(1)) if m else None
    u = capacity(f"{out}/dns-lab-{b}")
    ratio = f"{u / d:.2f}" if d and u else "-"
    print(f"{b:8} unibench {fmt(u):>9}  dnsperf {fmt(d):>9} (lost {lost.group(2) if lost else '?'}%)  unibench/dnsperf {ratio}")
print("\n# lab: 100 connections opened at once (h2load --h1 -c 100 -n 100)")
for b in backends:
    t = open(f"{out}/h2load-{b}.txt").read() if os.path.exists(f"{out}/h2load-{b}.txt") else ""
    done = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded", t)
    conn = re.search(r"time for connect:\s+(\S+)\s+(\S+)\s+(\S+)", t)
    req = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)", t)
    fin = re.search(r"finished in ([\d.]+\w+)", t)
    print(f"{b:8} succeeded {done.group(3) if done else '?'}/100 in {fin.group(1) if fin else '?'}; "
          f"connect min/max {conn.group(1) + '/' + conn.group(2) if conn else '?'}; "
          f"request max {req.group(2) if req else '?'}")
print("\n# cold boots (ms, median of each phase; answer_ms = boot time, plumbing included in lab mode)")
print(f"{'backend':8} {'mode':8} {'boots':>5} {'plumbing':>9} {'answer p50':>11} {'answer max':>11}")
for mode in ("forward", "lab"):
    f = f"{out}/boot-{mode}/boot-events.csv"
    rows = list(csv.DictReader(open(f))) if os.path.exists(f) else []
    for b in backends:
        rs = [r for r in rows if r["backend"] == b and r["outcome"] == "ready"]
        if not rs:
            continue
        ans = [float(r["answer_ms"]) for r in rs]
        pl = [float(r["plumbing_ms"]) for r in rs if r.get("plumbing_ms")]
        print(f"{b:8} {mode:8} {len(rs):>5} {statistics.median(pl) if pl else float('nan'):>9.1f} "
              f"{statistics.median(ans):>11.1f} {max(ans):>11.1f}")
EOF
