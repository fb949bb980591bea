#!/usr/bin/env bash
# Issue 12's numbers, one run, both backends side by side (root; everything inside namespaces that
# unibench or this script creates; every load is bounded in time and stops by itself):
#
#   1. deploy poc --network lab: time to ready per backend (deploy + destroy, RUNS times, median).
#   2. DNS and HTTP from the client (through firewall + router) vs from inside the DMZ (a probe namespace
#      this script plugs into the lab's DMZ bridge), same tools both ways:
#        DNS capacity: dnsperf unthrottled (-c 10 -q 100, 10 s), qps and loss;
#        DNS latency:  dnsperf -Q 2000 -v (10 s): p50/p99 of the per-query latencies it prints;
#        HTTP:         wrk -t1 -c50 -d10s --latency: req/s, p50/p99.
#   3. Forwarding rate through firewall + router: udprate (unikernels/tools) from the client to a sink in the
#      DMZ probe namespace, 18-byte UDP payloads (64-byte frames), stepped rates, the highest with < 0.1 % loss.
#
#   scripts/topology-numbers.sh [RUNS]        (default 3; prints a table and the load average)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
UB=scripts/unibench
STATE=${XDG_STATE_HOME:-$HOME/.local/state}/unibench
[ "$(id -u)" = 0 ] || { echo "needs root (labs)" >&2; exit 2; }
for t in dnsperf wrk ip python3; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 1; }; done
make -s -C unikernels >/dev/null
UDPRATE=$PWD/unikernels/build/tools/udprate
TMP=$(mktemp -d /tmp/unibench-topology-numbers.XXXXXX)
PROBES=()
cleanup() {
    local p
    for p in "${PROBES[@]}"; do ip netns del "$p" 2>/dev/null || true; done
    $UB destroy --all >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); else print "-"}'; }
labns() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["namespace"])' "$STATE/labs/$1.json"; }
queries() { for i in $(seq 1 300); do echo "www.cetic.be A"; echo "cetic.be A"; echo "internship.cetic.be A"; done >"$TMP/q.txt"; }
queries

echo "== uptime at start: $(uptime)"
declare -A READY
for b in qemu docker; do
    for r in $(seq 1 "$RUNS"); do
        $UB deploy poc --backend "$b" --json >"$TMP/deploy.json" 2>"$TMP/deploy.err" || { cat "$TMP/deploy.err"; exit 1; }
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["topologies"][0]["topology"]["ready_ms"])' \
            "$TMP/deploy.json" >>"$TMP/ready-$b"
        $UB lab destroy "poc-$b" >/dev/null
    done
    READY[$b]=$(median <"$TMP/ready-$b" | awk '{printf "%.0f", $1}')
done

# both topologies up for the load runs, each with a probe namespace in its DMZ (10.0.0.201)
$UB deploy poc --backend both >/dev/null
for b in qemu docker; do
    ns=$(labns "poc-$b")
    probe=ubnum-$$-$b
    PROBES+=("$probe")
    ip netns add "$probe"
    ip -n "$ns" link add "vnum$b" type veth peer name eth0 netns "$probe"
    ip -n "$ns" link set "vnum$b" master br-dmz up
    ip -n "$probe" addr add 10.0.0.201/24 dev eth0
    ip -n "$probe" link set eth0 up
    ip -n "$probe" link set lo up
done

dns_cap() { # NS -> "qps lost%"
    ip netns exec "$1" dnsperf -s 10.0.0.100 -d "$TMP/q.txt" -l 10 -c 10 -q 100 2>&1 |
        awk '/Queries sent:/ {s=$3} /Queries lost:/ {l=$3} /Queries per second:/ {q=$4} END {printf "%.0f %.3f", q, (s ? 100*l/s : 100)}'
}
dns_lat() { # NS -> "p50_ms p99_ms"
    ip netns exec "$1" dnsperf -s 10.0.0.100 -d "$TMP/q.txt" -l 10 -c 10 -Q 2000 -v 2>/dev/null |
        awk '/^> / {print $NF * 1000}' | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.3f %.3f", a[int(NR*0.5)+1], a[int(NR*0.99)]; else printf "- -"}'
}
http_run() { # NS -> "req/s p50_ms p99_ms"
    ip netns exec "$1" wrk -t1 -c50 -d10s --latency http://10.0.0.5/ 2>&1 | awk '
        function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
        /Requests\/sec/ {r=$2} $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)} END {printf "%.0f %.3f %.3f", r, p50, p99}'
}
fwd_rate() { # CLIENT_NS PROBE_NS -> the highest achieved rate (pps) with < 0.1 % loss, "+" when the sender
    # could not go faster (the generator, not the chain, was the limit)
    local best=0 rate out sent got loss achieved sat=""
    for rate in 1000 2000 5000 10000 20000 40000 80000 160000; do
        ip netns exec "$2" "$UDPRATE" recv 9999 5 >"$TMP/recv" &
        local rp=$!
        for i in $(seq 1 50); do grep -q ready "$TMP/recv" 2>/dev/null && break; sleep 0.05; done
        out=$(ip netns exec "$1" "$UDPRATE" send 10.0.0.201 9999 "$rate" 3)
        wait "$rp"
        sent=$(awk '{print $2}' <<<"$out")
        achieved=$(awk '{sub("/s", "", $6); print $6}' <<<"$out")
        got=$(awk '/received/ {print $2}' "$TMP/recv")
        loss=$(awk -v s="$sent" -v g="$got" 'BEGIN {printf "%.3f", s ? 100*(s-g)/s : 100}')
        echo "    offered $rate/s: $out, received $got, loss $loss %" >&2
        if ! awk -v l="$loss" 'BEGIN {exit !(l < 0.1)}'; then break; fi
        best=$achieved
        if awk -v a="$achieved" -v r="$rate" 'BEGIN {exit !(a < 0.95 * r)}'; then sat="+"; break; fi
    done
    echo "$best$sat"
}

declare -A R
for b in qemu docker; do
    ns=$(labns "poc-$b")
    probe=ubnum-$$-$b
    echo "== $b: DNS capacity (chain, direct)" >&2
    R[$b.dns_chain]=$(dns_cap "$ns")
    R[$b.dns_direct]=$(dns_cap "$probe")
    echo "== $b: DNS latency at 2000 qps (chain, direct)" >&2
    R[$b.lat_chain]=$(dns_lat "$ns")
    R[$b.lat_direct]=$(dns_lat "$probe")
    echo "== $b: HTTP (chain, direct)" >&2
    R[$b.http_chain]=$(http_run "$ns")
    R[$b.http_direct]=$(http_run "$probe")
    echo "== $b: forwarding rate (client -> DMZ sink)" >&2
    R[$b.fwd]=$(fwd_rate "$ns" "$probe")
done

echo
echo "== topology numbers, $(date -u +%FT%TZ), $(nproc) cores, $(uname -r)"
printf '%-44s %16s %16s\n' "" qemu docker
printf '%-44s %16s %16s\n' "deploy poc --network lab -> ready, ms (median of $RUNS)" "${READY[qemu]}" "${READY[docker]}"
for k in dns_chain dns_direct; do
    printf '%-44s %16s %16s\n' "DNS qps, lost % ($k)" "${R[qemu.$k]}" "${R[docker.$k]}"
done
for k in lat_chain lat_direct; do
    printf '%-44s %16s %16s\n' "DNS p50 p99 ms at 2000 qps ($k)" "${R[qemu.$k]}" "${R[docker.$k]}"
done
for k in http_chain http_direct; do
    printf '%-44s %16s %16s\n' "HTTP req/s p50 p99 ms ($k)" "${R[qemu.$k]}" "${R[docker.$k]}"
done
printf '%-44s %16s %16s\n' "forwarding pps, < 0.1 % loss (64 B; +: sender-bound)" "${R[qemu.fwd]}" "${R[docker.fwd]}"
for b in qemu docker; do
    c=$(awk '{print $1}' <<<"${R[$b.dns_chain]}"); d=$(awk '{print $1}' <<<"${R[$b.dns_direct]}")
    hc=$(awk '{print $1}' <<<"${R[$b.http_chain]}"); hd=$(awk '{print $1}' <<<"${R[$b.http_direct]}")
    echo "$b: chain/direct DNS qps $(awk -v a="$c" -v b="$d" 'BEGIN {printf "%.2f", b ? a/b : 0}'), HTTP req/s $(awk -v a="$hc" -v b="$hd" 'BEGIN {printf "%.2f", b ? a/b : 0}')"
done
echo "tools: $(dpkg-query -W -f='dnsperf ${Version}' dnsperf); wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); $(qemu-system-x86_64 --version | head -1)"
echo "== uptime at end: $(uptime)"
