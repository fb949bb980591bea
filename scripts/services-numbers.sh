#!/usr/bin/env bash
# The figures of issue 14's note, in one run (root; a few minutes):
#   1. unikernel image sizes after hardening (limit 256 KiB),
#   2. peak memory of the container web server under 200 pipelining clients that never read,
#      this build next to the build before the limit (git FOREROOT, default fe69080), both as
#      containers with -m 128m (cgroup memory.max_usage_in_bytes) on 127.0.0.1,
#   3. scripts/lab-attacks.sh --numbers: DNS over TCP throughput per build (dnsperf -m tcp),
#      legitimate clients' success and p99 during a SYN flood per web backend, slowloris,
#      non-readers against both web backends, forged ARP, all in a namespace of its own.
# Prints the load average at the start and the end (2 shared cores: expect noise).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
BEFORE=${BEFORE:-fe69080}
TAG=${UNIBENCH_IMAGE_TAG:-latest}
OLD_TAG="$TAG-before-limit"
TMP=$(mktemp -d /tmp/unibench-svc-numbers.XXXXXX)
CIDS=()
cleanup() {
    local c
    for c in "${CIDS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
    docker rmi "unibench/web:$OLD_TAG" >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

echo "== services numbers $(date -u +%FT%TZ), start: $(uptime | sed 's/.*load average/load average/')"
make -s -C unikernels >/dev/null
make -s -C containers binaries >/dev/null
echo "-- 1. images: dns.elf $(stat -c %s unikernels/build/dns.elf) B, web.elf $(stat -c %s unikernels/build/web.elf) B" \
    "(limit 262144 B; $(git -C "$home" describe --always --dirty))"

# 2. the web server before the output limit, built from git, as a container next to this one
mkdir -p "$TMP/old/ctx"
git archive "$BEFORE" containers/posix unikernels/apps | tar -x -C "$TMP/old"
make -s -C "$TMP/old/unikernels/apps" -f apps.mk build/page.c >/dev/null
cc -std=gnu11 -O2 -I"$TMP/old/unikernels/apps" -I"$TMP/old/containers/posix" -static -s -o "$TMP/old/ctx/web-server" \
    "$TMP/old/containers/posix/web-server.c" "$TMP/old/containers/posix/common.c" \
    "$TMP/old/unikernels/apps/http.c" "$TMP/old/unikernels/apps/build/page.c"
printf 'FROM scratch\nCOPY web-server /web-server\nENTRYPOINT ["/web-server"]\n' >"$TMP/old/ctx/Dockerfile"
docker build -q -t "unibench/web:$OLD_TAG" "$TMP/old/ctx" >/dev/null
docker image inspect "unibench/web:$TAG" >/dev/null 2>&1 || make -s -C containers images >/dev/null
for v in "$OLD_TAG" "$TAG"; do
    port=$((20000 + RANDOM % 10000))
    cid=$(docker run -d --rm --init -m 128m --label unibench.test=services-numbers -p "127.0.0.1:$port:80/tcp" "unibench/web:$v")
    CIDS+=("$cid")
    for _ in $(seq 1 50); do curl -s -m 1 "http://127.0.0.1:$port/" | grep -q unibench && break; sleep 0.1; done
    out=$(python3 containers/tests/pipeliners.py 127.0.0.1 "$port" 200 10)
    peak=$(($(cat "/sys/fs/cgroup/memory/docker/$cid/memory.max_usage_in_bytes") / 1024))
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$port/" || true)
    echo "-- 2. container web unibench/web:$v, 200 pipelining non-readers for 10 s ($out): cgroup peak ${peak} KiB, then GET / -> $code"
    docker rm -f "$cid" >/dev/null
done

# 3. the lab
echo "-- 3. scripts/lab-attacks.sh --numbers"
bash scripts/lab-attacks.sh --numbers | sed -n '/^== lab-attacks numbers/,$p'
echo "== end: $(uptime | sed 's/.*load average/load average/')"
