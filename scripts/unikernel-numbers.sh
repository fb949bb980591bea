#!/usr/bin/env bash
# Reproduces the unikernel numbers of issue 3: image sizes, serving with -m 8M, boot time
# (spawn -> first correct DNS answer, 20 boots, KVM and TCG, and the container for
# comparison), DNS throughput (dnsperf -Q 10000 -l 30) and web throughput (wrk -c100 -d10s),
# unikernel and container side by side, idle CPU per instance.
#
#   scripts/unikernel-numbers.sh [-n BOOTS] [-l DNSPERF_SECONDS] [-d WRK_SECONDS]
#
# Needs qemu-system-x86_64, dig, curl, dnsperf, wrk; docker for the container side (skipped
# with a note when the unibench/dns or unibench/web image is missing: make -C containers).
# Everything runs on 127.0.0.1; it stops only the QEMU processes and containers it started.
set -euo pipefail

BOOTS=20
DNSPERF_S=30
WRK_S=10
while getopts "n:l:d:" o; do
    case $o in
    n) BOOTS=$OPTARG ;;
    l) DNSPERF_S=$OPTARG ;;
    d) WRK_S=$OPTARG ;;
    *) echo "usage: $0 [-n boots] [-l dnsperf seconds] [-d wrk seconds]" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
UK=$ROOT/unikernels
B=$UK/build
PROBE=$B/tools/dnsprobe
MO=$(sed -n 's/.*"machine_options": *"\([^"]*\)".*/\1/p' "$UK/services/dns.json")
CMDLINE="ip=10.0.2.15/24 gw=10.0.2.2"
TMP=$(mktemp -d /tmp/unibench-numbers.XXXXXX)
PIDS=()
CONTAINERS=()
TAG="unibench-numbers-$$"

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    for p in "${CONTAINERS[@]}"; do docker rm -f "$p" >/dev/null 2>&1 || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        ss -Htanu 2>/dev/null | awk '{print $5}' | grep -q ":$p\$" || { echo "$p"; return; }
    done
}

stats() { # median and p90 of numbers on stdin
    sort -n | awk '{a[NR] = $1} END {
        if (NR == 0) { print "n=0"; exit }
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        i = int(0.9 * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR
        printf "median %.1f ms, p90 %.1f ms, min %.1f, max %.1f (n=%d)", m, a[i], a[1], a[NR], NR }'
}
median_of() { sort -n | awk '{a[NR] = $1} END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

qemu_args() { # qemu_args SVC ACCEL FWD MEM -> QA (array)
    QA=(-M "microvm,$MO" -accel "$2" -m "${4:-8M}" -kernel "$B/$1.elf" -append "$CMDLINE"
        -netdev "user,id=n0,$3" -device virtio-net-device,netdev=n0 -display none -nodefaults)
}

start_vm() { # start_vm SVC ACCEL FWD [MEM] -> VM_PID, waits for the ready line
    local log=$TMP/vm-$RANDOM.log i
    qemu_args "$1" "$2" "$3" "${4:-8M}"
    qemu-system-x86_64 "${QA[@]}" -serial "file:$log" >/dev/null 2>&1 &
    VM_PID=$!
    PIDS+=("$VM_PID")
    for ((i = 0; i < 200; i++)); do
        grep -q "ready" "$log" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "  (no ready line: $(cat "$log"))"
    return 1
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

cpu_pct_10s() { # CPU of a pid over 10 s, % of one core
    local hz t0 t1
    hz=$(getconf CLK_TCK)
    t0=$(awk '{print $14 + $15}' "/proc/$1/stat")
    sleep 10
    t1=$(awk '{print $14 + $15}' "/proc/$1/stat")
    awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN {printf "%.2f", d / hz / 10 * 100}'
}

echo "== unibench unikernel numbers ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(qemu-system-x86_64 --version | head -1))"
make -s -C "$UK" >/dev/null
ACCELS=(tcg)
if (exec 9<>/dev/kvm) 2>/dev/null; then ACCELS=(kvm tcg); fi
HAVE_DOCKER=0
if docker image inspect unibench/dns >/dev/null 2>&1 && docker image inspect unibench/web >/dev/null 2>&1; then
    HAVE_DOCKER=1
else
    echo "note: docker images unibench/dns, unibench/web not found (make -C containers): container side skipped"
fi

echo
echo "-- image sizes (limit 256 KiB = 262144 bytes)"
for s in dns web; do
    printf "  %s.elf: %d bytes\n" "$s" "$(stat -c %s "$B/$s.elf")"
done
if [ $HAVE_DOCKER = 1 ]; then
    for s in dns web; do
        printf "  container unibench/%s: %d bytes\n" "$s" "$(docker image inspect -f '{{.Size}}' unibench/$s)"
    done
fi

echo
echo "-- serving with -m 8M (${ACCELS[0]})"
P=$(free_port)
start_vm dns "${ACCELS[0]}" "hostfwd=udp:127.0.0.1:$P-:53" 8M
echo "  dig www.cetic.be: $(dig @127.0.0.1 -p "$P" www.cetic.be +short +tries=5 +time=1)"
stop_pid "$VM_PID"
P=$(free_port)
start_vm web "${ACCELS[0]}" "hostfwd=tcp:127.0.0.1:$P-:80" 8M
echo "  curl /: HTTP $(curl -sS -m 10 --retry 3 --retry-all-errors -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/")"
stop_pid "$VM_PID"

echo
echo "-- boot: spawn -> first correct DNS answer (dnsprobe, query every 1 ms), $BOOTS boots"
declare -A MED
for acc in "${ACCELS[@]}"; do
    : >"$TMP/boot-$acc"
    for ((i = 0; i < BOOTS; i++)); do
        P=$(free_port)
        qemu_args dns "$acc" "hostfwd=udp:127.0.0.1:$P-:53"
        "$PROBE" -p "$P" -T 20000 -k -- qemu-system-x86_64 "${QA[@]}" -serial null >>"$TMP/boot-$acc" 2>/dev/null || echo "  boot $i on $acc: no answer"
    done
    echo "  unikernel microvm/$acc: $(stats <"$TMP/boot-$acc")"
    MED[$acc]=$(median_of <"$TMP/boot-$acc")
done
if [ $HAVE_DOCKER = 1 ]; then
    : >"$TMP/boot-docker"
    for ((i = 0; i < BOOTS; i++)); do
        P=$(free_port)
        name="$TAG-boot-$i"
        CONTAINERS+=("$name")
        "$PROBE" -p "$P" -T 20000 -w -- docker run -d --rm --name "$name" --label unibench.owner=numbers \
            -p "127.0.0.1:$P:53/udp" unibench/dns --port 53 >>"$TMP/boot-docker" 2>/dev/null ||
            echo "  container boot $i: no answer"
        docker rm -f "$name" >/dev/null 2>&1 || true
    done
    echo "  container (docker run -d --rm -p 127.0.0.1:P:53/udp, probing once it returns): $(stats <"$TMP/boot-docker")"
    MED[docker]=$(median_of <"$TMP/boot-docker")
    for acc in "${ACCELS[@]}"; do
        echo "  ratio container / unikernel-$acc (medians): $(awk -v c="${MED[docker]}" -v u="${MED[$acc]}" 'BEGIN {printf "%.1f", c / u}')"
    done
fi

printf 'www.cetic.be A\ncetic.be A\ninternship.cetic.be A\nnope.cetic.be A\n' >"$TMP/queries"
dnsperf_line() { # dnsperf_line PORT
    dnsperf -s 127.0.0.1 -p "$1" -d "$TMP/queries" -Q 10000 -l "$DNSPERF_S" 2>&1 |
        awk '/Queries sent/ {s = $3} /Queries completed/ {c = $3} /Queries lost/ {l = $3; lp = $4}
             /Queries per second/ {q = $4} /Average Latency/ {lat = $4}
             END {printf "sent %s, completed %s, lost %s %s, %.0f qps, avg latency %.3f ms", s, c, l, lp, q, lat * 1000}'
}
wrk_line() { # wrk_line PORT
    wrk -t1 -c100 -d"${WRK_S}s" --timeout 10s --latency "http://127.0.0.1:$1/" 2>&1 |
        awk '/Requests\/sec/ {r = $2} /requests in/ {n = $1} / 99%/ {p99 = $2} /Socket errors/ {e = $0} /Non-2xx/ {x = $0}
             END {printf "%s requests, %s req/s, p99 %s, %s %s", n, r, p99, (e ? e : "no socket errors"), x}'
}

echo
echo "-- DNS throughput through the forwarded port: dnsperf -Q 10000 -l $DNSPERF_S"
P=$(free_port)
start_vm dns "${ACCELS[0]}" "hostfwd=udp:127.0.0.1:$P-:53"
echo "  unikernel microvm/${ACCELS[0]}: $(dnsperf_line "$P")"
stop_pid "$VM_PID"
if [ $HAVE_DOCKER = 1 ]; then
    P=$(free_port)
    CONTAINERS+=("$TAG-dns")
    docker run -d --rm --name "$TAG-dns" --label unibench.owner=numbers -p "127.0.0.1:$P:53/udp" unibench/dns --port 53 >/dev/null
    "$PROBE" -p "$P" -T 20000 >/dev/null
    echo "  container: $(dnsperf_line "$P")"
    docker rm -f "$TAG-dns" >/dev/null
fi

echo
echo "-- web throughput: wrk -t1 -c100 -d${WRK_S}s"
P=$(free_port)
start_vm web "${ACCELS[0]}" "hostfwd=tcp:127.0.0.1:$P-:80"
curl -sS -m 10 --retry 3 --retry-all-errors -o /dev/null "http://127.0.0.1:$P/" || true
echo "  unikernel microvm/${ACCELS[0]}: $(wrk_line "$P")"
stop_pid "$VM_PID"
if [ $HAVE_DOCKER = 1 ]; then
    P=$(free_port)
    CONTAINERS+=("$TAG-web")
    docker run -d --rm --name "$TAG-web" --label unibench.owner=numbers -p "127.0.0.1:$P:80" unibench/web --port 80 >/dev/null
    curl -sS -m 10 --retry 10 --retry-all-errors --retry-delay 0 -o /dev/null "http://127.0.0.1:$P/" || true
    echo "  container: $(wrk_line "$P")"
    docker rm -f "$TAG-web" >/dev/null
fi

echo
echo "-- idle CPU over 10 s (% of one core; QEMU process / container main process)"
declare -A IDLE_PID
MEASURE=()
for acc in "${ACCELS[@]}"; do
    for s in dns web; do
        start_vm "$s" "$acc" "hostfwd=udp:127.0.0.1:$(free_port)-:53"
        IDLE_PID["unikernel $s microvm/$acc"]=$VM_PID
    done
done
if [ $HAVE_DOCKER = 1 ]; then
    for s in dns web; do
        CONTAINERS+=("$TAG-idle-$s")
        docker run -d --rm --name "$TAG-idle-$s" --label unibench.owner=numbers unibench/$s >/dev/null
        IDLE_PID["container $s"]=$(docker inspect -f '{{.State.Pid}}' "$TAG-idle-$s")
    done
fi
sleep 1
for k in "${!IDLE_PID[@]}"; do
    f=${k//[ \/]/_}
    cpu_pct_10s "${IDLE_PID[$k]}" >"$TMP/idle-$f" &
    MEASURE+=($!)
done
wait "${MEASURE[@]}"
printf '%s\n' "${!IDLE_PID[@]}" | sort | while read -r k; do
    echo "  $k: $(cat "$TMP/idle-${k//[ \/]/_}") %"
done
