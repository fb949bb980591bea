#!/usr/bin/env bash
# The four backends side by side in one run (issue 10's numbers): COLD sequential cold boots of one DNS
# instance on each of qemu, docker, gvisor and native (default 20, after one warm-up boot each), from just
# before the start call to the first correct DNS answer; prints p50 and p90 per backend, each backend's
# ratio to the unikernel (qemu), the host's load average at the start and the end, and run.json's facts
# (accelerator, runtime, platform, network). Everything goes through 'unibench bench boot --backend all'.
# Builds missing images first. All traffic stays on 127.0.0.1.
# Usage: scripts/bench-backends.sh            (~2 min with the defaults on 2 cores)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COLD=${COLD:-20}
SERVICE=${SERVICE:-dns}
OUT=${OUT:-}
for tool in python3 java qemu-system-x86_64 docker make gcc; do
  command -v "$tool" >/dev/null || { echo "bench-backends: $tool is missing (see scripts/lib/host.sh)" >&2; exit 1; }
done
ub="$home/scripts/unibench"
if ! "$ub" doctor >/dev/null 2>&1 || ! "$ub" doctor | grep -q '^gvisor runtime *ok'; then
  "$ub" doctor >&2 || true
  echo "bench-backends: a backend's prerequisites are missing (see the table above)" >&2
  exit 1
fi
"$ub" build all >/dev/null

load_before=$(uptime)
args=(bench boot --backend all --cold "$COLD" --service "$SERVICE" --label backends --quiet)
if [ -n "$OUT" ]; then
  mkdir -p "$OUT"
  args+=(--output "$OUT/$(date -u +%Y%m%dT%H%M%SZ)-boot-backends")
fi
folder=$("$ub" "${args[@]}" | tail -n 1)
load_after=$(uptime)

python3 - "$folder" <<'PY'
import csv, json, sys
folder = sys.argv[1]
rows = [r for r in csv.DictReader(open(folder + "/boot-summary.csv")) if r["kind"] == "cold"]
run = json.load(open(folder + "/run.json"))
p50 = {r["backend"]: float(r["p50_ms"]) for r in rows if r["p50_ms"]}
p90 = {r["backend"]: float(r["p90_ms"]) for r in rows if r["p90_ms"]}
print(f"cold boots, start call -> first correct DNS answer ({folder})")
print(f"{'backend':8} {'boots':>5} {'failed':>6} {'p50 ms':>9} {'p90 ms':>9} {'p50/qemu':>9} {'p90/qemu':>9}")
for r in rows:
    b = r["backend"]
    ratio = lambda d: f"{d[b] / d['qemu']:.2f}x" if b in d and d.get("qemu") else "-"
    print(f"{b:8} {r['count']:>5} {r['failures']:>6} {r['p50_ms']:>9} {r['p90_ms']:>9} {ratio(p50):>9} {ratio(p90):>9}")
for b, facts in run.get("backends", {}).items():
    keep = {k: facts[k] for k in ("accelerator", "machine", "runtime", "platform", "network_mode", "isolation")
            if facts.get(k) is not None}
    print(f"{b}: {keep}")
PY
echo "load before: $load_before"
echo "load after:  $load_after"
