#!/usr/bin/env bash
# Benchmarks unibench's own DNS load generator (not a server) on this machine, against Debian's knotd on
# 127.0.0.1 and a free high port, serving the study's zone:
#   1. generator capacity: dnsperf's best rate (-T 1|2 x -c 1|100, -q 100, DNSPERF_SECONDS each) and,
#      back to back, unibench's highest fixed-rate step with generator_saturated=false and < 0.1 % loss
#      (short ramps around dnsperf's best, a few --clients/--threads shapes); prints the ratio;
#      then the CPU each generator uses at the same fixed rate (half dnsperf's best), which does not depend
#      on how well the server copes with an open-loop load on a shared machine;
#   2. rate accuracy: unibench at 1 000 and 10 000 qps for ACCURACY_SECONDS: achieved send rate within 1 %
#      of offered, and every full one-second bucket within 5 %.
# knotd starts with net.core.rmem_default raised to 4 MiB (restored right after it started) so that
# loss at high rates is not just knot's default 208 KB receive buffer overflowing.
# Needs root (sysctl), knot, dnsperf, python3, Java 17. All traffic stays on 127.0.0.1.
# Usage: scripts/bench-dns-generator.sh            (about 5 minutes; keep the machine otherwise idle)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DNSPERF_SECONDS=${DNSPERF_SECONDS:-10}
STEP_SECONDS=${STEP_SECONDS:-5}
ACCURACY_SECONDS=${ACCURACY_SECONDS:-10}
# --clients/--threads shapes unibench tries; the best one counts (as dnsperf's best shape does)
UNIBENCH_SHAPES=${UNIBENCH_SHAPES:-"100/1 4/1 100/2 4/2"}

for tool in knotd knotc dnsperf python3 java sysctl dig; do
  command -v "$tool" >/dev/null || { echo "bench-dns-generator: $tool is missing (see scripts/lib/host.sh)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench-dns-generator: run as root (it raises net.core.rmem_default while knotd starts)" >&2; exit 1; }

work="$(mktemp -d /tmp/unibench-dnsgen.XXXXXX)"
knot_pid=""
old_rmem="$(sysctl -n net.core.rmem_default)"
cleanup() {
  [ -n "$knot_pid" ] && kill "$knot_pid" 2>/dev/null && wait "$knot_pid" 2>/dev/null || true
  sysctl -q -w net.core.rmem_default="$old_rmem" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$work/cetic.be.zone" <<'EOF'
$ORIGIN cetic.be.
$TTL 300
@          IN SOA ns1.cetic.be. hostmaster.cetic.be. 1 3600 600 86400 300
@          IN NS  ns1.cetic.be.
@          IN A   10.0.0.5
ns1        IN A   10.0.0.100
www        IN A   10.0.0.5
internship IN A   10.0.0.5
EOF
cat > "$work/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$port
    rundir: $work
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: $work
    global-module: mod-stats
zone:
  - domain: cetic.be
    file: cetic.be.zone
EOF
queries="$home/src/main/resources/io/unibench/bench/dns/default-queries.txt"

sysctl -q -w net.core.rmem_default=4194304
knotd -c "$work/knot.conf" >"$work/knotd.log" 2>&1 &
knot_pid=$!
for _ in $(seq 1 100); do
  dig +time=1 +tries=1 +short -p "$port" @127.0.0.1 www.cetic.be A 2>/dev/null | grep -q '^10\.0\.0\.5$' && break
  sleep 0.1
done
sysctl -q -w net.core.rmem_default="$old_rmem"
dig +time=1 +tries=1 +short -p "$port" @127.0.0.1 www.cetic.be A | grep -q '^10\.0\.0\.5$' \
  || { echo "bench-dns-generator: knotd did not answer; log:" >&2; cat "$work/knotd.log" >&2; exit 1; }

drops() { awk -v p="$(printf ':%04X' "$port")" 'index($2, p) { d += $NF } END { print d + 0 }' /proc/net/udp; }

ub() { "$home/scripts/unibench" "$@"; }
ub --version >/dev/null  # builds the jar first when it is stale, well before any measurement

echo "knotd $(knotd --version | awk '{print $NF}') on 127.0.0.1:$port; $(dnsperf -h 2>&1 | grep '^Version'); $(java -version 2>&1 | head -1)"
echo "load before: $(uptime)"

# ---- 1. dnsperf's best ----
echo
echo "== dnsperf, ${DNSPERF_SECONDS}s each, -q 100 =="
best_dnsperf=0
best_dnsperf_shape=""
for T in 1 2; do
  for c in 1 100; do
    d0="$(drops)"
    out="$(dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l "$DNSPERF_SECONDS" -T "$T" -c "$c" -q 100 2>&1)"
    qps="$(awk '/Queries per second:/ { printf "%.0f", $4 }' <<<"$out")"
    lost="$(awk '/Queries lost:/ { print $3 }' <<<"$out")"
    sent="$(awk '/Queries sent:/ { print $3 }' <<<"$out")"
    printf '  -T %s -c %-3s  %8s qps  sent %s  lost %s  server drops %s\n' "$T" "$c" "$qps" "$sent" "$lost" "$(( $(drops) - d0 ))"
    if [ "${qps:-0}" -gt "$best_dnsperf" ] && python3 -c "import sys; sys.exit(0 if int('$lost') <= 0.001 * int('$sent') else 1)"; then
      best_dnsperf="$qps"
      best_dnsperf_shape="-T $T -c $c"
    fi
  done
done
echo "  best dnsperf: $best_dnsperf qps ($best_dnsperf_shape)"
[ "$best_dnsperf" -gt 0 ] || { echo "bench-dns-generator: no dnsperf run without loss; is the machine busy?" >&2; exit 1; }

# ---- unibench: short ramps around dnsperf's best ----
echo
echo "== unibench, fixed-rate steps of ${STEP_SECONDS}s (+1s warm-up), ramp 0.5x..1.3x of dnsperf's best by 0.05x =="
best_ub=0
best_ub_shape=""
for shape in $UNIBENCH_SHAPES; do
  clients="${shape%/*}"
  threads="${shape#*/}"
  start=$(( best_dnsperf * 5 / 10 ))
  step=$(( best_dnsperf / 20 ))
  max=$(( best_dnsperf * 13 / 10 ))
  d0="$(drops)"
  dir="$work/ub-$clients-$threads"
  ub bench dns --target "127.0.0.1:$port" --clients "$clients" --threads "$threads" \
    --start-rate "$start" --step "$step" --max-rate "$max" --step-duration "${STEP_SECONDS}s" --warmup 1s \
    --timeout 2s --max-loss 0.1 --min-completed 0 --max-p99 10s --quiet --output "$dir" >/dev/null || true
  cap="$(python3 - "$dir/steps.csv" <<'EOF'
import csv, sys
best = 0
for r in csv.DictReader(open(sys.argv[1])):
    ok = r["generator_saturated"] == "false" and float(r["loss_pct"]) < 0.1 and int(r["malformed"]) == 0
    print("    offered %7.0f  sent %9.0f/s  completed %9.0f/s  loss %6.3f%%  p50 %s us  p99 %s us  saturated %s%s" % (
        float(r["offered_qps"]), float(r["achieved_send_qps"]), float(r["completed_qps"]), float(r["loss_pct"]),
        r["latency_p50_us"], r["latency_p99_us"], r["generator_saturated"],
        ("  stop: " + r["stop_reason"] + " (" + r["stop_detail"] + ")") if r["stop_reason"] else ""), file=sys.stderr)
    if ok:
        best = max(best, float(r["offered_qps"]))
print("%.0f" % best)
EOF
)"
  echo "  --clients $clients --threads $threads: highest clean step $cap qps (server drops during the ramp: $(( $(drops) - d0 )))"
  if [ "${cap%.*}" -gt "$best_ub" ]; then best_ub="${cap%.*}"; best_ub_shape="--clients $clients --threads $threads"; fi
done

# the same open-loop criterion applied to dnsperf itself (fixed -Q, outstanding cap lifted), for context
echo "  dnsperf open loop (-Q RATE -q 100000 -T 1 -c 100, ${STEP_SECONDS}s steps, 0.1x..1.3x by 0.1x):"
best_dp_open=0
for (( rate = best_dnsperf / 10; rate <= best_dnsperf * 13 / 10; rate += best_dnsperf / 10 )); do
  out="$(dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l "$STEP_SECONDS" -Q "$rate" -T 1 -c 100 -q 100000 2>&1)"
  read -r sent lost qps < <(awk '/Queries sent:/ { s = $3 } /Queries lost:/ { l = $3 } /Queries per second:/ { q = $4 }
    END { print s + 0, l + 0, q + 0 }' <<<"$out")
  verdict="$(python3 -c "print('ok' if $lost <= 0.001 * max(1, $sent) and $qps >= 0.99 * $rate else 'stop')")"
  printf '    offered %7d  achieved %9.0f/s  lost %s of %s  %s\n' "$rate" "$qps" "$lost" "$sent" "$verdict"
  [ "$verdict" = ok ] || break
  best_dp_open=$rate
done
echo "  dnsperf open loop: highest clean step $best_dp_open qps"
echo
if [ "$best_dp_open" -gt 0 ]; then
  python3 -c "print('OPEN LOOP vs OPEN LOOP: unibench %d / dnsperf %d = %.2fx' % ($best_ub, $best_dp_open, $best_ub / $best_dp_open))"
else
  echo "OPEN LOOP vs OPEN LOOP: unibench $best_ub qps; dnsperf had no clean open-loop step"
fi
python3 -c "print('GENERATOR CAPACITY: unibench %d qps (%s) / dnsperf %d qps (%s) = %.2fx' % ($best_ub, '$best_ub_shape', $best_dnsperf, '$best_dnsperf_shape', $best_ub / max(1, $best_dnsperf)))"
echo "load after capacity runs: $(uptime)"

# CPU of one generator process between seconds 3 and 7 of a 10 s run at a fixed rate, in % of one core
cpu_window() {
  "$@" >/dev/null 2>&1 &
  local pid=$! a b
  sleep 3
  a="$(awk '{ print $14 + $15 }' "/proc/$pid/stat")"
  sleep 4
  b="$(awk '{ print $14 + $15 }' "/proc/$pid/stat")"
  wait "$pid" || true
  echo $(( (b - a) * 100 / $(getconf CLK_TCK) / 4 ))
}
half=$(( best_dnsperf / 2 ))
echo
echo "== generator CPU at a fixed $half qps (seconds 3-7 of 10 s; % of one core) =="
dp_cpu="$(cpu_window dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l 10 -Q "$half" -T 1 -c 100 -q 100000)"
ub_cpu="$(cpu_window "$home/scripts/unibench" bench dns --target "127.0.0.1:$port" --rate "$half" --duration 10s \
  --warmup 0s --generator-warmup 0s --quiet --output "$work/cpu-ub")"
echo "  dnsperf -T 1 -c 100: ${dp_cpu}%   unibench --clients 100 --threads 1: ${ub_cpu}%"

# ---- 2. rate accuracy ----
echo
echo "== rate accuracy, ${ACCURACY_SECONDS}s at fixed rates =="
accuracy_ok=1
for rate in 1000 10000; do
  dir="$work/acc-$rate"
  ub bench dns --target "127.0.0.1:$port" --rate "$rate" --duration "${ACCURACY_SECONDS}s" --warmup 1s --quiet \
    --output "$dir" >/dev/null
  python3 - "$dir" "$rate" <<'EOF' || accuracy_ok=0
import csv, sys
d, rate = sys.argv[1], float(sys.argv[2])
step = next(csv.DictReader(open(d + "/steps.csv")))
achieved = float(step["achieved_send_qps"])
err = abs(achieved - rate) / rate * 100
# full one-second buckets of the measured window: drop the first one with sends (it holds the end of the
# warm-up) and the last one (the partial second and the drain after the schedule)
secs = [int(r["sent"]) for r in csv.DictReader(open(d + "/seconds.csv"))]
first = next(i for i, s in enumerate(secs) if s > 0)
full = secs[first + 1:-1]
worst = max(abs(s - rate) / rate * 100 for s in full)
ok = err <= 1 and worst <= 5
print("  %6.0f qps: achieved %.1f qps (%.3f %% off), %d full seconds, worst second %.2f %% off, loss %s %%, p50 %s us, p99 %s us  %s" % (
    rate, achieved, err, len(full), worst, step["loss_pct"], step["latency_p50_us"], step["latency_p99_us"],
    "OK" if ok else "OUT OF BOUNDS"))
print("    per-second sent: " + " ".join(str(s) for s in secs))
sys.exit(0 if ok else 1)
EOF
done
echo "load at the end: $(uptime)"
echo "results kept in $work (knot config, unibench run folders)"
[ "$accuracy_ok" -eq 1 ]
