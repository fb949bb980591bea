#!/usr/bin/env bash
# Spawn -> first correct answer of the unibench/dns container, N times (default 10).
# Measures from just before `docker run -d` to the first DNS answer carrying 10.0.0.5
# (probe: build/udpsend --probe, one query every 2 ms, started after `docker run` returns,
# see MACHINE-FACTS.md on early probing). Prints each run and the median. Not part of `check`.
#   bash containers/tests/boot-time.sh [N] [docker run options...]   e.g. --network none is not usable
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UDPSEND=$HERE/../build/udpsend
N=${1:-10}; shift || true
CID=""
trap '[ -n "$CID" ] && docker rm -f "$CID" >/dev/null 2>&1 || true' EXIT
# Ports below the kernel's ephemeral range, so no client connection can hold them.
PORT_LO=15000
PORT_HI=$(awk '{print ($1 > 20000) ? $1 : 20000}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((PORT_LO + RANDOM % (PORT_HI - PORT_LO)))
        [ -z "$(ss -Htuan "sport = :$p")" ] && { echo "$p"; return; }
    done
    return 1
}
totals=()
for i in $(seq 1 "$N"); do
    port=$(free_port)
    t0=$(date +%s%N)
    CID=$(docker run -d --rm --init --label unibench.test=1 "$@" -p "127.0.0.1:$port:53/udp" unibench/dns)
    t1=$(date +%s%N)
    "$UDPSEND" --probe 127.0.0.1 "$port" 10000 >/dev/null
    t2=$(date +%s%N)
    docker rm -f "$CID" >/dev/null; CID=""
    run_ms=$(( (t1 - t0) / 1000000 )); total_ms=$(( (t2 - t0) / 1000000 ))
    echo "run $i: docker run returned after $run_ms ms, first correct answer after $total_ms ms"
    totals+=("$total_ms")
    sleep 0.2
done
median=$(printf '%s\n' "${totals[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "median spawn -> first correct answer: $median ms (n=$N)"
