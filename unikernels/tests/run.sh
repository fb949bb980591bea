#!/usr/bin/env bash
# Boot tests for the unibench unikernels under real QEMU (KVM when /dev/kvm opens, and TCG),
# on microvm and on pc + qboot, with user networking forwarded to free ports on 127.0.0.1.
# Checks DNS answers (dig, kdig; UDP and TCP), the answers of a build from tests/compare.zone
# against knotd on the same zone (tests/dnsdiff.py), unbound resolving through a stub zone,
# HTTP (curl, raw requests, wrk, slowloris), the apps' malformed-input corpus, Ethernet-level
# attacks (tests/l2test.py), bad command lines (clear error, no reset loop) and idle CPU. Stops
# only the processes it started. Usage: bash tests/run.sh   (from unikernels/, after make)
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=build
CORPUS=apps/tests/corpus
MO="x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off,ioapic2=off"
CMDLINE="ip=10.0.2.15/24 gw=10.0.2.2"
TMP=$(mktemp -d /tmp/unibench-uk-test.XXXXXX)
PIDS=()
PASS=0
FAIL=0

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
check() { # check "description" command...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

. tests/dnslib.sh

for tool in qemu-system-x86_64 dig kdig knotd unbound curl wrk python3; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
for f in "$BUILD/dns.elf" "$BUILD/web.elf" "$BUILD/tools/dnsprobe"; do
    [ -e "$f" ] || { echo "missing $f: run make first" >&2; exit 1; }
done

free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        if ! ss -Htanu 2>/dev/null | awk '{print $5}' | grep -q ":$p\$"; then
            echo "$p"
            return
        fi
    done
}

# boot SVC MACHINE ACCEL APPEND FWD -> sets VM_PID, VM_LOG
boot() {
    local svc=$1 mach=$2 accel=$3 append=$4 fwd=$5 m dev
    if [ "$mach" = pc ]; then
        m=(-M pc -bios /usr/share/qemu/qboot.rom)
        dev=virtio-net-pci
    else
        m=(-M "microvm,$MO")
        dev=virtio-net-device
    fi
    VM_LOG="$TMP/$svc-$mach-$accel-$RANDOM.log"
    qemu-system-x86_64 "${m[@]}" -accel "$accel" -m 8M -kernel "$BUILD/$svc.elf" -append "$append" \
        -netdev "user,id=n0,$fwd" -device "$dev,netdev=n0" \
        -display none -nodefaults -serial "file:$VM_LOG" -no-reboot >"$VM_LOG.qemu" 2>&1 &
    VM_PID=$!
    PIDS+=("$VM_PID")
}

wait_log() { # wait_log LOG PATTERN SECONDS
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

cpu_ticks() { # utime + stime of a pid, in clock ticks
    awk '{print $14 + $15}' "/proc/$1/stat"
}

dig_q() { # dig_q PORT NAME [TYPE]
    dig @127.0.0.1 -p "$1" "$2" "${3:-A}" +norecurse +tries=5 +time=1
}

test_dns() { # test_dns MACH ACCEL
    local tag="dns $1/$2" port out f
    port=$(free_port)
    boot dns "$1" "$2" "$CMDLINE" "hostfwd=udp:127.0.0.1:$port-:53,hostfwd=tcp:127.0.0.1:$port-:53"
    local pid=$VM_PID log=$VM_LOG
    if ! wait_log "$log" "unibench: dns ready" 10; then
        bad "$tag: ready line (log: $(tr '\n' ' ' <"$log"))"
        stop "$pid"
        return
    fi
    ok "$tag: ready line"
    out=$(dig_q "$port" www.cetic.be A || true)
    check "$tag: www.cetic.be A 10.0.0.5, authoritative" \
        bash -c 'grep -q "status: NOERROR" <<<"$1" && grep -q "flags:.* aa" <<<"$1" && grep -Eq "^www\.cetic\.be\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.0\.0\.5" <<<"$1"' _ "$out"
    out=$(dig_q "$port" nope.cetic.be A || true)
    check "$tag: NXDOMAIN" grep -q "status: NXDOMAIN" <<<"$out"
    out=$(dig_q "$port" www.example.org A || true)
    check "$tag: REFUSED outside the zone" grep -q "status: REFUSED" <<<"$out"
    out=$(dig_q "$port" www.cetic.be AAAA || true)
    check "$tag: AAAA is NOERROR with no answer" \
        bash -c 'grep -q "status: NOERROR" <<<"$1" && grep -q "ANSWER: 0" <<<"$1"' _ "$out"
    check "$tag: NXDOMAIN and NODATA carry the SOA" dns_negative_soa "$port"
    check "$tag: TCP (dig +tcp; kdig, 3 queries on one connection)" dns_tcp "$port"
    if [ "$1" = microvm ] && compgen -G "$CORPUS/*.dns" >/dev/null; then
        for f in "$CORPUS"/*.dns; do
            cat "$f" >"/dev/udp/127.0.0.1/$port" || true
        done
        out=$(dig_q "$port" www.cetic.be A || true)
        check "$tag: still answers after $(ls "$CORPUS"/*.dns | wc -l) malformed queries" \
            grep -q "10\.0\.0\.5" <<<"$out"
    fi
    check "$tag: no output per request" test "$(grep -c . "$log")" -le 4
    stop "$pid"
}

http_raw() { # http_raw PORT FILE [SECONDS] -> first status line
    timeout "${3:-10}" bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; cat "$2" >&3; head -n 1 <&3' _ "$1" "$2" 2>/dev/null | tr -d '\r' || true
}

test_web() { # test_web MACH ACCEL
    local tag="web $1/$2" port out f want got n_bad=0 n=0
    port=$(free_port)
    boot web "$1" "$2" "$CMDLINE" "hostfwd=tcp:127.0.0.1:$port-:80"
    local pid=$VM_PID log=$VM_LOG
    if ! wait_log "$log" "unibench: web ready" 10; then
        bad "$tag: ready line (log: $(tr '\n' ' ' <"$log"))"
        stop "$pid"
        return
    fi
    ok "$tag: ready line"
    out=$(curl -sS -m 10 --retry 3 --retry-all-errors -w '\n%{http_code}' "http://127.0.0.1:$port/" 2>&1 || true)
    check "$tag: GET / is 200 with the page" \
        bash -c '[ "$(tail -n 1 <<<"$1")" = 200 ] && grep -q unibench <<<"$1"' _ "$out"
    out=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/missing" 2>&1 || true)
    check "$tag: GET /missing is 404" test "$out" = 404
    printf 'GARBAGE\r\n\r\n' >"$TMP/garbage.http"
    out=$(http_raw "$port" "$TMP/garbage.http")
    check "$tag: malformed request is 400" grep -q "^HTTP/1\.[01] 400" <<<"$out"
    # --timeout 10s: QEMU's user networking listens with a backlog of 1, so some of the 100
    # connections are only accepted after the host kernel's 1 s SYN-ACK retry.
    out=$(wrk -t1 -c100 -d3s --timeout 10s "http://127.0.0.1:$port/" 2>&1 || true)
    check "$tag: wrk -c100 3s without socket errors ($(awk '/Requests\/sec/ {print $2}' <<<"$out") req/s)" \
        bash -c '! grep -q "Socket errors" <<<"$1" && ! grep -q "Non-2xx" <<<"$1" && grep -Eq "^ +[1-9][0-9]* requests in" <<<"$1"' _ "$out"
    if [ "$1" = microvm ] && compgen -G "$CORPUS/*.http" >/dev/null; then
        for f in "$CORPUS"/*.http; do
            n=$((n + 1))
            want=$(basename "$f" | cut -d- -f1)
            if [ "$want" = none ]; then # incomplete request: no answer, connection kept
                got=$(http_raw "$port" "$f" 2)
                [ -z "$got" ] && continue
            else
                got=$(http_raw "$port" "$f")
            fi
            if ! grep -q "^HTTP/1\.[01] $want" <<<"$got"; then
                n_bad=$((n_bad + 1))
                echo "     $(basename "$f"): got '$got'"
            fi
        done
        check "$tag: corpus, $n raw requests answered with the expected status" test "$n_bad" = 0
        out=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" 2>&1 || true)
        check "$tag: still serves after the corpus" test "$out" = 200
    fi
    check "$tag: no output per request" test "$(grep -c . "$log")" -le 4
    stop "$pid"
}

test_bad_cmdline() { # test_bad_cmdline MACH ACCEL APPEND EXPECT
    local tag="bad command line '$3' on $1/$2"
    boot dns "$1" "$2" "$3" "hostfwd=udp:127.0.0.1:$(free_port)-:53"
    local pid=$VM_PID log=$VM_LOG
    if wait_log "$log" "unibench: error: .*$4" 10; then
        ok "$tag: error line"
    else
        bad "$tag: error line (log: $(tr '\n' ' ' <"$log"))"
    fi
    sleep 1
    check "$tag: halted, no reset loop" \
        bash -c 'kill -0 "$1" && [ "$(grep -c "unibench: clock\|unibench: error" "$2")" = 1 ]' _ "$pid" "$log"
    stop "$pid"
}

test_protection() { # test_protection ACCEL: fault=WHAT on the command line must be caught and reported
    local f want pid log
    for f in null write-text exec-data write-pagetable stack-overflow stack-smash; do
        case $f in
        stack-smash) want="stack smashing detected" ;;
        *) want="CPU exception 14 (page fault)" ;;
        esac
        boot dns microvm "$1" "$CMDLINE fault=$f" "hostfwd=udp:127.0.0.1:$(free_port)-:53"
        pid=$VM_PID log=$VM_LOG
        if wait_log "$log" "unibench: error: $want" 10; then
            ok "memory protection microvm/$1: fault=$f is caught ($(grep -o 'error=0x[0-9a-f]* cr2=0x[0-9a-f]*' "$log" || echo "$want"))"
        else
            bad "memory protection microvm/$1: fault=$f (log: $(tr '\n' ' ' <"$log"))"
        fi
        stop "$pid"
    done
}

test_zone() { # test_zone ACCEL: zone= on the command line replaces the default zone
    local tag="dns zone= on microvm/$1" port out
    port=$(free_port)
    boot dns microvm "$1" "$CMDLINE zone=example.org:@=192.0.2.1,www=192.0.2.2" "hostfwd=udp:127.0.0.1:$port-:53"
    local pid=$VM_PID log=$VM_LOG
    if wait_log "$log" "unibench: dns ready" 10; then
        out=$(dig_q "$port" www.example.org A || true)
        check "$tag: www.example.org A 192.0.2.2" grep -Eq "IN[[:space:]]+A[[:space:]]+192\.0\.2\.2" <<<"$out"
        out=$(dig_q "$port" www.cetic.be A || true)
        check "$tag: the default zone is gone (REFUSED)" grep -q "status: REFUSED" <<<"$out"
    else
        bad "$tag: ready line (log: $(tr '\n' ' ' <"$log"))"
    fi
    stop "$pid"
}

test_dns_compare() { # test_dns_compare ACCEL: a build from tests/compare.zone vs knotd; unbound on top
    local tag="dns compare.zone microvm/$1" port kp up
    if ! make -s BUILD=build/compare ZONE="$PWD/tests/compare.zone" build/compare/dns.elf >"$TMP/cmp-make.log" 2>&1; then
        bad "$tag: build with ZONE=tests/compare.zone ($(tail -n 2 "$TMP/cmp-make.log" | tr '\n' ' '))"
        return
    fi
    port=$(free_port)
    VM_LOG="$TMP/dns-compare-$1.log"
    qemu-system-x86_64 -M "microvm,$MO" -accel "$1" -m 8M -kernel build/compare/dns.elf -append "$CMDLINE" \
        -netdev "user,id=n0,hostfwd=udp:127.0.0.1:$port-:53,hostfwd=tcp:127.0.0.1:$port-:53" \
        -device virtio-net-device,netdev=n0 -display none -nodefaults -serial "file:$VM_LOG" -no-reboot \
        >/dev/null 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    if ! wait_log "$VM_LOG" "unibench: dns ready" 10; then
        bad "$tag: ready line (log: $(tr '\n' ' ' <"$VM_LOG"))"
        stop "$pid"
        return
    fi
    if knot_start kp "$COMPARE_ZONE" example.test >"$TMP/knot.out" 2>&1; then
        check "$tag: answers match knotd's ($(grep -c '^[^#]' "$COMPARE_QUERIES") queries of tests/compare.queries)" \
            dns_same_as_knot "$kp" "$port"
    else
        bad "$tag: knotd: $(tr '\n' ' ' <"$TMP/knot.out")"
    fi
    if unbound_start up example.test "$port" >"$TMP/unbound.out" 2>&1; then
        check "$tag: unbound resolves through a stub zone" unbound_resolves "$up" www.example.test A 'IN\s+A\s+192\.0\.2\.8[01]'
        check "$tag: unbound falls back to TCP for a truncated answer" unbound_tcp_fallback "$up" "$port" big.example.test
        check "$tag: unbound caches NXDOMAIN (still answered with the unikernel stopped)" \
            unbound_caches_nxdomain "$up" nope.example.test stop "$pid"
    else
        bad "$tag: unbound: $(tr '\n' ' ' <"$TMP/unbound.out")"
    fi
    stop "$pid"
}

test_l2() { # test_l2 SVC ACCEL: Ethernet frames over a UDP socket netdev (tests/l2test.py)
    local qp mp ready=$TMP/l2-ready-$RANDOM rc=0 py line i
    qp=$(free_port)
    mp=$(free_port)
    python3 tests/l2test.py "$1" "$qp" "$mp" "$ready" >"$TMP/l2.out" 2>&1 &
    py=$!
    for ((i = 0; i < 200; i++)); do [ -e "$ready" ] && break; sleep 0.05; done
    VM_LOG="$TMP/l2-$1-$2.log"
    qemu-system-x86_64 -M "microvm,$MO" -accel "$2" -m 8M -kernel "$BUILD/$1.elf" -append "$CMDLINE" \
        -netdev "socket,id=n0,udp=127.0.0.1:$mp,localaddr=127.0.0.1:$qp" -device virtio-net-device,netdev=n0 \
        -display none -nodefaults -serial "file:$VM_LOG" -no-reboot >/dev/null 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait "$py" || rc=$?
    while read -r line; do
        case $line in
        "ok   "*) ok "$1 microvm/$2: ${line#ok   }" ;;
        "FAIL "*) bad "$1 microvm/$2: ${line#FAIL }" ;;
        esac
    done <"$TMP/l2.out"
    if [ "$rc" != 0 ] && ! grep -q "^FAIL" "$TMP/l2.out"; then
        bad "$1 microvm/$2: l2test.py exited $rc: $(tail -n 3 "$TMP/l2.out" | tr '\n' ' ')"
    fi
    stop "$pid"
}

test_idle() { # boots dns and web per accelerator, measures QEMU CPU over 10 s
    local accel pids=() logs=() names=() i t0 t1 ticks hz
    hz=$(getconf CLK_TCK)
    for accel in "${ACCELS[@]}"; do
        for svc in dns web; do
            boot "$svc" microvm "$accel" "$CMDLINE" "hostfwd=udp:127.0.0.1:$(free_port)-:53"
            pids+=("$VM_PID")
            logs+=("$VM_LOG")
            names+=("$svc microvm/$accel")
        done
    done
    for i in "${!pids[@]}"; do
        wait_log "${logs[$i]}" "ready" 10 || true
    done
    sleep 1
    declare -A start
    for i in "${!pids[@]}"; do
        start[$i]=$(cpu_ticks "${pids[$i]}")
    done
    sleep 10
    for i in "${!pids[@]}"; do
        ticks=$(($(cpu_ticks "${pids[$i]}") - ${start[$i]}))
        # < 1 % of a core over 10 s = < 0.1 s of CPU
        check "${names[$i]}: idle CPU $(awk -v t="$ticks" -v hz="$hz" 'BEGIN {printf "%.2f", t / hz / 10 * 100}') % of a core over 10 s" \
            test $((ticks * 10)) -lt "$hz"
        stop "${pids[$i]}"
    done
}

ACCELS=(tcg)
if (exec 9<>/dev/kvm) 2>/dev/null; then
    ACCELS=(kvm tcg)
else
    echo "note: KVM unavailable, testing TCG only"
fi

for accel in "${ACCELS[@]}"; do
    for mach in microvm pc; do
        test_dns "$mach" "$accel"
        test_web "$mach" "$accel"
    done
    test_bad_cmdline microvm "$accel" "bogus=1" "unknown option 'bogus=1'"
    test_bad_cmdline microvm "$accel" "gw=10.0.2.2" "missing ip="
    test_protection "$accel"
done
test_bad_cmdline pc "${ACCELS[0]}" "ip=10.0.2.300/24" "invalid ip="
test_bad_cmdline microvm "${ACCELS[0]}" "$CMDLINE zone=nonsense" "invalid zone="
test_zone "${ACCELS[0]}"
test_dns_compare "${ACCELS[0]}"
if command -v python3 >/dev/null; then
    for accel in "${ACCELS[@]}"; do
        test_l2 dns "$accel"
        test_l2 web "$accel"
    done
else
    bad "python3 missing: Ethernet-level tests (tests/l2test.py) not run"
fi
test_idle

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
