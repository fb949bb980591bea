#!/usr/bin/env bash
# Benchmarks unibench's own HTTP load generator (not a server) on this machine, against Debian's nginx on
# 127.0.0.1 and a free high port (1 worker, access log off, a 407-byte page):
#   1. generator capacity: Debian's wrk -t2 -c100 (closed loop, as fast as it can) for WRK_SECONDS, then,
#      back to back, unibench ramps with 100 connections from 0.5x to 1.3x wrk's rate in 0.1x steps
#      (STEP_SECONDS each, 1 s warm-up) for --threads 1 and 2. The ramp stops at the first step where the
#      generator fell behind its schedule (generator_saturated) or any request failed or timed out.
#      Prints per thread count the highest rate with generator_saturated=false (the generator kept its
#      schedule) and the highest up to which every step also "kept pace" (corrected p99 below MAX_P99:
#      no backlog built up at the server either), each as a ratio to wrk's rate; and checks that nginx
#      received exactly the requests unibench counted.
#   2. rate accuracy: unibench at 1 000 and 10 000 rps for ACCURACY_SECONDS: the achieved send rate from
#      steps.csv and, independently, the requests nginx counted (stub_status) over the run, within 1 %.
# Needs nginx, wrk, python3, Java 17 (the launcher builds target/unibench.jar). Traffic stays on 127.0.0.1.
# Usage: scripts/bench-http-generator.sh        (about 3 minutes; keep the machine otherwise idle)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRK_SECONDS=${WRK_SECONDS:-10}
STEP_SECONDS=${STEP_SECONDS:-5}
ACCURACY_SECONDS=${ACCURACY_SECONDS:-10}
MAX_P99=${MAX_P99:-100ms}
THREADS=${THREADS:-"1 2"}

nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
for tool in "$nginx_bin" wrk python3 java curl; do
  command -v "$tool" >/dev/null || { echo "bench-http-generator: $tool is missing" >&2; exit 1; }
done

work="$(mktemp -d /tmp/unibench-httpgen.XXXXXX)"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$work/root" "$work/logs"
python3 -c "print('<html><body>' + 'unibench test page ' * 20 + '</body></html>')" > "$work/root/index.html"
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
user root;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy; fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  server {
    listen 127.0.0.1:$port;
    root $work/root;
    location = /nginx-status { stub_status; }
  }
}
EOF
"$nginx_bin" -p "$work" -e "$work/logs/error.log" -c "$work/nginx.conf" -g 'daemon off;' >"$work/nginx.out" 2>&1 &
nginx_pid=$!
url="http://127.0.0.1:$port/index.html"
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ] \
  || { echo "bench-http-generator: nginx did not answer; log:" >&2; cat "$work/nginx.out" "$work/logs/error.log" >&2; exit 1; }

"$home/scripts/unibench" --version >/dev/null   # builds the jar now, not inside a measurement
server_requests() { curl -s "http://127.0.0.1:$port/nginx-status" | awk 'NR == 3 { print $3 }'; }

# one unibench run; prints the run folder
unibench() {
  local out="$work/run-$RANDOM$RANDOM"
  "$home/scripts/unibench" bench http --target "$url" --quiet --output "$out" "$@" >/dev/null
  echo "$out"
}

# column values of steps.csv rows as "name=value ..." lines
steps() {
  python3 - "$1/steps.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(" ".join(f"{k}={v if v != '' else '-'}" for k, v in r.items() if k != "stop_detail"))
PY
}
col() { tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }

echo "$("$nginx_bin" -v 2>&1) on 127.0.0.1:$port; $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); $(java -version 2>&1 | head -1)"
echo "load before: $(uptime)"

# ---- 1. generator capacity ----
wrk_out="$(wrk -t2 -c100 -d"${WRK_SECONDS}s" --latency "$url")"
wrk_rps="$(echo "$wrk_out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')"
echo
echo "wrk -t2 -c100 -d${WRK_SECONDS}s: $wrk_rps requests/s ($(echo "$wrk_out" | awk '/^ +99%/ { print "p99 " $2 }'))"

best_sat=0; best_kept=0
max_p99_us=$(python3 -c "
import re, sys
m = re.fullmatch(r'(\d+(?:\.\d+)?)(us|ms|s)', '$MAX_P99')
print(float(m.group(1)) * {'us': 1, 'ms': 1e3, 's': 1e6}[m.group(2)])")
for threads in $THREADS; do
  start=$(( wrk_rps / 2 )); step=$(( wrk_rps / 10 )); max=$(( wrk_rps * 13 / 10 ))
  before=$(server_requests)
  run="$(unibench --connections 100 --threads "$threads" --start-rate "$start" --step "$step" --max-rate "$max" \
        --step-duration "${STEP_SECONDS}s" --warmup 1s --max-p99 1h --max-loss 0 --min-completed 0 || true)"
  after=$(server_requests)
  kept=0; unsat=0; pace=true
  echo "unibench --connections 100 --threads $threads, ramp $start..$max rps by $step, ${STEP_SECONDS}s steps:"
  while read -r row; do
    offered=$(echo "$row" | col offered_rps); sat=$(echo "$row" | col generator_saturated)
    reqs=$(echo "$row" | col requests); ok=$(echo "$row" | col status_2xx)
    errs=$(echo "$row" | col errors); lost=$(echo "$row" | col errors_timeout)
    p99=$(echo "$row" | col latency_p99_us); lagp50=$(echo "$row" | col send_lag_p50_us)
    lagp99=$(echo "$row" | col send_lag_p99_us); reason=$(echo "$row" | col stop_reason)
    printf '  offered %6.0f  2xx %7s/%-7s err %s lost %s  p99 %10.0f us  send lag p50/p99 %5.0f/%7.0f us  saturated %-5s %s\n' \
      "$offered" "$ok" "$reqs" "$errs" "$lost" "$p99" "$lagp50" "$lagp99" "$sat" "$reason"
    clean=false
    if [ "$sat" = false ] && [ "$ok" = "$reqs" ] && [ "$errs" = 0 ] && [ "$lost" = 0 ]; then clean=true; fi
    if $clean; then unsat=$offered; fi
    # kept pace: this step and every one below it
    if $pace && $clean && python3 -c "import sys; sys.exit(0 if $p99 < $max_p99_us else 1)"; then
      kept=$offered
    else
      pace=false
    fi
  done < <(steps "$run")
  # independent check: every request unibench counted (plus the 1 s warm-ups) reached nginx
  sent=$(python3 -c "import csv; print(sum(int(r['requests']) + round(float(r['offered_rps'])) for r in csv.DictReader(open('$run/steps.csv'))))")
  echo "  nginx counted $(( after - before - 1 )) requests during the ramp; unibench sent $sent (steps + warm-ups)"
  r_sat=$(python3 -c "print(f'{$unsat / $wrk_rps:.2f}')"); r_kept=$(python3 -c "print(f'{$kept / $wrk_rps:.2f}')")
  echo "  => threads $threads: generator_saturated=false up to $unsat rps = ${r_sat}x wrk;" \
       "kept pace (p99 < $MAX_P99) up to $kept rps = ${r_kept}x wrk"
  best_sat=$(python3 -c "print(max($best_sat, $r_sat))"); best_kept=$(python3 -c "print(max($best_kept, $r_kept))")
done
echo "generator capacity vs wrk -t2 -c100: generator_saturated=false ${best_sat}x (target >= 0.8), kept pace ${best_kept}x"

# ---- 2. rate accuracy ----
echo
for rate in 1000 10000; do
  before=$(server_requests)
  run="$(unibench --connections 100 --rate "$rate" --duration "${ACCURACY_SECONDS}s" --warmup 1s)"
  after=$(server_requests)
  row="$(steps "$run")"
  achieved=$(echo "$row" | col achieved_send_rps)
  # nginx counted the warm-up second too, and one status request
  server_rate=$(python3 -c "print(f'{($after - $before - 1) / (1 + $ACCURACY_SECONDS):.1f}')")
  python3 - "$rate" "$achieved" "$server_rate" "$(echo "$row" | col completed_rps)" \
      "$(echo "$row" | col latency_p50_us)" "$(echo "$row" | col latency_p99_us)" "$(echo "$row" | col generator_saturated)" <<'PY'
import sys
rate, achieved, server, completed = (float(x) for x in sys.argv[1:5])
p50, p99, sat = sys.argv[5], sys.argv[6], sys.argv[7]
err = 100 * (achieved - rate) / rate
serr = 100 * (server - rate) / rate
ok = abs(err) <= 1 and abs(serr) <= 1
print(f"rate {rate:.0f} rps: achieved {achieved:.1f} ({err:+.3f} %), nginx counted {server:.1f}/s ({serr:+.3f} %), "
      f"completed {completed:.1f}, p50 {p50} us, p99 {p99} us, saturated {sat}  {'OK' if ok else 'OFF BY MORE THAN 1 %'}")
PY
done
echo
echo "load after: $(uptime)"
echo "raw results: $work"
