#!/usr/bin/env bash
# Numbers for issue 13 (measurement truth), measured side by side in one run on this machine:
#   1. service-time p50 of unibench vs dnsperf at 1k and 10k qps against knot (medians of REPS runs each,
#      alternating the two tools; dnsperf's p50 from its -v per-query latencies);
#   2. the break point --max-rate auto finds against a token-bucket responder with a known limit (LIMIT qps);
#   3. DNS capacity: unibench with default options (--max-rate auto) vs dnsperf's best (-T 1, -c 1|100,
#      -q 100) against knot;
#   4. the loss split (loss_client / loss_path / loss_server) of the unikernel and the container DNS at the
#      first failing step of a --max-rate auto ramp (deployed by unibench; forward networking: the
#      forwarder is the "path").
# knotd starts with net.core.rmem_default raised to 4 MiB (restored right after), as in
# scripts/bench-dns-generator.sh. Prints the load average at each part. All traffic stays on 127.0.0.1.
# Needs root (sysctl), knot, dnsperf, python3, Java 17, QEMU/KVM and Docker for part 4 (the images built:
# unibench build; SKIP_DEPLOY=1 leaves part 4 out).
# Usage: scripts/measure-numbers.sh     (about 10 minutes; PARTS="2 3" runs only those parts; MAX_SEND_LAG=100ms
#        relaxes the generator-stall flag on a host shared with other work, and says so)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPS=${REPS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
LIMIT=${LIMIT:-2000}
PARTS=${PARTS:-"1 2 3 4"}
MAX_SEND_LAG=${MAX_SEND_LAG:-10ms}
part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
for tool in knotd dnsperf python3 java sysctl dig; do
  command -v "$tool" >/dev/null || { echo "measure-numbers: $tool is missing (see scripts/lib/host.sh)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "measure-numbers: run as root (it raises net.core.rmem_default while knotd starts)" >&2; exit 1; }

work="$(mktemp -d /tmp/unibench-measure.XXXXXX)"
knot_pid="" bucket_pid=""
old_rmem="$(sysctl -n net.core.rmem_default)"
cleanup() {
  [ -n "$knot_pid" ] && kill "$knot_pid" 2>/dev/null && wait "$knot_pid" 2>/dev/null || true
  [ -n "$bucket_pid" ] && kill "$bucket_pid" 2>/dev/null && wait "$bucket_pid" 2>/dev/null || true
  [ -n "${deployed:-}" ] && "$home/scripts/unibench" destroy $deployed >/dev/null 2>&1 || true
  sysctl -q -w net.core.rmem_default="$old_rmem" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ub() { "$home/scripts/unibench" "$@"; }
# col FILE COLUMN ROW(-1 = last): one cell of a CSV
col() { python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(r[int(sys.argv[3])][sys.argv[2]])' "$@"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
load() { echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

port="$(free_port)"
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
cat > "$work/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$port
    rundir: $work
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: $work
zone:
  - domain: cetic.be
    file: cetic.be.zone
CONF
queries="$home/src/main/resources/io/unibench/bench/dns/default-queries.txt"
sysctl -q -w net.core.rmem_default=4194304
knotd -c "$work/knot.conf" >"$work/knotd.log" 2>&1 &
knot_pid=$!
for _ in $(seq 1 100); do
  dig +time=1 +tries=1 +short -p "$port" @127.0.0.1 www.cetic.be A 2>/dev/null | grep -q '^10\.0\.0\.5$' && break
  sleep 0.1
done
sysctl -q -w net.core.rmem_default="$old_rmem"
ub --version >/dev/null  # builds the jar first when it is stale, well before any measurement

echo "generator stall flag: --max-send-lag $MAX_SEND_LAG"
if part 1; then
echo "== 1. service-time p50, unibench vs dnsperf, against knot (median of $REPS x ${SECONDS_EACH}s, 10 sockets)"
load
for rate in 1000 10000; do
  : > "$work/dp-$rate" ; : > "$work/ub-$rate"
  for rep in $(seq 1 "$REPS"); do
    dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -Q "$rate" -l "$SECONDS_EACH" -c 10 -v 2>/dev/null \
      | awk '/^> / && $2 != "T" { print $NF * 1e6 }' | median >> "$work/dp-$rate"
    ub bench dns --target "127.0.0.1:$port" --rate "$rate" --duration "${SECONDS_EACH}s" --clients 10 --quiet \
      --output "$work/ub-$rate-$rep" >/dev/null
    col "$work/ub-$rate-$rep/steps.csv" service_p50_us 0 >> "$work/ub-$rate"
  done
  d="$(median < "$work/dp-$rate")"; u="$(median < "$work/ub-$rate")"
  printf '  %6d qps: dnsperf p50 %.1f us, unibench service p50 %.1f us, diff %+.1f us (%+.1f %%)  [runs: dnsperf %s | unibench %s]\n' \
    "$rate" "$d" "$u" "$(echo "$u - $d" | bc -l)" "$(echo "100 * ($u - $d) / $d" | bc -l)" \
    "$(tr '\n' ' ' < "$work/dp-$rate")" "$(tr '\n' ' ' < "$work/ub-$rate")"
done

fi

if part 2; then
echo "== 2. --max-rate auto against a token-bucket responder of $LIMIT qps"
load
bport="$(free_port)"
python3 - "$bport" "$LIMIT" > "$work/bucket.log" 2>&1 <<'PY' &
import socket, sys, time
port, qps = int(sys.argv[1]), float(sys.argv[2])
burst = max(5.0, qps * 0.05)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(("127.0.0.1", port))
tokens, last = burst, time.monotonic()
end = time.monotonic() + 600  # bounded: gone after 10 minutes whatever happens
while time.monotonic() < end:
    q, peer = s.recvfrom(512)
    now = time.monotonic()
    tokens = min(burst, tokens + (now - last) * qps)
    last = now
    if tokens < 1 or len(q) < 12:
        continue
    tokens -= 1
    s.sendto(q[:2] + bytes([q[2] | 0x84, 0]) + q[4:], peer)
PY
bucket_pid=$!
sleep 0.5
ub bench dns --target "127.0.0.1:$bport" --start-rate "$((LIMIT / 4))" --step "$((LIMIT / 4))" --max-rate auto \
  --step-duration 2s --warmup 500ms --timeout 500ms --max-loss 2 --clients 10 --max-send-lag "$MAX_SEND_LAG" \
  --quiet --output "$work/bucket" >/dev/null
held="$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(max(float(x["offered_qps"]) for x in r if float(x["loss_pct"]) <= 2 and x["generator_saturated"] == "false"))' "$work/bucket/steps.csv")"
printf '  limit %d qps: auto held %.0f qps (%.3f x the limit) in %d steps; %s\n' "$LIMIT" "$held" \
  "$(echo "$held / $LIMIT" | bc -l)" "$(($(wc -l < "$work/bucket/steps.csv") - 1))" "$(col "$work/bucket/steps.csv" stop_detail -1)"
kill "$bucket_pid" 2>/dev/null; wait "$bucket_pid" 2>/dev/null || true; bucket_pid=""

fi

if part 3; then
echo "== 3. DNS capacity against knot: dnsperf's best vs unibench with default options (--max-rate auto)"
load
best=0
for c in 1 100; do
  q="$(dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l 10 -c "$c" -T 1 -q 100 2>/dev/null | awk '/Queries per second/ { print $4 }')"
  echo "  dnsperf -T 1 -c $c -q 100: $q qps"
  best="$(echo "if ($q > $best) $q else $best" | bc -l)"
done
ub bench dns --target "127.0.0.1:$port" --start-rate 20k --step 20k --max-rate auto --step-duration 3s \
  --max-send-lag "$MAX_SEND_LAG" --quiet --output "$work/capacity" >/dev/null
cap="$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(max([float(x["offered_qps"]) for x in r if float(x["loss_pct"]) + float(x["error_pct"]) <= 1 and x["generator_saturated"] == "false"] or [0]))' "$work/capacity/steps.csv")"
printf '  unibench default options (threads: %s): held %.0f qps; dnsperf best %.0f qps; ratio %.2f; %s\n' \
  "$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["parameters"]; print(p["threads"], p["threads_choice"])' "$work/capacity/run.json")" \
  "$cap" "$best" "$(echo "$cap / $best" | bc -l)" "$(col "$work/capacity/steps.csv" stop_detail -1)"

fi

if part 4 && [ "${SKIP_DEPLOY:-0}" != 1 ]; then
  echo "== 4. loss split at the first failing step: unikernel (QEMU/KVM) and container DNS, forward networking"
  load
  for backend in qemu docker; do
    json="$(ub deploy dns --backend "$backend" --json)"
    id="$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["id"])')"
    deployed="$id"
    addr="$(printf '%s' "$json" | python3 -c 'import json,sys; e=[x for x in json.load(sys.stdin)["instances"][0]["endpoints"] if x["protocol"] == "udp"]; print(e[0]["address"])')"
    ub bench dns --target "$addr" --start-rate 20k --step 20k --max-rate auto --step-duration 3s --timeout 1s \
      --max-send-lag "$MAX_SEND_LAG" --quiet --output "$work/split-$backend" >/dev/null || true
    python3 - "$work/split-$backend/steps.csv" "$backend" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
bad = [r for r in rows if float(r["loss_pct"]) > 1]
r = min(bad, key=lambda x: float(x["offered_qps"])) if bad else rows[-1]
print(f"  {sys.argv[2]}: first failing step {float(r['offered_qps']):.0f} qps: sent {r['sent']} lost {r['lost']}"
      f" = client {r['loss_client'] or '?'} + path {r['loss_path'] or '?'} + server {r['loss_server'] or '?'};"
      f" last: {rows[-1]['stop_detail']}")
PY
    ub destroy "$id" >/dev/null; deployed=""
  done
fi
echo "results kept in $work"
