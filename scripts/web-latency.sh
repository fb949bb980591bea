#!/usr/bin/env bash
# Where a web request waits: the web unikernel built from BEFORE (a git ref) and from the
# working tree, and the web container, each alone on a lab bridge in turn, rounds
# interleaved; per variant (medians over the rounds) wrk's rate and latency percentiles at
# -c1 (one request in flight: the per-request round trip, no queueing) and at -c50 (the
# capacity run of perf-numbers.sh), the QEMU process's CPU per request, and the guest's
# kicks/irqs/halts per frame (both builds run with stats=1) with what each notify and interrupt
# acknowledge took (their VM exits; builds that count it).
#
#   scripts/web-latency.sh [-r ROUNDS] [-l SECONDS] [-b BEFORE_REF] [-a "GUEST ARGS"] [-C]
#   (-a: extra kernel arguments for the working-tree guest, e.g. "poll=0"; -C: no container)
#
# Default (-r 3 -l 5) takes about 2 minutes. Lab: namespace unibench-weblat-<pid>, bridge
# 10.0.0.254/24, unikernel on a tap at 10.0.0.5, container on a veth at 10.0.0.6; wrk runs
# inside the namespace. Everything it created is removed on exit. Needs root.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
ROUNDS=3
SECS=5
BEFORE=16e95dc
GARGS=""
CT=1
while getopts "r:l:b:a:C" o; do
    case $o in
    r) ROUNDS=$OPTARG ;;
    l) SECS=$OPTARG ;;
    b) BEFORE=$OPTARG ;;
    a) GARGS=$OPTARG ;;
    C) CT=0 ;;
    *) echo "usage: $0 [-r rounds] [-l seconds] [-b before-ref] [-a guest-args] [-C]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "web-latency.sh: needs root (network namespaces, taps)" >&2; exit 2; }
for t in qemu-system-x86_64 wrk curl ip git; do
    command -v "$t" >/dev/null || { echo "web-latency.sh: missing tool $t" >&2; exit 1; }
done
[ "$CT" = 0 ] || command -v docker >/dev/null || { echo "web-latency.sh: missing tool docker (or -C)" >&2; exit 1; }
git rev-parse --verify -q "$BEFORE^{commit}" >/dev/null || { echo "web-latency.sh: unknown ref '$BEFORE'" >&2; exit 2; }
TAG=${UNIBENCH_IMAGE_TAG:-latest}
[ "$CT" = 0 ] || docker image inspect "unibench/web:$TAG" >/dev/null 2>&1 ||
    { echo "web-latency.sh: missing image unibench/web:$TAG (make -C containers, or -C)" >&2; exit 1; }
NS=unibench-weblat-$$
TMP=$(mktemp -d /tmp/unibench-weblat.XXXXXX)
MO="x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off,ioapic2=off"
ACCEL=tcg
(exec 9<>/dev/kvm) 2>/dev/null && ACCEL=kvm
QPID=""
CID=""
WT=""
cleanup() {
    [ -n "$QPID" ] && { kill "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true; }
    [ -n "$CID" ] && { docker rm -f "$CID" >/dev/null 2>&1 || true; }
    ip netns del "$NS" 2>/dev/null || true
    [ -n "$WT" ] && git worktree remove --force "$WT" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
in_ns() { ip netns exec "$NS" "$@"; }
med() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
HZ=$(getconf CLK_TCK)
cpu_ns_pid() { awk -v hz="$HZ" '{sub(/.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1e9 / hz}' "/proc/$1/stat"; }

echo "== building the web unikernel at $BEFORE (before) and the working tree (after)"
make -s -C unikernels build/web.elf >/dev/null
WT=$TMP/before
git worktree add -q --detach "$WT" "$BEFORE"
make -s -C "$WT/unikernels" build/web.elf >/dev/null
mkdir -p "$TMP/before" "$TMP/after"
cp "$WT/unikernels/build/web.elf" "$TMP/before/"
cp unikernels/build/web.elf "$TMP/after/"

ip netns add "$NS"
in_ns ip link set lo up
# a fixed MAC: a bridge otherwise takes its lowest port's, and a guest that cached the old one loses the gateway
in_ns ip link add br0 address 02:00:00:00:00:fe type bridge
in_ns ip addr add 10.0.0.254/24 dev br0
in_ns ip link set br0 up
in_ns ip tuntap add tap0 mode tap
in_ns ip link set tap0 master br0 up

boot_uk() { # IMG_DIR EXTRA LOG
    ip netns exec "$NS" qemu-system-x86_64 -name "unibench-weblat,debug-threads=on" -M "microvm,$MO" -accel "$ACCEL" \
        -m 8M -smp 1 -kernel "$1/web.elf" -append "ip=10.0.0.5/24 gw=10.0.0.254 $2" \
        -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-device,netdev=n0,mac=52:54:00:00:01:00 \
        -display none -nodefaults -serial "file:$3" -no-reboot >/dev/null 2>&1 &
    QPID=$!
}
stop_uk() { kill "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true; QPID=""; }
run_ct() {
    local pid
    CID=$(docker run -d --rm --init --network none --cpus 1 -m 128m --label unibench.owner=web-latency \
        "unibench/web:$TAG" --port 80)
    pid=$(docker inspect -f '{{.State.Pid}}' "$CID")
    in_ns ip link add vct type veth peer name vctc
    in_ns ip link set vctc netns "$pid"
    in_ns ip link set vct master br0 up
    nsenter -t "$pid" -n ip addr add 10.0.0.6/24 dev vctc
    nsenter -t "$pid" -n ip link set vctc up
    nsenter -t "$pid" -n ip link set lo up
}
stop_ct() { docker rm -f "$CID" >/dev/null 2>&1 || true; CID=""; in_ns ip link del vct 2>/dev/null || true; }
wait_web() { for _ in $(seq 1 200); do in_ns curl -s -m 1 "http://$1/" 2>/dev/null | grep -q unibench && return 0; sleep 0.05; done; return 1; }
last_stats() { grep 'unibench: stats' "$1" | tail -1 | tr ' ' '\n' | grep = | tr '\n' ' '; }
us() { # wrk latency "123.45us" / "1.20ms" / "2.00s" -> microseconds
    awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); print v} else if (v ~ /ms$/) {sub(/ms$/, "", v); print v * 1000}
          else if (v ~ /s$/) {sub(/s$/, "", v); print v * 1e6} else print "nan"}'
}
# One wrk run: "rate p50_us p99_us requests"
wrk1() { # ADDR CONNS
    local out
    out=$(in_ns wrk -t1 -c"$2" -d"${SECS}s" --latency "http://$1/" 2>&1)
    echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1 == "50%" {print $2}' | us)" \
        "$(echo "$out" | awk '$1 == "99%" {print $2}' | us) $(echo "$out" | awk '/requests in/ {print $1}')"
}
# Guest counters between two stats= lines, per frame: "kicks irqs halts frames_per_request
# us_per_kick us_per_ack" (pkts/req from the frames counted while wrk ran: the lines are 1 s apart)
gdelta() { # S0 S1 REQUESTS
    awk -v a="$1" -v b="$2" -v o="$3" 'BEGIN {
        n = split(a, x, " "); for (j = 1; j <= n; j++) { split(x[j], kv, "="); A[kv[1]] = kv[2] }
        n = split(b, x, " "); for (j = 1; j <= n; j++) { split(x[j], kv, "="); B[kv[1]] = kv[2] }
        p = (B["rx"] - A["rx"]) + (B["tx"] - A["tx"]); k = B["kicks"] - A["kicks"]; i = B["irqs"] - A["irqs"]
        if (p > 0 && o > 0) printf "%.3f %.3f %.3f %.2f %s %s\n", k / p, i / p, (B["halts"] - A["halts"]) / p, p / o,
            (k > 0 && "kick_us" in B ? sprintf("%.1f", (B["kick_us"] - A["kick_us"]) / k) : "-"),
            (i > 0 && "ack_us" in B ? sprintf("%.1f", (B["ack_us"] - A["ack_us"]) / i) : "-")
        else print "- - - - - -" }'
}

VARIANTS=(before after)
[ "$CT" = 1 ] && VARIANTS+=(container)
echo "== $ROUNDS rounds x ${SECS}s per setting, accel $ACCEL, after-guest args '${GARGS}'; $(uptime)"
for r in $(seq 1 "$ROUNDS"); do
    for v in "${VARIANTS[@]}"; do
        if [ "$v" = container ]; then
            run_ct
            if wait_web 10.0.0.6; then
                for c in 1 50; do echo "$(wrk1 10.0.0.6 $c) - - - - - - -" >>"$TMP/$v-c$c"; done
            else
                echo "  round $r container: no answer"
            fi
            stop_ct
            continue
        fi
        log=$TMP/$v-$r.log
        extra=$([ "$v" = after ] && echo "$GARGS stats=1" || echo "stats=1") # both pay for the same console line
        boot_uk "$TMP/$v" "$extra" "$log"
        if wait_web 10.0.0.5; then
            for c in 1 50; do
                sleep 1.2
                s0=$(last_stats "$log")
                c0=$(cpu_ns_pid "$QPID")
                w=$(wrk1 10.0.0.5 $c)
                c1=$(cpu_ns_pid "$QPID")
                sleep 1.2
                g=$(gdelta "$s0" "$(last_stats "$log")" "$(echo "$w" | awk '{print $4}')")
                cpu=$(echo "$w" | awk -v c=$((c1 - c0)) '{printf "%.2f", ($4 > 0 ? c / 1000 / $4 : 0)}')
                echo "$w $cpu $g" >>"$TMP/$v-c$c"
            done
        else
            echo "  round $r $v: no answer (console: $(tr '\n' ' ' <"$log"))"
        fi
        stop_uk
    done
done
col() { { awk -v c="$2" '{print $c}' "$1" 2>/dev/null || true; } | { grep -v -- '^-$' || true; } | med; }
printf '\n%-10s %4s %10s %9s %9s %10s %9s %9s %9s %9s %8s %7s\n' variant conn "req/s" "p50_us" "p99_us" "cpu_us/req" \
    "kicks/pkt" "irqs/pkt" "hlts/pkt" "pkts/req" "us/kick" "us/ack"
for c in 1 50; do
    for v in "${VARIANTS[@]}"; do
        f=$TMP/$v-c$c
        [ -s "$f" ] || { printf '%-10s %4s (no data)\n' "$v" "$c"; continue; }
        printf '%-10s %4s %10.0f %9s %9s %10s %9s %9s %9s %9s %8s %7s\n' "$v" "$c" "$(col "$f" 1)" "$(col "$f" 2)" "$(col "$f" 3)" \
            "$(col "$f" 5)" "$(col "$f" 6)" "$(col "$f" 7)" "$(col "$f" 8)" "$(col "$f" 9)" "$(col "$f" 10)" "$(col "$f" 11)"
        eval "R_${v}_$c=$(col "$f" 1)"
    done
done
for c in 1 50; do
    eval "b=\${R_before_$c:-0}; a=\${R_after_$c:-0}; k=\${R_container_$c:-0}"
    awk -v b="$b" -v a="$a" -v k="$k" -v c="$c" 'BEGIN {
        if (b > 0) printf "ratio -c%s after / before: %.2fx", c, a / b
        if (k > 0) printf "; before / container %.2fx, after / container %.2fx", b / k, a / k
        print "" }'
done
echo "(cpu_us/req: the whole QEMU process; guest counters per frame in + out; us/kick, us/ack (builds that count them):"
echo " what one notify and one interrupt acknowledge took the vCPU, each a VM exit to QEMU)"
echo "== done; $(uptime)"
