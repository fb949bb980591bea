#!/usr/bin/env bash
# Issue 17 numbers in one run, side by side on a lab network (no forwarders), as root:
# the unikernel built from BEFORE (a git ref, default the main commit before issue 17's
# virtio work) and from the working tree (with poll=0 and with the default busy-poll
# budget), the null echo guest (build/echo.elf: the same boot, virtio driver and main loop,
# every UDP frame reflected at layer 2 with the DNS QR bit set, so dnsperf counts each echo
# as an answer: the cap of QEMU's user-space tap path on this host), and the container,
# each alone on the lab bridge in turn, rounds interleaved.
#
#   scripts/perf-numbers.sh [-r ROUNDS] [-l SECONDS] [-b BEFORE_REF] [-x]
#   (-x: also the QEMU/guest option sweep below, ~2 min more; boot: scripts/boot-numbers.sh)
#
# Default (-r 3 -l 5) takes about 6 minutes on a quiet 2-core host.
#
# Per variant (medians over the rounds): DNS capacity (dnsperf -T1 -c10 -l SECONDS), web
# capacity (wrk -t1 -c50 -dSECONDS), the server's CPU time during the load (QEMU: the whole
# process, vCPU and I/O threads, /proc/PID/stat; container: its cgroup's cpuacct.usage)
# per query / request and per million, the guest's own counts per packet (virtio notifies,
# interrupts, hlts; stats=1 on the console, working tree only) and idle CPU over 5 s.
# CPUs: the unikernel gets 1 vCPU (QEMU's I/O thread is extra), the container --cpus 1
# (so its DNS front end runs one worker: SO_REUSEPORT workers start only above one CPU).
# Fractions of the cap: DNS qps / the echo's qps; web in packets (req/s x frames per request,
# as the guest counts them) / the echo's packets per second (2 per query).
#
# -x, the sweep (echo and DNS guest, rounds interleaved, ratios to the default line):
# tap vnet_hdr=off, virtio-net tx=timer, x-txburst=64 and 1024, guest poll=0 and poll=200, and
# dnsperf -q 500 (500 queries outstanding instead of 100: whether -q 100 is latency-bound).
#
# Lab: namespace unibench-perf-<pid>, bridge 10.0.0.254/24, unikernel on a tap at 10.0.0.100
# (web 10.0.0.5), container on a veth at 10.0.0.101 (web 10.0.0.6); load tools run inside
# the namespace. Everything it created is removed on exit.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
ROUNDS=3
SECS=5
BEFORE=d213db3
SWEEP=0
while getopts "r:l:b:x" o; do
    case $o in
    r) ROUNDS=$OPTARG ;;
    l) SECS=$OPTARG ;;
    b) BEFORE=$OPTARG ;;
    x) SWEEP=1 ;;
    *) echo "usage: $0 [-r rounds] [-l seconds] [-b before-ref] [-x]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "perf-numbers.sh: needs root (network namespaces, taps)" >&2; exit 2; }
for t in qemu-system-x86_64 docker dnsperf wrk dig curl ip nsenter gcc git; do
    command -v "$t" >/dev/null || { echo "perf-numbers.sh: missing tool $t" >&2; exit 1; }
done
git rev-parse --verify -q "$BEFORE^{commit}" >/dev/null || { echo "perf-numbers.sh: unknown ref '$BEFORE'" >&2; exit 2; }
TAG=${UNIBENCH_IMAGE_TAG:-latest}
for img in unibench/dns:$TAG unibench/web:$TAG; do
    docker image inspect "$img" >/dev/null 2>&1 || { echo "perf-numbers.sh: missing image $img (make -C containers)" >&2; exit 1; }
done
NS=unibench-perf-$$
TMP=$(mktemp -d /tmp/unibench-perf.XXXXXX)
MO="x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off,ioapic2=off"
ACCEL=tcg
(exec 9<>/dev/kvm) 2>/dev/null && ACCEL=kvm
PIDS=()
CIDS=()
WT=""
cleanup() {
    local p c
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    for c in "${CIDS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
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
# QEMU's vCPU thread ("CPU 0/KVM") alone: the rest of the process is QEMU's own I/O path.
cpu_ns_vcpu() { local t; for t in /proc/"$1"/task/*; do if grep -q '^CPU' "$t/comm"; then awk -v hz="$HZ" '{sub(/.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1e9 / hz}' "$t/stat"; break; fi; done; }
cpu_ns_ct() { cat "/sys/fs/cgroup/cpuacct/docker/$1/cpuacct.usage" 2>/dev/null || cat "/sys/fs/cgroup/system.slice/docker-$1.scope/cpu.stat" | awk '/usage_usec/ {print $2 * 1000}'; }

# ---------------------------------------------------------------- images
echo "== building the unikernel at $BEFORE (before) and the working tree (after)"
make -s -C unikernels all >/dev/null
WT=$TMP/before
git worktree add -q --detach "$WT" "$BEFORE"
make -s -C "$WT/unikernels" build/dns.elf build/web.elf >/dev/null
mkdir -p "$TMP/img/before" "$TMP/img/after" "$TMP/img/echo"
cp "$WT/unikernels/build/dns.elf" "$WT/unikernels/build/web.elf" "$TMP/img/before/"
cp unikernels/build/dns.elf unikernels/build/web.elf "$TMP/img/after/"
cp unikernels/build/echo.elf "$TMP/img/echo/dns.elf" # the echo stands in for the DNS service
PROBE=unikernels/build/tools/dnsprobe

# ---------------------------------------------------------------- the lab
ip netns add "$NS"
in_ns ip link set lo up
# a fixed MAC: a bridge otherwise takes its lowest port's, and a guest that cached the old one loses the gateway
in_ns ip link add br0 address 02:00:00:00:00:fe type bridge
in_ns ip addr add 10.0.0.254/24 dev br0
in_ns ip link set br0 up
in_ns ip tuntap add tap0 mode tap
in_ns ip link set tap0 master br0 up
for i in $(seq 1 200); do echo "www.cetic.be A"; done >"$TMP/queries"

boot_uk() { # IMG_DIR SVC IP EXTRA LOG [NETDEV_OPTS DEVICE_OPTS]; sets QPID
    ip netns exec "$NS" qemu-system-x86_64 -name "unibench-perf,debug-threads=on" -M "microvm,$MO" -accel "$ACCEL" \
        -m 8M -smp 1 -kernel "$1/$2.elf" \
        -append "ip=$3/24 gw=10.0.0.254 $4" -netdev "tap,id=n0,ifname=tap0,script=no,downscript=no${6:-}" \
        -device "virtio-net-device,netdev=n0,mac=52:54:00:00:01:00${7:-}" -display none -nodefaults \
        -serial "file:$5" -no-reboot >/dev/null 2>&1 &
    QPID=$!
    PIDS+=("$QPID")
}
stop_uk() { kill "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true; }
run_ct() { # SVC IP; sets CID
    local pid
    CID=$(docker run -d --rm --init --network none --cpus 1 -m 128m --label unibench.owner=perf-numbers \
        "unibench/$1:$TAG" --port "$([ "$1" = dns ] && echo 53 || echo 80)")
    CIDS+=("$CID")
    pid=$(docker inspect -f '{{.State.Pid}}' "$CID")
    in_ns ip link add vct type veth peer name vctc
    in_ns ip link set vctc netns "$pid"
    in_ns ip link set vct master br0 up
    nsenter -t "$pid" -n ip addr add "$2/24" dev vctc
    nsenter -t "$pid" -n ip link set vctc up
    nsenter -t "$pid" -n ip link set lo up
    nsenter -t "$pid" -n ip route add default via 10.0.0.254
}
stop_ct() { docker rm -f "$CID" >/dev/null 2>&1 || true; in_ns ip link del vct 2>/dev/null || true; }
wait_dns() { for _ in $(seq 1 200); do in_ns dig @"$1" www.cetic.be +short +tries=1 +time=1 2>/dev/null | grep -qx 10.0.0.5 && return 0; sleep 0.05; done; return 1; }
# the echo: the query comes back as a response (QR set) without an answer
wait_echo() { for _ in $(seq 1 200); do in_ns dig @"$1" www.cetic.be +tries=1 +time=1 2>/dev/null | grep -q 'flags: qr rd' && return 0; sleep 0.05; done; return 1; }
wait_web() { for _ in $(seq 1 200); do in_ns curl -s -m 1 "http://$1/" 2>/dev/null | grep -q unibench && return 0; sleep 0.05; done; return 1; }
last_stats() { grep 'unibench: stats' "$1" | tail -1 | tr ' ' '\n' | grep = | tr '\n' ' '; }
sval() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# One load run; prints "rate cpu_us_per_op kicks/pkt irqs/pkt halts/pkt vcpu_us_per_op pkts/op"
# (the guest counters "-" without a stats= console, vcpu 0 for the container). LOG: console with stats=1 lines, or "" for the container.
load() { # KIND(dns|web) ADDR CPUFN CPUARG LOG [DNSPERF_Q]
    local out rate ops c0 c1 s0 s1 extra="- - - -"
    [ -n "$5" ] && { sleep 1.2; s0=$(last_stats "$5"); }
    c0=$($3 "$4")
    local v0=0 v1=0
    [ "$3" = cpu_ns_pid ] && v0=$(cpu_ns_vcpu "$4")
    if [ "$1" = dns ]; then
        out=$(in_ns dnsperf -s "$2" -d "$TMP/queries" -T 1 -c 10 -q "${6:-100}" -l "$SECS" 2>&1)
        rate=$(echo "$out" | awk '/Queries per second/ {print $4}')
        ops=$(echo "$out" | awk '/Queries completed/ {print $3}')
    else
        out=$(in_ns wrk -t1 -c50 -d"${SECS}s" "http://$2/" 2>&1)
        rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        ops=$(echo "$out" | awk '/requests in/ {print $1}')
    fi
    c1=$($3 "$4")
    [ "$3" = cpu_ns_pid ] && v1=$(cpu_ns_vcpu "$4")
    if [ -n "$5" ]; then
        sleep 1.2
        s1=$(last_stats "$5")
        extra=$(awk -v a="$s0" -v b="$s1" -v o="${ops:-0}" 'BEGIN {
            n = split(a, x, " "); for (j = 1; j <= n; j++) { split(x[j], kv, "="); A[kv[1]] = kv[2] }
            n = split(b, x, " "); for (j = 1; j <= n; j++) { split(x[j], kv, "="); B[kv[1]] = kv[2] }
            p = (B["rx"] - A["rx"]) + (B["tx"] - A["tx"])
            if (p > 0) printf "%.4f %.4f %.4f %.3f", (B["kicks"] - A["kicks"]) / p, (B["irqs"] - A["irqs"]) / p, (B["halts"] - A["halts"]) / p, (o > 0 ? p / o : 0)
            else print "- - - -" }')
    fi
    awk -v r="${rate:-0}" -v o="${ops:-0}" -v c=$((c1 - c0)) -v e="$extra" -v vc=$((v1 - v0)) \
        'BEGIN {split(e, x, " "); printf "%s %.3f %s %s %s %.3f %s\n", r, (o > 0 ? c / 1000 / o : 0), x[1], x[2], x[3], (o > 0 ? vc / 1000 / o : 0), x[4]}'
}
idle() { # CPUFN CPUARG: % of a core over 5 s
    local c0 c1
    c0=$($1 "$2"); sleep 5; c1=$($1 "$2")
    awk -v c=$((c1 - c0)) 'BEGIN {printf "%.2f\n", c / 5e9 * 100}'
}

VARIANTS=(before poll0 after echo container)
declare -A IMG=([before]=$TMP/img/before [poll0]=$TMP/img/after [after]=$TMP/img/after [echo]=$TMP/img/echo)
declare -A EXTRA=([before]="" [poll0]="poll=0 stats=1" [after]="stats=1" [echo]="stats=1")
waiter() { # VARIANT SVC ADDR
    if [ "$1" = echo ]; then wait_echo "$3"; elif [ "$2" = dns ]; then wait_dns "$3"; else wait_web "$3"; fi
}
[ "$ROUNDS" -gt 0 ] && echo "== load: $ROUNDS rounds x ${SECS}s, lab bridge, accel $ACCEL; $(uptime)"
for r in $(seq 1 "$ROUNDS"); do
    for v in "${VARIANTS[@]}"; do
        for svc in dns web; do
            [ "$v" = echo ] && [ "$svc" = web ] && continue # the echo answers UDP only
            if [ "$v" = container ]; then
                addr=$([ $svc = dns ] && echo 10.0.0.101 || echo 10.0.0.6)
                run_ct "$svc" "$addr"
                if { [ $svc = dns ] && wait_dns "$addr"; } || { [ $svc = web ] && wait_web "$addr"; }; then
                    echo "$(load "$svc" "$addr" cpu_ns_ct "$CID" "")" >>"$TMP/$v-$svc"
                    [ "$r" = 1 ] && idle cpu_ns_ct "$CID" >>"$TMP/$v-$svc-idle"
                else
                    echo "  round $r $v $svc: no answer"
                fi
                stop_ct
            else
                addr=$([ $svc = dns ] && echo 10.0.0.100 || echo 10.0.0.5)
                log=$TMP/$v-$svc-$r.log
                boot_uk "${IMG[$v]}" "$svc" "$addr" "${EXTRA[$v]}" "$log"
                if waiter "$v" "$svc" "$addr"; then
                    echo "$(load "$svc" "$addr" cpu_ns_pid "$QPID" "$([ -n "${EXTRA[$v]}" ] && echo "$log")")" >>"$TMP/$v-$svc"
                else
                    echo "  round $r $v $svc: no answer (console: $(tr '\n' ' ' <"$log"))"
                fi
                stop_uk
                if [ "$r" = 1 ]; then # idle: a fresh boot without stats= (its timer would wake the guest)
                    boot_uk "${IMG[$v]}" "$svc" "$addr" "${EXTRA[$v]/stats=1/}" "$log.idle"
                    if waiter "$v" "$svc" "$addr"; then
                        sleep 1
                        idle cpu_ns_pid "$QPID" >>"$TMP/$v-$svc-idle"
                    fi
                    stop_uk
                fi
            fi
        done
    done
done

col() { { awk -v c="$2" '{print $c}' "$1" 2>/dev/null || true; } | { grep -v -- '^-$' || true; } | med; }
printf '\n%-10s %-4s %10s %10s %11s %10s %9s %9s %9s %9s %8s %7s\n' variant svc "rate/s" "cpu_us/op" "cpu_s/1M" "vcpu_us/op" \
    "io_us/op" "kicks/pkt" "irqs/pkt" "hlts/pkt" "pkts/op" "idle%"
for svc in dns web; do
    for v in "${VARIANTS[@]}"; do
        [ "$v" = echo ] && [ "$svc" = web ] && continue
        f=$TMP/$v-$svc
        [ -s "$f" ] || { printf '%-10s %-4s (no data)\n' "$v" "$svc"; continue; }
        rate=$(col "$f" 1); cpu=$(col "$f" 2); vcpu=$(col "$f" 6); pk=$(col "$f" 7)
        io=$(awk -v c="$cpu" -v v="$vcpu" 'BEGIN {printf "%.2f", c - v}')
        [ $v = container ] && { vcpu=-; io=-; }
        printf '%-10s %-4s %10.0f %10.2f %11.2f %10s %9s %9s %9s %9s %8s %7s\n' "$v" "$svc" "$rate" "$cpu" "$cpu" "$vcpu" "$io" \
            "$(col "$f" 3)" "$(col "$f" 4)" "$(col "$f" 5)" "$pk" "$(med <"$f-idle" 2>/dev/null || echo -)"
        eval "R_${v}_${svc}=$rate; P_${v}_${svc}=$pk"
    done
done
echo "(cpu_s/1M: CPU seconds per million operations (numerically cpu_us/op); vcpu_us/op: the guest's vCPU thread alone"
echo " (guest code, its exits and KVM's entry/exit work), io_us/op: the rest of QEMU, its main loop (tap read/write,"
echo " virtio rings); kicks/irqs/hlts per packet (in + out) and frames per operation as the guest counts them)"
for svc in dns web; do
    for v in before poll0 after; do
        eval "a=\${R_${v}_${svc}:-0}; c=\${R_container_${svc}:-0}"
        awk -v a="$a" -v c="$c" -v v="$v" -v s="$svc" 'BEGIN {if (c > 0) printf "ratio %s %s / container: %.2fx\n", s, v, a / c}'
    done
done
# The null echo's cap: DNS in queries (one frame each way, as for the echo), web in frames.
E=${R_echo_dns:-0}
for v in before poll0 after container; do
    eval "a=\${R_${v}_dns:-0}"
    awk -v a="$a" -v e="$E" -v v="$v" 'BEGIN {if (e > 0) printf "fraction of the null-echo cap (%.0f qps): dns %s %.2f\n", e, v, a / e}'
done
for v in poll0 after; do
    eval "a=\${R_${v}_web:-0}; p=\${P_${v}_web:-nan}"
    awk -v a="$a" -v p="$p" -v e="$E" -v v="$v" 'BEGIN {if (e > 0 && p + 0 > 0) printf "fraction of the null-echo cap (%.0f frames/s): web %s %.2f (%.0f req/s x %.2f frames)\n", 2 * e, v, a * p / (2 * e), a, p}'
done

# ---------------------------------------------------------------- the sweep (-x)
if [ "$SWEEP" = 1 ]; then
    echo
    echo "== sweep: QEMU and guest options, echo and DNS guest, ${SECS}s each, $ROUNDS rounds; $(uptime)"
    SW=(default vnet_hdr=off tx=timer x-txburst=64 x-txburst=1024 poll=0 poll=200 q500)
    declare -A SN=([vnet_hdr=off]=",vnet_hdr=off")
    declare -A SD=([tx=timer]=",tx=timer" [x-txburst=64]=",x-txburst=64" [x-txburst=1024]=",x-txburst=1024")
    declare -A SA=([poll=0]="poll=0" [poll=200]="poll=200")
    for r in $(seq 1 "$ROUNDS"); do
        for s in "${SW[@]}"; do
            for g in echo after; do
                log=$TMP/sw-$g-$r.log
                boot_uk "${IMG[$g]}" dns 10.0.0.100 "${SA[$s]:-}" "$log" "${SN[$s]:-}" "${SD[$s]:-}"
                if waiter "$g" dns 10.0.0.100; then
                    echo "$(load dns 10.0.0.100 cpu_ns_pid "$QPID" "" "$([ $s = q500 ] && echo 500 || echo 100)")" >>"$TMP/sw-$g-$s"
                else
                    echo "  sweep $s $g: no answer"
                fi
                stop_uk
            done
        done
    done
    printf '%-16s %12s %8s %12s %8s %12s %12s\n' option "echo qps" ratio "dns qps" ratio "echo cpu/op" "dns cpu/op"
    for s in "${SW[@]}"; do
        for g in echo after; do
            eval "SR_$g=\$(col \"\$TMP/sw-$g-\$s\" 1); SC_$g=\$(col \"\$TMP/sw-$g-\$s\" 2)"
        done
        [ "$s" = default ] && { D_echo=$SR_echo; D_after=$SR_after; }
        awk -v s="$s" -v e="$SR_echo" -v d="$SR_after" -v de="$D_echo" -v dd="$D_after" -v ce="$SC_echo" -v cd="$SC_after" \
            'BEGIN {printf "%-16s %12.0f %7.2fx %12.0f %7.2fx %12.2f %12.2f\n", s, e, (de > 0 ? e / de : 0), d, (dd > 0 ? d / dd : 0), ce, cd}'
    done
fi

# Boot: scripts/boot-numbers.sh (QEMU's own start with a null guest, the guest's stamps, the
# container ratio). This script once timed boots too, with QEMU's start taken as guest TSC at
# entry minus host TSC at spawn scaled by /proc/cpuinfo's integer MHz: that drifted with uptime
# (negative ready->answer), so one script measures boot.
echo "== done; $(uptime)"
