#!/usr/bin/env bash
# DNS ceilings, unibench vs dnsperf, side by side in one run (issues 11 and 13):
#   A. in a lab (generator and dnsperf both inside the lab's client side, against the same instance), per
#      backend (BACKENDS, default qemu,docker,native): unibench's lab ceiling, dnsperf's ceiling, the ratio;
#   B. against knot on 127.0.0.1: unibench with default options (clients 100, threads auto, timeout 5s)
#      vs dnsperf's best, the ratio.
# Two definitions of "ceiling", both printed, because they are different things:
#   - open loop (unibench's, and dnsperf -Q): the highest offered rate whose step loses <= MAX_LOSS % (lost +
#     errors, over what was sent) with the generator on schedule. unibench: a --max-rate auto ramp (steps,
#     then bisection to 5 %). dnsperf: -T 1 -c 100 -q 20000 -Q RATE (the -q window so large it never limits),
#     bisected between 0.25x and 1.25x dnsperf's closed-loop best, 6 rounds (<= 2 % apart); a rate counts as
#     held only when dnsperf also kept it (answered/s >= 95 % of -Q, less the loss): -Q is a cap, not a schedule.
#   - closed loop (dnsperf's usual "Queries per second"): dnsperf -T 1 with at most -q queries outstanding,
#     swept over -c 10|100 x -q 100|500; the best run among those losing <= MAX_LOSS %. A closed loop slows
#     down whenever the server stalls (it only sends when answers come back), so it never overflows the
#     server's queue and measures average throughput, not a rate the server keeps at a given loss.
# The same timeout on both sides (TIMEOUT, dnsperf -t): lab 1 s; knot 5 s (the defaults of both tools).
# knotd starts with net.core.rmem_default raised to 4 MiB (restored right after), as in measure-numbers.sh; the
# unibench DNS services set 4 MiB themselves (dns-server --rcvbuf; the kernel caps it at net.core.rmem_max,
# printed). Lab traffic stays in the lab's namespace, knot's on 127.0.0.1. Needs root, dnsperf, knotd.
# Usage: scripts/dns-ceiling-numbers.sh  (about 7 minutes on a quiet host)
#   env: BACKENDS=qemu,docker,native  LAB=dnsceil  STEP_S=3  MAX_LOSS=1  PARTS="A B"  OUT=dir
#        MAX_SEND_LAG=10ms (unibench's generator-stall flag; on a host shared with other work its first step
#        can already show a send-lag p99 of 15-80 ms and the ramp then stops at once: relax it, it is printed)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKENDS=${BACKENDS:-qemu,docker,native}
LAB=${LAB:-dnsceil}
STEP_S=${STEP_S:-3}
MAX_LOSS=${MAX_LOSS:-1}
MAX_SEND_LAG=${MAX_SEND_LAG:-10ms}
PARTS=${PARTS:-"A B"}
OUT=${OUT:-$home/results/$(date -u +%Y%m%dT%H%M%SZ)-dns-ceiling}
part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# The CPU layout unibench uses by default (--cpu-layout split with >= 2 CPUs: the generator on the first
# half, the instance on the rest), given to the other side too: dnsperf runs on the generator's CPUs and
# knotd on the instance's, so both tools meet the server under the same placement (every knotd thread re-pinned
# once it answers, scripts/lib/cpus.sh: knotd moves one worker to CPU 0 itself; each thread's CPUs are printed).
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then
  gen_cpus="0-$(( (ncpu + 1) / 2 - 1 ))" inst_cpus="$(( (ncpu + 1) / 2 ))-$(( ncpu - 1 ))"
  on_gen=(taskset -c "$gen_cpus") on_inst=(taskset -c "$inst_cpus")
else
  gen_cpus=all inst_cpus=all on_gen=() on_inst=()
fi
for tool in knotd dnsperf python3 java sysctl dig; do
  command -v "$tool" >/dev/null || { echo "dns-ceiling-numbers: $tool is missing (see scripts/lib/host.sh)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "dns-ceiling-numbers: run as root (labs; knotd's buffer)" >&2; exit 1; }
ub() { "$home/scripts/unibench" "$@"; }
# shellcheck source=scripts/lib/cpus.sh
. "$home/scripts/lib/cpus.sh"
queries="$home/src/main/resources/io/unibench/bench/dns/default-queries.txt"
mkdir -p "$OUT"
work="$(mktemp -d /tmp/unibench-dnsceil.XXXXXX)"
knot_pid="" lab_made=""
old_rmem="$(sysctl -n net.core.rmem_default)"
cleanup() {
  [ -n "$knot_pid" ] && kill "$knot_pid" 2>/dev/null && wait "$knot_pid" 2>/dev/null || true
  [ -n "$lab_made" ] && ub lab destroy "$LAB" >/dev/null 2>&1 || true
  sysctl -q -w net.core.rmem_default="$old_rmem" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load() { cut -d' ' -f1-3 /proc/loadavg; }

# dnsperf RUNNER... ARGS -> "qps lost_pct" of one run (RUNNER: the command prefix that places it)
dnsperf_run() {
  "$@" 2>&1 | tee -a "$work/dnsperf.log" | python3 -c '
import re, sys
t = sys.stdin.read()
q = re.search(r"Queries per second:\s+([\d.]+)", t)
s = re.search(r"Queries sent:\s+(\d+)", t)
l = re.search(r"Queries lost:\s+(\d+)", t)
sent, lost = (int(s.group(1)), int(l.group(1))) if s and l else (0, 0)
print(f"{float(q.group(1)) if q else 0:.0f} {100.0 * lost / sent if sent else 100:.3f}")'
}

# ceiling_dnsperf LABEL RUNNER... :: TARGET_ARGS...: dnsperf closed-loop sweep + open-loop bisection; appends to results
ceiling_dnsperf() {
  local label="$1"; shift
  local runner=() ; while [ "$1" != :: ]; do runner+=("$1"); shift; done; shift
  local target=("$@") best=0 bestarg=""
  for c in 10 100; do
    for q in 100 500; do
      read -r qps lost < <(dnsperf_run "${runner[@]}" dnsperf "${target[@]}" -d "$queries" -l "$STEP_S" -T 1 -c "$c" -q "$q" -t "$TIMEOUT")
      echo "  $label dnsperf closed loop -c $c -q $q: $qps qps, lost $lost %" >&2
      if python3 -c "import sys; sys.exit(0 if $lost <= $MAX_LOSS and $qps > $best else 1)"; then best=$qps bestarg="-c $c -q $q"; fi
    done
  done
  echo "$label closed $best $bestarg" >> "$work/results"
  # open loop, the same definition as unibench's: highest -Q whose loss <= MAX_LOSS %
  local lo hi good=0
  lo=$(python3 -c "print(int($best * 0.25))"); hi=$(python3 -c "print(int($best * 1.25))")
  for _ in 1 2 3 4 5 6; do
    local mid=$(((lo + hi) / 2))
    read -r qps lost < <(dnsperf_run "${runner[@]}" dnsperf "${target[@]}" -d "$queries" -l "$STEP_S" -T 1 -c 100 -q 20000 -t "$TIMEOUT" -Q "$mid")
    echo "  $label dnsperf open loop -Q $mid: $qps qps, lost $lost %" >&2
    # held: loss within the bound and dnsperf on schedule (-Q is a cap: a dnsperf that cannot send that fast
    # just sends less, and its loss alone would call the rate held; unibench flags the same as saturated)
    if python3 -c "import sys; sys.exit(0 if $lost <= $MAX_LOSS and $qps >= 0.95 * $mid * (1 - $lost / 100) else 1)"
    then lo=$mid good=$mid; else hi=$mid; fi
  done
  echo "$label open $good -Q" >> "$work/results"
}

# unibench ceiling LABEL OUTDIR: highest clean step of its steps.csv
ceiling_unibench() {
  python3 - "$2/steps.csv" "$MAX_LOSS" <<'PY' | { read -r v detail; echo "$1 unibench $v $detail" >> "$work/results"; }
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ok = [float(r["offered_qps"]) for r in rows
      if float(r["loss_pct"] or 0) + float(r["error_pct"] or 0) <= float(sys.argv[2]) and r["generator_saturated"] != "true"]
last = rows[-1]
print(f"{max(ok) if ok else 0:.0f} stop: {last['stop_detail']} (split client/path/server {last['loss_client'] or '-'}/"
      f"{last['loss_path'] or '-'}/{last['loss_server'] or '-'})")
PY
}

echo "dns-ceiling-numbers: results in $OUT; load $(load); net.core.rmem_max $(sysctl -n net.core.rmem_max); --max-send-lag $MAX_SEND_LAG; generator and dnsperf on CPUs $gen_cpus, instance and knotd on $inst_cpus" \
  | tee "$OUT/conditions.txt" >&2
{ dnsperf -h 2>&1 | grep -i '^DNS Performance' || dnsperf -h 2>&1 | head -1; knotd -V; java -version 2>&1 | head -1; uname -r; nproc; } \
  >> "$OUT/conditions.txt" 2>&1 || true
ub --version >/dev/null # builds the jar first when it is stale
: > "$work/results"

if part A; then
  TIMEOUT=1
  ub build >/dev/null
  ub lab create "$LAB" >/dev/null 2>&1 && lab_made=1
  ub deploy dns --backend "$BACKENDS" --network lab --lab "$LAB" --json > "$OUT/deploy.json"
  lab_made=1
  for b in ${BACKENDS//,/ }; do
    addr=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(next(e["address"] for i in d["instances"] if i["backend"]==sys.argv[2] for e in i["endpoints"] if e["protocol"]=="udp"))' \
      "$OUT/deploy.json" "$b")
    id=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(next(i["id"] for i in d["instances"] if i["backend"]==sys.argv[2]))' "$OUT/deploy.json" "$b")
    host=${addr%:*}
    echo "== A. lab $LAB, $b DNS at $addr; load $(load)" >&2
    # unibench first: its split layout places the instance on the instance CPUs (the placement stays), then
    # dnsperf runs on the generator's CPUs against the same placed instance
    ub bench dns --target "$addr" --lab "$LAB" --start-rate 10k --step 20k --max-rate auto --step-duration "${STEP_S}s" \
      --warmup 1s --timeout "${TIMEOUT}s" --max-loss "$MAX_LOSS" --clients 100 --instance "$id" --max-send-lag "$MAX_SEND_LAG" --quiet --label "lab-$b" \
      --output "$OUT/unibench-lab-$b" >/dev/null || true
    ceiling_unibench "lab-$b" "$OUT/unibench-lab-$b"
    ceiling_dnsperf "lab-$b" ub lab exec "$LAB" -- "${on_gen[@]}" :: -s "$host"
  done
  ub lab destroy "$LAB" >/dev/null; lab_made=""
fi

if part B; then
  TIMEOUT=5
  port="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  cat > "$work/cetic.be.zone" <<'ZONE'
$ORIGIN cetic.be.
$TTL 300
@          IN SOA ns1.cetic.be. hostmaster.cetic.be. 1 3600 600 86400 300
@          IN NS  ns1.cetic.be.
@          IN A   10.0.0.5
ns1        IN A   10.0.0.100
www        IN A   10.0.0.5
internship IN A   10.0.0.5
ZONE
  printf 'server:\n    listen: 127.0.0.1@%s\n    rundir: %s\nlog:\n  - target: stderr\n    any: warning\ntemplate:\n  - id: default\n    storage: %s\nzone:\n  - domain: cetic.be\n    file: cetic.be.zone\n' \
    "$port" "$work" "$work" > "$work/knot.conf"
  sysctl -q -w net.core.rmem_default=4194304
  "${on_inst[@]}" knotd -c "$work/knot.conf" >"$work/knotd.log" 2>&1 &
  knot_pid=$!
  for _ in $(seq 1 100); do
    dig +time=1 +tries=1 +short -p "$port" @127.0.0.1 www.cetic.be A 2>/dev/null | grep -q '^10\.0\.0\.5$' && break
    sleep 0.1
  done
  sysctl -q -w net.core.rmem_default="$old_rmem"
  # knotd pins one UDP worker to CPU 0 by itself, under taskset too: all its threads back onto the instance's CPUs
  if [ ${#on_inst[@]} -gt 0 ]; then
    pin_threads "$knot_pid" "$inst_cpus" knotd | tee -a "$OUT/conditions.txt" >&2
  fi
  echo "== B. knot on 127.0.0.1:$port; load $(load)" >&2
  ceiling_dnsperf knot env "${on_gen[@]}" :: -s 127.0.0.1 -p "$port"
  # default options: only the ramp's shape is given (the defaults' 100 qps steps would take hours)
  ub bench dns --target "127.0.0.1:$port" --start-rate 10k --step 20k --max-rate auto --step-duration "${STEP_S}s" \
    --max-loss "$MAX_LOSS" --max-send-lag "$MAX_SEND_LAG" --quiet --label knot --output "$OUT/unibench-knot" >/dev/null || true
  ceiling_unibench knot "$OUT/unibench-knot"
fi
echo "dns-ceiling-numbers: done; load $(load)" | tee -a "$OUT/conditions.txt" >&2
cp "$work/results" "$OUT/"
[ -f "$work/dnsperf.log" ] && cp "$work/dnsperf.log" "$OUT/"

python3 - "$work/results" "$OUT/conditions.txt" <<'PY' | tee "$OUT/summary.txt"
import sys
res = {}
for line in open(sys.argv[1]):
    label, kind, value, *detail = line.split()
    res.setdefault(label, {})[kind] = (float(value), " ".join(detail))
print(f"\n{'target':12} {'unibench':>9} {'dnsperf open':>12} {'ratio':>6} {'dnsperf closed':>14} {'ratio':>6}  dnsperf closed args")
for label, r in res.items():
    u, o, c = (r.get(k, (0, ""))[0] for k in ("unibench", "open", "closed"))
    ro = f"{u / o:.2f}" if o else "-"
    rc = f"{u / c:.2f}" if c else "-"
    print(f"{label:12} {u:>9,.0f} {o:>12,.0f} {ro:>6} {c:>14,.0f} {rc:>6}  {r.get('closed', (0, ''))[1]}")
print("\nunibench: highest offered rate with lost+errors <= MAX_LOSS % on schedule (--max-rate auto ramp);"
      "\ndnsperf open: highest -Q with the same loss bound; dnsperf closed: best 'Queries per second' of the -c/-q sweep")
for label, r in res.items():
    print(f"{label}: unibench {r.get('unibench', (0, ''))[1]}")
print("\n" + open(sys.argv[2]).read().strip())
PY
