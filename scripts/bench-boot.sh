#!/usr/bin/env bash
# Boot-time numbers of issue 6 on this machine, through 'unibench bench boot' (results folders under
# results/, or under $OUT when set):
#   cold   COLD sequential boots of one DNS instance per backend, nothing else running (default 20):
#          median and p90 from just before the start call to the first correct DNS answer, per backend,
#          and the ratio container / unikernel;
#   churn  the study's schedule shortened: START..MAX instances by STEP, PERIOD each (default 10..140 by 10,
#          60 s; the study used 20 min), a random instance killed and restarted every INTERVAL (5 s), both
#          backends; prints how the boot time grows with the number of instances.
# Builds the unikernels and container images first if they are missing. All traffic stays on 127.0.0.1.
# Usage: scripts/bench-boot.sh [cold|churn|all]     (cold: ~1 min; churn: ~30 min with the defaults)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
what="${1:-cold}"
COLD=${COLD:-20}
START=${START:-10}
STEP=${STEP:-10}
MAX=${MAX:-140}
PERIOD=${PERIOD:-60s}
INTERVAL=${INTERVAL:-5s}
SERVICE=${SERVICE:-dns}
OUT=${OUT:-}
case "$what" in cold|churn|all) ;; *) echo "usage: $0 [cold|churn|all]" >&2; exit 2 ;; esac
for tool in python3 java qemu-system-x86_64 docker make gcc; do
  command -v "$tool" >/dev/null || { echo "bench-boot: $tool is missing (see scripts/lib/host.sh)" >&2; exit 1; }
done

ub="$home/scripts/unibench"
if [ ! -f "$home/unikernels/build/$SERVICE.elf" ] \
    || ! docker image inspect "unibench/$SERVICE:latest" >/dev/null 2>&1; then
  "$ub" build
fi

# prints the folder of a new run; extra arguments go to 'bench boot'
run_boot() {
  local label="$1"; shift
  local args=(bench boot --service "$SERVICE" --label "$label" "$@")
  if [ -n "$OUT" ]; then
    mkdir -p "$OUT"
    args+=(--output "$OUT/$(date -u +%Y%m%dT%H%M%SZ)-boot-$label")
  fi
  "$ub" "${args[@]}" | tail -n 1
}

summary() {
  python3 - "$1" "$2" <<'EOF'
import csv, sys
folder, kind = sys.argv[1], sys.argv[2]
rows = [r for r in csv.DictReader(open(folder + "/boot-summary.csv")) if r["kind"] == kind]
print(f"{'backend':8} {'instances':>9} {'boots':>6} {'failed':>6} {'p10 ms':>9} {'p50 ms':>9} {'p90 ms':>9} "
      f"{'p99 ms':>9} {'max ms':>9}")
for r in rows:
    print(f"{r['backend']:8} {r['running_instances']:>9} {r['count']:>6} {r['failures']:>6} {r['p10_ms']:>9} "
          f"{r['p50_ms']:>9} {r['p90_ms']:>9} {r['p99_ms']:>9} {r['max_ms']:>9}")
if kind == "cold":
    p50 = {r["backend"]: float(r["p50_ms"]) for r in rows if r["p50_ms"]}
    p90 = {r["backend"]: float(r["p90_ms"]) for r in rows if r["p90_ms"]}
    if "qemu" in p50 and "docker" in p50:
        print(f"container / unikernel: p50 {p50['docker'] / p50['qemu']:.1f}x, "
              f"p90 {p90['docker'] / p90['qemu']:.1f}x")
else:
    for backend in ("qemu", "docker"):
        mine = [r for r in rows if r["backend"] == backend and r["p50_ms"]]
        if len(mine) >= 2:
            first, last = mine[0], mine[-1]
            print(f"{backend}: p50 {first['p50_ms']} ms with {first['running_instances']} instances -> "
                  f"{last['p50_ms']} ms with {last['running_instances']} "
                  f"({float(last['p50_ms']) / float(first['p50_ms']):.2f}x)")
print("results: " + folder)
EOF
}

if [ "$what" = cold ] || [ "$what" = all ]; then
  echo "==> cold: $COLD boots per backend (+1 warm-up), $SERVICE" >&2
  dir="$(run_boot cold --backend both --cold "$COLD")"
  summary "$dir" cold
fi
if [ "$what" = churn ] || [ "$what" = all ]; then
  echo "==> churn: $START..$MAX by $STEP instances, $PERIOD per period, a restart every $INTERVAL, $SERVICE" >&2
  dir="$(run_boot churn --backend both --start "$START" --step "$STEP" --max "$MAX" --period "$PERIOD" \
    --interval "$INTERVAL" --seed 1)"
  summary "$dir" churn
fi
