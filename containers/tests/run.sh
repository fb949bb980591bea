#!/usr/bin/env bash
# Tests of the unibench DNS and web services, run against
#   (1) the static binaries on the host (native baseline), on free ports of 127.0.0.1, and
#   (2) the images unibench/dns:TAG and unibench/web:TAG (TAG: $UNIBENCH_IMAGE_TAG or latest), published on 127.0.0.1 only.
# Real clients: dig, kdig (UDP and TCP), curl, wrk, raw TCP through bash /dev/tcp, udpsend for the
# corpus, knotd (answers compared on tests/compare.zone), unbound (stub zone), slowloris and
# pipelining non-readers (tests/pipeliners.py) with the server's peak memory checked.
# Cleans up only what it started (recorded pids and container ids), even on failure.
# Ends with "N passed, M failed"; exit status 1 if anything failed.
#
#   make -C containers check          (builds binaries, images and build/udpsend first)
#   bash containers/tests/run.sh      (if those exist already)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CDIR=$(cd "$HERE/.." && pwd)
CORPUS=$(cd "$CDIR/../unikernels/apps/tests/corpus" && pwd)
DNS_BIN=$CDIR/dns/dns-server
WEB_BIN=$CDIR/web/web-server
UDPSEND=$CDIR/build/udpsend
LOOP=127.0.0.1
TAG=${UNIBENCH_IMAGE_TAG:-latest}

PASSED=0
FAILED=0
PIDS=()
CIDS=()
TMP=$(mktemp -d /tmp/unibench-ctest.XXXXXX)
APPS=$(cd "$CDIR/../unikernels/apps" && pwd)
# shellcheck source=../../unikernels/tests/dnslib.sh
. "$CDIR/../unikernels/tests/dnslib.sh"

cleanup() {
    local p c
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for c in "${CIDS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok    $1"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL  $1${2:+: $2}"; }
# check NAME COMMAND...: one test case; the command's stdout/stderr go to $TMP/last
check() {
    local name=$1; shift
    if "$@" >"$TMP/last" 2>&1; then ok "$name"; else bad "$name" "$(tail -c 600 "$TMP/last" | tr '\n' ' ')"; fi
}

# Ports below the kernel's ephemeral range, so no client connection can hold them.
PORT_LO=15000
PORT_HI=$(awk '{print ($1 > 20000) ? $1 : 20000}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((PORT_LO + RANDOM % (PORT_HI - PORT_LO)))
        if [ -z "$(ss -Htuan "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
    done
    return 1
}

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

# ------------------------------------------------------------------ DNS checks

dig_q() { # PORT NAME TYPE [extra dig options]
    local port=$1 name=$2 type=$3; shift 3
    timeout 15 dig @"$LOOP" -p "$port" "$name" "$type" +tries=3 +time=1 "$@"
}

dns_a() {
    local out; out=$(dig_q "$1" www.cetic.be A)
    grep -q 'status: NOERROR' <<<"$out" && grep -Eq 'flags: qr aa' <<<"$out" &&
        grep -Eq '^www\.cetic\.be\.\s+300\s+IN\s+A\s+10\.0\.0\.5$' <<<"$out" || { echo "$out"; return 1; }
}
dns_apex_case() {
    local out; out=$(dig_q "$1" CeTiC.Be A +noedns)
    grep -q 'status: NOERROR' <<<"$out" && grep -Eq '^CeTiC\.Be\.\s+300\s+IN\s+A\s+10\.0\.0\.5$' <<<"$out" ||
        { echo "$out"; return 1; }
}
dns_status() { # PORT NAME TYPE STATUS [ANSWERS]
    local out; out=$(dig_q "$1" "$2" "$3")
    grep -q "status: $4" <<<"$out" && { [ -z "${5:-}" ] || grep -q "ANSWER: $5," <<<"$out"; } ||
        { echo "$out"; return 1; }
}
dns_badvers() {
    local out; out=$(dig_q "$1" www.cetic.be A +edns=1 +noednsnegotiation)
    grep -q 'status: BADVERS' <<<"$out" || { echo "$out"; return 1; }
}
dns_corpus() { "$UDPSEND" --check "$LOOP" "$1" "$CORPUS"/*.dns; }

dns_suite() { # LABEL PORT
    local l=$1 p=$2
    check "$l dns A www.cetic.be -> 10.0.0.5, aa" dns_a "$p"
    check "$l dns apex, query case echoed" dns_apex_case "$p"
    check "$l dns NXDOMAIN nope.cetic.be" dns_status "$p" nope.cetic.be A NXDOMAIN 0
    check "$l dns REFUSED example.org" dns_status "$p" example.org A REFUSED 0
    check "$l dns AAAA www.cetic.be NOERROR, no answer" dns_status "$p" www.cetic.be AAAA NOERROR 0
    check "$l dns EDNS version 1 -> BADVERS" dns_badvers "$p"
    check "$l dns NXDOMAIN and NODATA carry the SOA" dns_negative_soa "$p"
    check "$l dns TCP (dig +tcp; kdig, 3 queries on one connection)" dns_tcp "$p"
    check "$l dns malformed corpus answered as expected" dns_corpus "$p"
    check "$l dns still answers after the corpus" dns_a "$p"
}

# ------------------------------------------------------------------ web checks

curl_code() { # URL [curl options] -> prints the status code
    local url=$1; shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url"
}
web_200() {
    curl -s -D "$TMP/h" -o "$TMP/body" --max-time 5 "http://$LOOP:$1/" || { echo "curl failed"; return 1; }
    grep -q '^HTTP/1.1 200 OK' "$TMP/h" && grep -qi '^Server: unibench' "$TMP/h" && grep -q unibench "$TMP/body" &&
        [ "$(grep -i '^Content-Length:' "$TMP/h" | tr -dc 0-9)" = "$(wc -c <"$TMP/body")" ] || { cat "$TMP/h"; return 1; }
}
web_code() { # PORT PATH CODE [curl options]
    local port=$1 path=$2 want=$3; shift 3
    local got; got=$(curl_code "http://$LOOP:$port$path" "$@")
    [ "$got" = "$want" ] || { echo "got $got, want $want"; return 1; }
}
web_keepalive() { # two requests, one connection
    local n; n=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' --max-time 5 \
        "http://$LOOP:$1/" "http://$LOOP:$1/index.html")
    [ "$n" = "1 0 " ] || { echo "connects per transfer: $n"; return 1; }
}
raw_status() { # PORT FILE -> first 12 bytes of the response ("" if none within 2 s)
    local port=$1 file=$2 fd
    exec {fd}<>"/dev/tcp/$LOOP/$port" || return 1
    cat "$file" >&"$fd" 2>/dev/null || true
    timeout 2 head -c 12 <&"$fd" 2>/dev/null || true
    exec {fd}>&-
}
web_400_raw() {
    printf 'BOGUS REQUEST\r\n\r\n' >"$TMP/bogus.http"
    local got; got=$(raw_status "$1" "$TMP/bogus.http")
    [ "$got" = "HTTP/1.1 400" ] || { echo "got '$got'"; return 1; }
}
web_corpus() {
    local port=$1 f base want got fails=0
    for f in "$CORPUS"/*.http; do
        base=$(basename "$f"); want=${base%%-*}
        got=$(raw_status "$port" "$f")
        if [ "$want" = none ]; then
            [ -z "$got" ] || { echo "$base: got '$got'"; fails=$((fails + 1)); }
        else
            [ "$got" = "HTTP/1.1 $want" ] || { echo "$base: got '$got'"; fails=$((fails + 1)); }
        fi
    done
    [ "$fails" = 0 ]
}
web_pipeline() { # PORT: 2000 pipelined requests sent before reading (output backs up: EAGAIN)
    local port=$1 fd n
    exec {fd}<>"/dev/tcp/$LOOP/$port" || return 1
    { for _ in $(seq 1 1999); do printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'; done
      printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'; } >&"$fd"
    sleep 0.5
    n=$(timeout 20 cat <&"$fd" | grep -c '^HTTP/1.1 200 OK' || true)
    exec {fd}>&-
    [ "$n" = 2000 ] || { echo "got $n responses of 2000"; return 1; }
}
web_wrk() {
    local out; out=$(timeout 20 wrk -t1 -c100 -d3s "http://$LOOP:$1/")
    echo "$out"
    ! grep -q 'Socket errors' <<<"$out" && ! grep -q 'Non-2xx' <<<"$out" &&
        grep -Eq '^ +[1-9][0-9]* requests in' <<<"$out"
}

web_suite() { # LABEL PORT
    local l=$1 p=$2
    check "$l web GET / 200 + page" web_200 "$p"
    check "$l web GET /index.html 200" web_code "$p" /index.html 200
    check "$l web HEAD / 200" web_code "$p" / 200 -I
    check "$l web GET /nope 404" web_code "$p" /nope 404
    check "$l web DELETE / 405" web_code "$p" / 405 -X DELETE
    check "$l web malformed request 400" web_400_raw "$p"
    check "$l web keep-alive reuses the connection" web_keepalive "$p"
    check "$l web HTTP/1.0 200" web_code "$p" / 200 --http1.0
    check "$l web malformed corpus answered as expected" web_corpus "$p"
    check "$l web 2000 pipelined requests, read late" web_pipeline "$p"
    check "$l web wrk -t1 -c100 -d3s: no socket errors" web_wrk "$p"
    grep -E 'Requests/sec' "$TMP/last" | sed "s/^/      $l /" || true
    check "$l web still answers after wrk" web_200 "$p"
}

# ------------------------------------------------------------------ native binaries

start_native() { # OUTVAR BIN ARGS... : starts, waits for the ready line, sets OUTVAR=pid
    local _var=$1 _bin=$2; shift 2
    local _log="$TMP/$(basename "$_bin").$RANDOM.log"
    "$_bin" "$@" >"$_log" 2>&1 &
    local _pid=$!
    PIDS+=("$_pid")
    printf -v "$_var" '%s' "$_pid"
    for _ in $(seq 1 100); do
        [ -s "$_log" ] && break
        sleep 0.05
    done
    [ "$(cat "$_log")" = "unibench: $(basename "$_bin" -server) ready" ]
}

stops_on() { # PID SIGNAL : exits 0 within 1 s
    local pid=$1 sig=$2 rc=0
    kill "-$sig" "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then echo "still running after 1 s"; return 1; fi
    wait "$pid" || rc=$?
    [ "$rc" = 0 ] || { echo "exit status $rc"; return 1; }
}

usage_error() { # BIN: unknown option -> exit 2, one line on stderr
    local rc=0 err
    err=$("$1" --bogus 2>&1 >/dev/null) || rc=$?
    [ "$rc" = 2 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q usage <<<"$err" || { echo "rc=$rc: $err"; return 1; }
}

ipv6_dns() {
    local out; out=$(timeout 15 dig @::1 -p "$1" www.cetic.be A +tries=3 +time=1 +short)
    [ "$out" = 10.0.0.5 ] || { echo "$out"; return 1; }
}

dns_tc() { # a zone with 32 A records for one name: TC without EDNS, all with EDNS
    local out; out=$(dig_q "$1" x.big.test A +noedns +ignore)
    grep -Eq 'flags: qr aa tc' <<<"$out" || { echo "$out"; return 1; }
    out=$(dig_q "$1" x.big.test A +bufsize=1232)
    grep -q 'ANSWER: 32,' <<<"$out" || { echo "$out"; return 1; }
}

web_flood() { # PORT: more half-open connections than --max-conns 50; a new client still gets 200
    local port=$1 fds=() fd i first last
    for i in $(seq 1 60); do
        exec {fd}<>"/dev/tcp/$LOOP/$port" || return 1
        printf 'GET / HTTP/1.1\r\nHost: half' >&"$fd"
        fds+=("$fd")
    done
    sleep 0.3
    web_200 "$port" || { echo "no 200 during the flood"; return 1; }
    # evicted: EOF (rc 0) or reset (rc 1) when its unread bytes were still queued; open: 124
    first=$(timeout 2 cat <&"${fds[0]}" 2>/dev/null; echo "rc:$?")
    last=$(timeout 0.3 cat <&"${fds[59]}"; echo "rc:$?")
    for fd in "${fds[@]}"; do exec {fd}>&-; done
    [ "$first" = "rc:0" ] || [ "$first" = "rc:1" ] || { echo "oldest connection not evicted: $first"; return 1; }
    [ "$last" = "rc:124" ] || { echo "newest connection not kept: $last"; return 1; }
}

web_idle() { # PORT: an idle connection is closed after --idle-timeout 1
    local port=$1 fd t0 t1 out
    exec {fd}<>"/dev/tcp/$LOOP/$port" || return 1
    t0=$(ms_now)
    out=$(timeout 5 cat <&"$fd"; echo "rc:$?")
    t1=$(ms_now)
    exec {fd}>&-
    [ "$out" = "rc:0" ] && [ $((t1 - t0)) -ge 800 ] && [ $((t1 - t0)) -le 3000 ] ||
        { echo "out=$out after $((t1 - t0)) ms"; return 1; }
}

web_slowloris() { # PORT: a head still incomplete after --header-timeout 1 gets 408 and a close
    local port=$1 fd t0 t1 out
    exec {fd}<>"/dev/tcp/$LOOP/$port" || return 1
    t0=$(ms_now)
    for _ in 1 2 3 4 5 6; do printf 'X' >&"$fd" 2>/dev/null || break; sleep 0.4; done &
    local dripper=$!
    printf 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ' >&"$fd"
    out=$(timeout 5 head -c 12 <&"$fd")
    t1=$(ms_now)
    kill "$dripper" 2>/dev/null || true
    wait "$dripper" 2>/dev/null || true
    exec {fd}>&-
    [ "$out" = "HTTP/1.1 408" ] && [ $((t1 - t0)) -ge 800 ] && [ $((t1 - t0)) -le 3500 ] ||
        { echo "got '$out' after $((t1 - t0)) ms"; return 1; }
}

web_idle_cap() { # PORT: --max-idle 5: of 10 idle keep-alive connections the 5 longest idle are closed
    local port=$1 fds=() fd i closed=0
    for i in $(seq 1 10); do
        exec {fd}<>"/dev/tcp/$LOOP/$port" || return 1
        printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >&"$fd"
        timeout 2 head -c 12 <&"$fd" >/dev/null
        fds+=("$fd")
        sleep 0.05
    done
    sleep 1
    for i in $(seq 0 9); do
        # closed: EOF after the rest of the response (rc 0); still open: timeout (124)
        if timeout 0.3 cat <&"${fds[$i]}" >/dev/null 2>&1; then closed=$((closed + 1)); fi
    done
    for fd in "${fds[@]}"; do exec {fd}>&-; done
    [ "$closed" = 5 ] || { echo "$closed of 10 idle connections closed, expected 5"; return 1; }
    web_200 "$port"
}

web_nonreaders() { # PORT PEAK_KB_COMMAND LIMIT_KB: 200 pipelining clients that never read, 4 s
    local port=$1 peak_cmd=$2 limit=$3 peak
    python3 "$HERE/pipeliners.py" "$LOOP" "$port" 200 4 || return 1
    peak=$($peak_cmd)
    echo "peak memory ${peak} KiB (limit ${limit} KiB)"
    [ "$peak" -le "$limit" ] || return 1
    web_200 "$port"
}

native_compare() { # the DNS logic built with tests/compare.zone vs knotd; unbound through a stub zone
    local zc="$CDIR/build/apps/zonec" bin="$TMP/compare/dns-server" pid="" kp up dp
    mkdir -p "$TMP/compare"
    [ -x "$zc" ] || { bad "native dns compare.zone" "missing $zc (make -C containers binaries)"; return; }
    if ! { "$zc" "$COMPARE_ZONE" "$TMP/zone.c" && cc -std=gnu11 -O2 -I"$APPS" -I"$CDIR/posix" -o "$bin" \
            "$CDIR/posix/dns-server.c" "$CDIR/posix/common.c" "$APPS/dns.c" "$APPS/dnsstats.c" "$TMP/zone.c"; } >"$TMP/cc.log" 2>&1; then
        bad "native dns built with compare.zone" "$(tail -c 300 "$TMP/cc.log")"; return
    fi
    dp=$(free_port)
    check "native dns (compare.zone) starts" start_native pid "$bin" --port "$dp" --bind "$LOOP"
    if knot_start kp "$COMPARE_ZONE" example.test >"$TMP/knot.out" 2>&1; then
        check "native dns answers match knotd's on compare.zone" dns_same_as_knot "$kp" "$dp"
        grep -E 'queries,' "$TMP/last" | sed 's/^/      /' || true
    else
        bad "knotd on compare.zone" "$(tr '\n' ' ' <"$TMP/knot.out")"
    fi
    if unbound_start up example.test "$dp" >"$TMP/unbound.out" 2>&1; then
        check "native dns: unbound resolves through a stub zone" unbound_resolves "$up" www.example.test A \
            'IN\s+A\s+192\.0\.2\.8[01]'
        check "native dns: unbound falls back to TCP for a truncated answer" unbound_tcp_fallback "$up" "$dp" \
            big.example.test
        check "native dns: unbound caches NXDOMAIN (answered with the server stopped)" \
            unbound_caches_nxdomain "$up" nope.example.test stops_on "$pid" TERM
    else
        bad "unbound with a stub zone" "$(tr '\n' ' ' <"$TMP/unbound.out")"
    fi
}

dns_workers() { # PID PORT: --workers 2 = two processes, each with its own SO_REUSEPORT socket;
    # all queries answered; the port stays exclusive (a second server, even with workers, exits 1)
    local pid=$1 port=$2 owners i ok=0 rc=0
    owners=$(ss -Hlunp "sport = :$port" | grep -o 'pid=[0-9]*' | sort -u | wc -l)
    [ "$owners" = 2 ] || { echo "UDP sockets of $owners processes on :$port"; ss -Hlunp "sport = :$port"; return 1; }
    [ "$(pgrep -P "$pid" | wc -l)" = 1 ] || { echo "workers of $pid: $(pgrep -P "$pid" | tr '\n' ' ')"; return 1; }
    for i in $(seq 1 20); do
        [ "$(dig @"$LOOP" -p "$port" www.cetic.be A +short +tries=2 +time=1)" = 10.0.0.5 ] && ok=$((ok + 1))
    done
    [ "$ok" = 20 ] || { echo "$ok of 20 answered"; return 1; }
    timeout 5 "$DNS_BIN" --port "$port" --bind "$LOOP" --workers 2 >/dev/null 2>&1 || rc=$?
    [ "$rc" = 1 ] || { echo "a second server with workers on the same port: exit $rc, expected 1"; return 1; }
}

workers_gone() { # PID: the worker of PID is gone too
    local w; w=$(cat "$TMP/workers" 2>/dev/null)
    for _ in $(seq 1 20); do kill -0 "$w" 2>/dev/null || return 0; sleep 0.05; done
    echo "worker $w still running"; return 1
}

native_tests() {
    local dp wp pid=""
    dp=$(free_port); wp=$(free_port)
    check "native dns usage error exit 2" usage_error "$DNS_BIN"
    check "native web usage error exit 2" usage_error "$WEB_BIN"
    check "native dns starts, prints ready line" start_native pid "$DNS_BIN" --port "$dp" --bind "$LOOP"
    local dns_pid=$pid
    dns_suite native "$dp"
    check "native dns SIGTERM -> exit 0 within 1 s" stops_on "$dns_pid" TERM

    local zone="big.test:x=10.0.0.1" i
    for i in $(seq 2 32); do zone+=",x=10.0.0.$i"; done
    dp=$(free_port)
    check "native dns --zone starts" start_native pid "$DNS_BIN" --port "$dp" --bind "$LOOP" --zone "$zone"
    check "native dns TC without EDNS, 32 answers with it" dns_tc "$dp"
    check "native dns SIGINT -> exit 0 within 1 s" stops_on "$pid" INT

    dp=$(free_port)
    check "native dns --workers 2 starts" start_native pid "$DNS_BIN" --port "$dp" --bind "$LOOP" --workers 2
    check "native dns --workers 2: two SO_REUSEPORT sockets, all answered, port exclusive" dns_workers "$pid" "$dp"
    pgrep -P "$pid" >"$TMP/workers" || true
    check "native dns --workers 2 SIGTERM -> exit 0 within 1 s" stops_on "$pid" TERM
    check "native dns --workers 2: the worker stops with it" workers_gone

    if [ -n "$(ip -6 addr show dev lo 2>/dev/null)" ]; then
        dp=$(free_port)
        check "native dns on ::1 starts" start_native pid "$DNS_BIN" --port "$dp" --bind ::1
        check "native dns over IPv6" ipv6_dns "$dp"
        check "native dns SIGTERM -> exit 0 within 1 s" stops_on "$pid" TERM
    fi

    check "native web starts, prints ready line" start_native pid "$WEB_BIN" --port "$wp" --bind "$LOOP"
    local web_pid=$pid
    web_suite native "$wp"
    check "native web SIGTERM -> exit 0 within 1 s" stops_on "$web_pid" TERM

    wp=$(free_port)
    check "native web --max-conns 50 starts" start_native pid "$WEB_BIN" --port "$wp" --bind "$LOOP" \
        --max-conns 50
    check "native web half-open flood: oldest evicted, new client served" web_flood "$wp"
    check "native web SIGTERM -> exit 0 within 1 s" stops_on "$pid" TERM
    wp=$(free_port)
    check "native web --idle-timeout 1 starts" start_native pid "$WEB_BIN" --port "$wp" --bind "$LOOP" \
        --idle-timeout 1
    check "native web idle connection closed after timeout" web_idle "$wp"
    check "native web SIGTERM -> exit 0 within 1 s" stops_on "$pid" TERM
    wp=$(free_port)
    check "native web --header-timeout 1 --max-idle 5 starts" start_native pid "$WEB_BIN" --port "$wp" \
        --bind "$LOOP" --header-timeout 1 --max-idle 5
    check "native web slowloris: 408 and close after the head deadline" web_slowloris "$wp"
    check "native web idle keep-alive cap: the longest idle closed first" web_idle_cap "$wp"
    check "native web SIGTERM -> exit 0 within 1 s" stops_on "$pid" TERM
    wp=$(free_port)
    check "native web starts (non-readers)" start_native pid "$WEB_BIN" --port "$wp" --bind "$LOOP"
    NATIVE_WEB_PID=$pid
    check "native web 200 pipelining non-readers: peak RSS <= 16 MiB, still serving" web_nonreaders "$wp" \
        native_peak_kb 16384
    check "native web SIGTERM -> exit 0 within 1 s" stops_on "$pid" TERM
    native_compare
}

native_peak_kb() { awk '/VmHWM/ {print $2}' "/proc/$NATIVE_WEB_PID/status"; }
container_peak_kb() { echo $(($(cat "/sys/fs/cgroup/memory/docker/$CONTAINER_WEB_ID/memory.max_usage_in_bytes") / 1024)); }

# ------------------------------------------------------------------ containers

wait_dns() { # PORT: first correct answer within 10 s
    for _ in $(seq 1 100); do
        dig @"$LOOP" -p "$1" www.cetic.be A +tries=1 +time=1 +short 2>/dev/null | grep -qx 10.0.0.5 && return 0
        sleep 0.1
    done
    return 1
}
wait_web() {
    for _ in $(seq 1 100); do
        curl -s --max-time 1 "http://$LOOP:$1/" 2>/dev/null | grep -q unibench && return 0
        sleep 0.1
    done
    return 1
}
run_container() { # OUTVAR ARGS... (docker run -d ... ) ; records the id
    local _var=$1; shift
    local _id
    _id=$(docker run -d --label unibench.test=1 "$@") || return 1
    CIDS+=("$_id")
    printf -v "$_var" '%s' "$_id"
}
container_ready_line() { # CID SERVICE
    local logs; logs=$(docker logs "$1" 2>&1)
    [ "$logs" = "unibench: $2 ready" ] || { echo "logs: $logs"; return 1; }
}
ct_dns_procs() { # CID N: N dns-server processes in the container (workers = granted CPUs)
    local n; n=$(docker top "$1" -o pid,comm | awk '$2 == "dns-server"' | wc -l)
    [ "$n" = "$2" ] || { echo "$n dns-server processes, expected $2"; docker top "$1"; return 1; }
}
docker_stop_fast() { # CID: docker stop returns within 3 s (ignoring SIGTERM would take the 10 s grace)
    local t0 t1
    t0=$(ms_now)
    docker stop -t 10 "$1" >/dev/null
    t1=$(ms_now)
    echo "docker stop took $((t1 - t0)) ms"
    [ $((t1 - t0)) -lt 3000 ]
}
exit_code_zero() { # CID (not --rm)
    local rc; rc=$(timeout 10 docker wait "$1")
    [ "$rc" = 0 ] || { echo "exit code $rc"; return 1; }
}
image_labels() { # IMAGE SERVICE
    local l; l=$(docker image inspect -f '{{index .Config.Labels "unibench.service"}} {{index .Config.Labels "org.opencontainers.image.title"}}' "$1")
    [ "$l" = "$2 unibench-$2" ] || { echo "labels: $l"; return 1; }
}

container_tests() {
    if ! docker info >/dev/null 2>&1; then bad "docker daemon reachable"; return; fi
    local img
    for img in unibench/dns:$TAG unibench/web:$TAG; do
        if ! docker image inspect "$img" >/dev/null 2>&1; then
            bad "image $img exists" "run make -C containers first"; return
        fi
    done
    check "image unibench/dns:$TAG labels" image_labels unibench/dns:$TAG dns
    check "image unibench/web:$TAG labels" image_labels unibench/web:$TAG web

    local dp wp cid=""
    dp=$(free_port); wp=$(free_port)
    check "container dns starts" run_container cid --rm --init -p "$LOOP:$dp:53/udp" -p "$LOOP:$dp:53/tcp" \
        unibench/dns:$TAG
    local dns_cid=$cid
    check "container dns answers" wait_dns "$dp"
    check "container dns ready line" container_ready_line "$dns_cid" dns
    dns_suite container "$dp"
    check "container dns docker stop within 3 s" docker_stop_fast "$dns_cid"

    check "container web starts" run_container cid --rm --init -p "$LOOP:$wp:80/tcp" unibench/web:$TAG
    local web_cid=$cid
    check "container web answers" wait_web "$wp"
    check "container web ready line" container_ready_line "$web_cid" web
    web_suite container "$wp"
    check "container web docker stop within 3 s" docker_stop_fast "$web_cid"

    wp=$(free_port)
    check "container web (128M, non-readers) starts" run_container cid --rm --init -m 128m -p "$LOOP:$wp:80/tcp" \
        unibench/web:$TAG
    CONTAINER_WEB_ID=$cid
    check "container web answers" wait_web "$wp"
    if [ -r "/sys/fs/cgroup/memory/docker/$cid/memory.max_usage_in_bytes" ]; then
        check "container web 200 pipelining non-readers: cgroup peak <= 24 MiB, still serving" web_nonreaders \
            "$wp" container_peak_kb 24576
    else
        bad "container web memory peak readable" "no /sys/fs/cgroup/memory/docker/$cid (cgroup v1 layout expected)"
    fi
    check "container web docker stop within 3 s" docker_stop_fast "$cid"

    # Without --init the server is PID 1: it must still handle SIGTERM itself and exit 0.
    dp=$(free_port)
    check "container dns (no --init) starts" run_container cid -p "$LOOP:$dp:53/udp" unibench/dns:$TAG
    check "container dns (no --init) answers" wait_dns "$dp"
    check "container dns (no --init) docker stop within 3 s" docker_stop_fast "$cid"
    check "container dns (no --init) exit code 0" exit_code_zero "$cid"
    docker rm "$cid" >/dev/null 2>&1 || true

    # SO_REUSEPORT workers follow the CPUs granted: --cpus 1 one process, --cpus 2 two
    local c
    for c in 1 2; do
        dp=$(free_port)
        check "container dns --cpus $c starts" run_container cid --init --cpus "$c" -p "$LOOP:$dp:53/udp" unibench/dns:$TAG
        check "container dns --cpus $c answers" wait_dns "$dp"
        check "container dns --cpus $c: $c dns-server process(es)" ct_dns_procs "$cid" "$c"
        check "container dns --cpus $c docker stop within 3 s" docker_stop_fast "$cid"
        check "container dns --cpus $c exit code 0" exit_code_zero "$cid"
        docker rm "$cid" >/dev/null 2>&1 || true
    done
}

for f in "$DNS_BIN" "$WEB_BIN" "$UDPSEND"; do
    [ -x "$f" ] || { echo "missing $f: run make -C containers binaries tools"; exit 1; }
done
native_tests
container_tests
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
