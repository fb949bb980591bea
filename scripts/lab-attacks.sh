#!/usr/bin/env bash
# Hostile clients against both builds of the services on a real L2 network (issue 14), as root:
# a network namespace of its own ("unibench-svc-<pid>") with a bridge 10.0.0.254/24, the DNS
# and web unikernels on taps (10.0.0.100, 10.0.0.5), the DNS and web containers on veths
# (10.0.0.101, 10.0.0.6; docker --network none, the veth moved into the container). Every
# attack runs inside that namespace, bounded in count and time; nothing touches the host's
# default namespace. Removes everything it created, also on failure.
#
#   scripts/lab-attacks.sh             the tests (~2 min): each asserts the service keeps answering
#   scripts/lab-attacks.sh --numbers   longer runs, prints the figures for the issue note
#
# Attacks: hping3 SYN flood (spoofed sources) while a legitimate client opens a new connection
# per request; slowloris; 200 pipelining clients that never read (peak memory); forged ARP and
# IP frames (unikernels: the gateway entry is not poisoned); the malformed corpus over the
# lab link; and DNS over TCP throughput with dnsperf -m tcp.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
MODE=test
[ "${1:-}" = "--numbers" ] && MODE=numbers
TAG=${UNIBENCH_IMAGE_TAG:-latest}
NS=unibench-svc-$$
TMP=$(mktemp -d /tmp/unibench-svc-lab.XXXXXX)
MO="x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off,ioapic2=off"
TOOLS=unikernels/tests/attack_tools.py
PIDS=()
CIDS=()
PASS=0
FAIL=0
ACCEL=tcg
(exec 9<>/dev/kvm) 2>/dev/null && ACCEL=kvm

cleanup() {
    local p c
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    for c in "${CIDS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
in_ns() { ip netns exec "$NS" "$@"; }
jget() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$1" "$2"; }

[ "$(id -u)" = 0 ] || { echo "lab-attacks.sh: needs root (network namespaces, taps)" >&2; exit 2; }
for t in qemu-system-x86_64 docker hping3 dnsperf dig curl python3 ip nsenter; do
    command -v "$t" >/dev/null || { echo "lab-attacks.sh: missing tool $t" >&2; exit 1; }
done
for f in unikernels/build/dns.elf unikernels/build/web.elf; do
    [ -e "$f" ] || { echo "lab-attacks.sh: missing $f (make -C unikernels)" >&2; exit 1; }
done
for img in unibench/dns:$TAG unibench/web:$TAG; do
    docker image inspect "$img" >/dev/null 2>&1 || { echo "lab-attacks.sh: missing image $img (make -C containers)" >&2; exit 1; }
done

# ---------------------------------------------------------------- the lab
ip netns add "$NS"
in_ns ip link set lo up
# a fixed MAC: a bridge otherwise takes its lowest port's, and a guest that cached the old one loses the gateway
in_ns ip link add br0 address 02:00:00:00:00:fe type bridge
in_ns ip addr add 10.0.0.254/24 dev br0
in_ns ip link set br0 up

boot_uk() { # SVC TAP IP MAC
    in_ns ip tuntap add "$2" mode tap
    in_ns ip link set "$2" master br0 up
    # not through in_ns: a backgrounded function is a subshell, and its pid is not QEMU's
    ip netns exec "$NS" qemu-system-x86_64 -M "microvm,$MO" -accel "$ACCEL" -m 8M -kernel "unikernels/build/$1.elf" \
        -append "ip=$3/24 gw=10.0.0.254" -netdev "tap,id=n0,ifname=$2,script=no,downscript=no" \
        -device "virtio-net-device,netdev=n0,mac=$4" -display none -nodefaults \
        -serial "file:$TMP/$1-uk.log" -no-reboot >/dev/null 2>&1 &
    PIDS+=("$!")
}
run_ct() { # SVC VETH IP [args...]: docker --network none, a veth from the lab moved into it; sets CID
    local svc=$1 veth=$2 addr=$3 cid pid
    shift 3
    cid=$(docker run -d --rm --init --network none -m 128m --label unibench.test=lab-attacks \
        "unibench/$svc:$TAG" "$@")
    CIDS+=("$cid")
    pid=$(docker inspect -f '{{.State.Pid}}' "$cid")
    in_ns ip link add "$veth" type veth peer name "${veth}c"
    in_ns ip link set "${veth}c" netns "$pid"
    in_ns ip link set "$veth" master br0 up
    nsenter -t "$pid" -n ip addr add "$addr/24" dev "${veth}c"
    nsenter -t "$pid" -n ip link set "${veth}c" up
    nsenter -t "$pid" -n ip route add default via 10.0.0.254
    CID=$cid
}

boot_uk dns tap0 10.0.0.100 52:54:00:00:01:00
boot_uk web tap1 10.0.0.5 52:54:00:00:00:05
WEB_QEMU=${PIDS[-1]}
run_ct dns vd 10.0.0.101
DNS_CID=$CID
run_ct web vw 10.0.0.6
WEB_CID=$CID

wait_dns() { for _ in $(seq 1 100); do in_ns dig @"$1" www.cetic.be +short +tries=1 +time=1 2>/dev/null | grep -qx 10.0.0.5 && return 0; sleep 0.1; done; return 1; }
wait_web() { for _ in $(seq 1 100); do in_ns curl -s -m 1 "http://$1/" 2>/dev/null | grep -q unibench && return 0; sleep 0.1; done; return 1; }
for a in 10.0.0.100 10.0.0.101; do wait_dns "$a" && ok "lab: DNS $a answers" || bad "lab: DNS $a answers"; done
for a in 10.0.0.5 10.0.0.6; do wait_web "$a" && ok "lab: web $a answers" || bad "lab: web $a answers"; done

declare -A NAME=([10.0.0.5]="unikernel web" [10.0.0.6]="container web" [10.0.0.100]="unikernel dns" [10.0.0.101]="container dns")
SUMMARY=()
D_FLOOD=5
D_SLOW=12
[ "$MODE" = numbers ] && D_FLOOD=20

# ---------------------------------------------------------------- SYN flood
syn_flood() { # ADDR
    local a=$1 base='{}' out
    [ "$MODE" = numbers ] && base=$(in_ns python3 "$TOOLS" legit "$a" 80 5)
    in_ns python3 "$TOOLS" legit "$a" 80 "$D_FLOOD" >"$TMP/legit.json" &
    local lp=$!
    sleep 0.5
    in_ns timeout "$((D_FLOOD - 1))" hping3 -q -S -p 80 -i u50 --rand-source "$a" >/dev/null 2>&1 || true
    wait "$lp" || true
    out=$(cat "$TMP/legit.json")
    SUMMARY+=("${NAME[$a]}: SYN flood (hping3 -S -i u50 --rand-source, ~20k SYN/s, $((D_FLOOD - 1)) s): legit success $(jget "$out" success_pct) %, p50 $(jget "$out" p50_ms) ms, p99 $(jget "$out" p99_ms) ms (no flood: p99 $(jget "$base" p99_ms) ms)")
    echo "     ${SUMMARY[-1]}"
    if python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["success_pct"] >= 90 else 1)' "$out" && wait_web "$a"; then
        ok "${NAME[$a]}: legitimate client served during a SYN flood (>= 90 %), answering after"
    else
        bad "${NAME[$a]}: legitimate client during a SYN flood: $out"
    fi
}

# ---------------------------------------------------------------- slowloris
slow_loris() { # ADDR
    local a=$1 out legit
    in_ns python3 "$TOOLS" legit "$a" 80 "$D_SLOW" 10 >"$TMP/legit.json" &
    local lp=$!
    out=$(in_ns python3 "$TOOLS" slowloris "$a" 80 200 "$D_SLOW")
    wait "$lp" || true
    legit=$(cat "$TMP/legit.json")
    SUMMARY+=("${NAME[$a]}: slowloris (200 connections, 1 byte/s, ${D_SLOW} s): $out; legit success $(jget "$legit" success_pct) %, p99 $(jget "$legit" p99_ms) ms")
    echo "     ${SUMMARY[-1]}"
    if python3 -c 'import json,sys; o=json.loads(sys.argv[1]); l=json.loads(sys.argv[2]); sys.exit(0 if o["closed_by_server"] >= o["opened"] * 0.9 and l["success_pct"] >= 95 else 1)' "$out" "$legit"; then
        ok "${NAME[$a]}: slowloris connections closed by the head deadline, legitimate client served"
    else
        bad "${NAME[$a]}: slowloris: $out; legit $legit"
    fi
}

# ---------------------------------------------------------------- non-readers
peak_kb() { # ADDR
    case $1 in
    10.0.0.6) echo $(($(cat "/sys/fs/cgroup/memory/docker/$WEB_CID/memory.max_usage_in_bytes") / 1024)) ;;
    10.0.0.5) awk '/VmHWM/ {print $2}' "/proc/$WEB_QEMU/status" ;;
    esac
}
non_readers() { # ADDR LIMIT_KB
    local a=$1 limit=$2 before after out
    before=$(peak_kb "$a")
    out=$(in_ns python3 containers/tests/pipeliners.py "$a" 80 200 5)
    after=$(peak_kb "$a")
    local what="cgroup peak"
    [ "$a" = 10.0.0.5 ] && what="QEMU peak RSS (guest memory fixed at -m 8M)"
    SUMMARY+=("${NAME[$a]}: 200 pipelining non-readers, 5 s ($out): $what ${before} KiB before, ${after} KiB after")
    echo "     ${SUMMARY[-1]}"
    if [ "$after" -le "$limit" ] && wait_web "$a"; then
        ok "${NAME[$a]}: 200 non-reading pipeliners: peak memory <= $((limit / 1024)) MiB, still serving"
    else
        bad "${NAME[$a]}: non-readers: peak ${after} KiB (limit $limit), or not serving"
    fi
}

# ---------------------------------------------------------------- forged ARP/IP
spoof_arp() { # the unikernels must keep the gateway's MAC
    local evil=02:66:66:66:66:66 a mac
    for a in 10.0.0.100 10.0.0.5; do
        mac=$([ "$a" = 10.0.0.100 ] && echo 52:54:00:00:01:00 || echo 52:54:00:00:00:05)
        in_ns python3 "$TOOLS" spoof br0 "$a" "$mac" 10.0.0.254 "$evil" 10.0.0.100 >/dev/null
    done
    sleep 0.2
    if wait_dns 10.0.0.100 && wait_web 10.0.0.5; then
        ok "unikernels: forged ARP/IP frames claiming the gateway 10.0.0.254: answers still arrive"
    else
        bad "unikernels: answers lost after forged ARP frames (gateway entry poisoned?)"
    fi
    # The containers' Linux kernel takes ARP updates for entries it knows (its default policy):
    # recorded, not asserted: how long the web container's answers are lost until the kernel
    # re-validates the entry by itself.
    local cpid st t0 t1 back="not back"
    cpid=$(docker inspect -f '{{.State.Pid}}' "$WEB_CID")
    in_ns curl -s -o /dev/null -m 2 http://10.0.0.6/ || true # the gateway's entry exists
    in_ns python3 "$TOOLS" spoof br0 10.0.0.6 "$(nsenter -t "$cpid" -n ip -br link show vwc | awk '{print $3}')" \
        10.0.0.254 "$evil" 10.0.0.101 >/dev/null
    st=$(nsenter -t "$cpid" -n ip neigh show 10.0.0.254 | head -n 1)
    t0=$(date +%s%N)
    local tries=10
    [ "$MODE" = numbers ] && tries=300 # at most ~90 s
    for _ in $(seq 1 "$tries"); do
        in_ns curl -s -m 0.3 http://10.0.0.6/ 2>/dev/null | grep -q unibench && { back="back"; break; }
    done
    t1=$(date +%s%N)
    SUMMARY+=("container web after the same forged frames: gateway entry '${st:-none}', answers $back after $(((t1 - t0) / 1000000)) ms")
    echo "     ${SUMMARY[-1]}"
}

# ---------------------------------------------------------------- malformed corpus over the lab link
corpus() {
    local a
    for a in 10.0.0.100 10.0.0.101; do
        if in_ns python3 "$TOOLS" corpus-dns "$a" 53 unikernels/apps/tests/corpus/*.dns >"$TMP/corpus.out" 2>&1 && wait_dns "$a"; then
            ok "${NAME[$a]}: malformed DNS corpus over the lab link answered as expected, still answering"
        else
            bad "${NAME[$a]}: corpus: $(tail -n 3 "$TMP/corpus.out" | tr '\n' ' ')"
        fi
    done
    local f n_bad want got
    for a in 10.0.0.5 10.0.0.6; do
        n_bad=0
        for f in unikernels/apps/tests/corpus/*.http; do
            want=$(basename "$f" | cut -d- -f1)
            [ "$want" = none ] && continue
            got=$(in_ns timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/80"; cat "$2" >&3 2>/dev/null; timeout 2 head -c 12 <&3' _ "$a" "$f" 2>/dev/null || true)
            [ "$got" = "HTTP/1.1 $want" ] || { n_bad=$((n_bad + 1)); echo "     $(basename "$f"): got '$got'"; }
        done
        if [ "$n_bad" = 0 ] && wait_web "$a"; then
            ok "${NAME[$a]}: malformed HTTP corpus over the lab link answered as expected, still serving"
        else
            bad "${NAME[$a]}: HTTP corpus: $n_bad unexpected answers"
        fi
    done
}

# ---------------------------------------------------------------- DNS over TCP throughput
dns_tcp() {
    local a out qps lost secs=3
    [ "$MODE" = numbers ] && secs=10
    for i in $(seq 1 50); do echo "www.cetic.be A"; echo "nope.cetic.be A"; done >"$TMP/q.txt"
    for a in 10.0.0.100 10.0.0.101; do
        out=$(in_ns dnsperf -m tcp -s "$a" -d "$TMP/q.txt" -l "$secs" -c 10 -q 100 2>&1 || true)
        qps=$(awk '/Queries per second/ {print $4}' <<<"$out")
        lost=$(awk '/Queries lost/ {print $3}' <<<"$out")
        SUMMARY+=("${NAME[$a]}: dnsperf -m tcp -c 10 -q 100 -l $secs: ${qps:-?} qps, lost ${lost:-?}")
        echo "     ${SUMMARY[-1]}"
        if [ -n "$qps" ] && [ "${lost:-1}" = 0 ]; then
            ok "${NAME[$a]}: DNS over TCP under dnsperf -m tcp, nothing lost"
        else
            bad "${NAME[$a]}: dnsperf -m tcp: $(tail -n 5 <<<"$out" | tr '\n' ' ')"
        fi
    done
}

dns_tcp
for a in 10.0.0.5 10.0.0.6; do syn_flood "$a"; done
for a in 10.0.0.5 10.0.0.6; do slow_loris "$a"; done
non_readers 10.0.0.6 24576
non_readers 10.0.0.5 65536
corpus
spoof_arp

if [ "$MODE" = numbers ]; then
    echo
    echo "== lab-attacks numbers, $(date -u +%FT%TZ), accel $ACCEL, $(uptime | sed 's/.*load average/load average/')"
    echo "   $(qemu-system-x86_64 --version | head -n 1); $(docker version -f 'docker {{.Server.Version}}'); $(hping3 -v 2>&1 | head -n 1); $(dnsperf -h 2>&1 | grep -m1 Version)"
    echo "   images: dns.elf $(stat -c %s unikernels/build/dns.elf) B, web.elf $(stat -c %s unikernels/build/web.elf) B"
    for l in "${SUMMARY[@]}"; do echo "   $l"; done
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
