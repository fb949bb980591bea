#!/usr/bin/env bash
# Numbers for issue 13 (CPU placement): DNS capacity of the unikernel (qemu) and the container (docker) with
# --cpu-layout split (generator on the first half of the CPUs, instance on the others) vs shared (both on
# every CPU), measured side by side in one run: each round runs the four combinations, the layouts in
# alternating order, every ramp --max-rate auto from inside a lab (no forwarder on the path). Reports, per
# backend and layout, the median break point (the highest rate held: the bisection's "held" rate, else
# summary.json break_point_qps, the last step that did not stop the ramp), the split/shared ratio, whether the placement read back as asked (run.json cpu_layout)
# and the load average before and after. All traffic stays inside the lab's namespace.
# Needs root (labs), Java 17, python3, QEMU/KVM and Docker with the images built (unibench build).
# Usage: scripts/cpu-layout-numbers.sh [-r rounds] [-l step-seconds]
#   defaults: 2 rounds, 3 s steps; about 7 minutes on a quiet 2-core host (-r 1 -l 1: about 2 minutes).
#   MAX_SEND_LAG=100ms relaxes the generator-stall flag on a host shared with other work (it is printed).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=2
STEP_S=3
MAX_SEND_LAG=${MAX_SEND_LAG:-10ms}
while getopts "r:l:" o; do
  case $o in
  r) ROUNDS=$OPTARG ;;
  l) STEP_S=$OPTARG ;;
  *) echo "usage: $0 [-r rounds] [-l step-seconds]" >&2; exit 2 ;;
  esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ && "$STEP_S" =~ ^[1-9][0-9]*$ ]] || { echo "cpu-layout-numbers: -r and -l take positive integers" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "cpu-layout-numbers: run as root (labs are network namespaces)" >&2; exit 2; }
for tool in java python3 docker qemu-system-x86_64; do
  command -v "$tool" >/dev/null || { echo "cpu-layout-numbers: $tool is missing (see scripts/lib/host.sh)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "cpu-layout-numbers: the split layout needs at least 2 CPUs" >&2; exit 1; }
ub="$home/scripts/unibench"
LAB=${LAB:-cpulayout}
OUT=${OUT:-$home/results/$(date -u +%Y%m%dT%H%M%SZ)-cpu-layout}
mkdir -p "$OUT"
created_lab=""
deployed=""
cleanup() {
  [ -n "$deployed" ] && "$ub" destroy $deployed >/dev/null 2>&1 || true
  [ -n "$created_lab" ] && "$ub" lab destroy "$LAB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load() { cut -d' ' -f1-3 /proc/loadavg; }

"$ub" build >/dev/null
if ! "$ub" lab list 2>/dev/null | grep -qw "$LAB"; then
  "$ub" lab create "$LAB" >/dev/null
  created_lab=1
fi
"$ub" deploy dns --backend qemu,docker --network lab --lab "$LAB" --json > "$OUT/deploy.json"
deployed=$(python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(open(sys.argv[1]))["instances"]))' "$OUT/deploy.json")
addr() { python3 -c 'import json,sys
print(next(i["endpoints"][0]["address"] for i in json.load(open(sys.argv[1]))["instances"] if i["backend"]==sys.argv[2]))' "$OUT/deploy.json" "$1"; }
echo "cpu-layout-numbers: $ROUNDS rounds, ${STEP_S}s steps, --max-send-lag $MAX_SEND_LAG, lab $LAB; load before: $(load); results in $OUT" | tee "$OUT/uptime.txt" >&2

for r in $(seq 1 "$ROUNDS"); do
  layouts="split shared"; [ $((r % 2)) -eq 0 ] && layouts="shared split"
  for layout in $layouts; do
    for b in qemu docker; do
      out="$OUT/r$r-$b-$layout"
      echo "==> round $r: $b, --cpu-layout $layout" >&2
      "$ub" bench dns --target "$(addr "$b")" --lab "$LAB" --cpu-layout "$layout" --max-rate auto \
        --start-rate 5k --step 10k --step-duration "${STEP_S}s" --warmup 1s --timeout 1s --unresponsive 3s \
        --max-send-lag "$MAX_SEND_LAG" --label "$b-$layout" --quiet --output "$out" >/dev/null || echo "    (exit $?: see $out)" >&2
    done
  done
done
echo "load after: $(load)" | tee -a "$OUT/uptime.txt" >&2

python3 - "$OUT" "$ROUNDS" <<'PY'
import json, os, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def one(b, layout, r):
    d = os.path.join(out, f"r{r}-{b}-{layout}")
    try:
        s = json.load(open(os.path.join(d, "summary.json")))
        run = json.load(open(os.path.join(d, "run.json")))
    except (OSError, ValueError):
        return None, None, None
    h = s.get("headline", s)
    bp = next((v for k, v in h.items() if k.startswith("break_point_")), None)
    # after a bisection the held rate is in the stop detail (summary.json's break point can be a failed
    # refinement's rate: it counts every row without a stop reason as held)
    m = re.search(r"between ([0-9.]+)/s \(held\)", run.get("stop_detail") or "")
    if m:
        bp = float(m.group(1))
    cl = run.get("cpu_layout", {})
    ok = cl.get("generator", {}).get("verified") and cl.get("instance", {}).get("verified")
    return bp, (ok, cl.get("generator", {}).get("cpus"), cl.get("instance", {}).get("cpus")), \
        f'{run.get("stop_reason", "?")}: {run.get("stop_detail", "")}'[:110]
print(f"\nDNS capacity (break point of --max-rate auto, median of {rounds} rounds), lab mode")
print(f"{'backend':8} {'layout':7} {'generator':9} {'instance':8} {'placed':6} {'break point qps':>16}  runs")
med = {}
for b in ("qemu", "docker"):
    for layout in ("split", "shared"):
        vals, placed, stops = [], None, []
        for r in range(1, rounds + 1):
            v, p, stop = one(b, layout, r)
            if v is not None:
                vals.append(v)
                stops.append(stop)
            placed = placed or p
        m = statistics.median(vals) if vals else float("nan")
        med[(b, layout)] = m
        ok = "yes" if placed and placed[0] else "NO"
        print(f"{b:8} {layout:7} {str(placed[1] if placed else '?'):9} {str(placed[2] if placed else '?'):8} "
              f"{ok:6} {m:16.0f}  {', '.join(f'{v:.0f}' for v in vals)}")
        for st in stops:
            print(f"{'':33} stop: {st}")
for b in ("qemu", "docker"):
    s, sh = med[(b, "split")], med[(b, "shared")]
    print(f"{b}: split / shared = {s / sh:.2f}x" if sh == sh and sh > 0 else f"{b}: no ratio")
PY
