#!/usr/bin/env bash
# The study's DMZ topology with the unikernels only, wired by this script itself (root):
# one lab namespace holding three bridges (external, firewall link, DMZ) and a tap per VM
# interface, a client namespace on the external segment, four QEMU guests:
#
#   client 192.168.100.100 --ext-- .254 firewall .3 --link-- .2 router .254 --dmz-- web .5, dns .100
#
# From the client: DNS and HTTP through the chain, ping dropped and logged by the firewall,
# traceroute showing both hops, TTL 1 answered with time-exceeded, UDP and TCP passing.
# Everything lives in namespaces this script creates and removes; the host's default
# namespace gets nothing. Usage: bash tests/topology.sh [kvm|tcg]   (from unikernels/, after make)
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=build
MO="x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off,ioapic2=off"
ACCEL=${1:-}
if [ -z "$ACCEL" ]; then
    if (exec 9<>/dev/kvm) 2>/dev/null; then ACCEL=kvm; else ACCEL=tcg; fi
fi
[ "$(id -u)" = 0 ] || { echo "FAIL topology: needs root (network namespaces, taps)" >&2; exit 1; }
for tool in qemu-system-x86_64 ip dig curl ping traceroute; do
    command -v "$tool" >/dev/null || { echo "FAIL topology: missing tool $tool" >&2; exit 1; }
done
for s in dns web router firewall; do
    [ -e "$BUILD/$s.elf" ] || { echo "missing $BUILD/$s.elf: run make first" >&2; exit 1; }
done

LAB=ubtopo-$$
CLIENT=ubtopo-$$-client
TMP=$(mktemp -d /tmp/unibench-topology-test.XXXXXX)
PIDS=()
PASS=0
FAIL=0

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$CLIENT" 2>/dev/null || true
    ip netns del "$LAB" 2>/dev/null || true
    rm -rf "$TMP" "/etc/netns/$CLIENT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok   topology/$ACCEL: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL topology/$ACCEL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
inlab() { ip netns exec "$LAB" "$@"; }
client() { ip netns exec "$CLIENT" "$@"; }

ip netns add "$LAB"
ip netns add "$CLIENT"
inlab ip link set lo up
client ip link set lo up
n=0
for br in br-ext br-link br-dmz; do
    n=$((n + 1))
    # a fixed MAC: a bridge otherwise takes its lowest port's, and a guest that cached the old one loses its gateway
    inlab ip link add "$br" address "02:00:00:00:0$n:fe" type bridge
    inlab ip link set "$br" up
done
ip -n "$LAB" link add cport type veth peer name eth0 netns "$CLIENT"
inlab ip link set cport master br-ext up
client ip addr add 192.168.100.100/24 dev eth0
client ip link set eth0 up
client ip route add default via 192.168.100.254
mkdir -p "/etc/netns/$CLIENT"
echo "nameserver 10.0.0.100" >"/etc/netns/$CLIENT/resolv.conf"

# vm NAME APPEND BRIDGE... : one tap per interface, in -device order, unique MACs
N=0
vm() {
    local name=$1 append=$2 args=() i=0 br tap
    shift 2
    for br in "$@"; do
        tap="t$N$i"
        inlab ip tuntap add dev "$tap" mode tap
        inlab ip link set "$tap" master "$br" up
        args+=(-netdev "tap,id=n$i,ifname=$tap,script=no,downscript=no"
            -device "virtio-net-device,netdev=n$i,mac=02:00:00:00:0$N:0$i")
        i=$((i + 1))
    done
    ip netns exec "$LAB" qemu-system-x86_64 -M "microvm,$MO" -accel "$ACCEL" -m 8M -kernel "$BUILD/$name.elf" \
        -append "$append" "${args[@]}" -display none -nodefaults -serial "file:$TMP/$name.log" \
        -no-reboot >"$TMP/$name.qemu" 2>&1 &
    PIDS+=($!)
    N=$((N + 1))
}

vm firewall "ip=192.168.100.254/24 ip1=192.168.101.3/29 route=10.0.0.0/24:192.168.101.2" br-ext br-link
vm router "ip=192.168.101.2/29 ip1=10.0.0.254/24 gw=192.168.101.3" br-link br-dmz
vm dns "ip=10.0.0.100/24 gw=10.0.0.254" br-dmz
vm web "ip=10.0.0.5/24 gw=10.0.0.254" br-dmz

for name in firewall router dns web; do
    for ((i = 0; i < 200; i++)); do
        grep -q "unibench: $name ready" "$TMP/$name.log" 2>/dev/null && break
        sleep 0.05
    done
    check "$name ready" grep -q "unibench: $name ready" "$TMP/$name.log"
done

out=$(client dig @10.0.0.100 www.cetic.be A +tries=5 +time=1 2>&1 || true)
check "dig @10.0.0.100 www.cetic.be through firewall and router -> 10.0.0.5" \
    grep -Eq "^www\.cetic\.be\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.0\.0\.5" <<<"$out"
out=$(client curl -sS -m 10 --retry 3 --retry-all-errors -w '\n%{http_code}' http://www.cetic.be/ 2>&1 || true)
check "curl http://www.cetic.be/ (resolved through our DNS) -> 200 and the page" \
    bash -c '[ "$(tail -n 1 <<<"$1")" = 200 ] && grep -q unibench <<<"$1"' _ "$out"
out=$(client ping -c 3 -i 0.2 -W 1 10.0.0.5 2>&1 || true)
check "ping -c 3 10.0.0.5 -> 100 % loss" grep -q "100% packet loss" <<<"$out"
sleep 0.2
check "firewall logs 'dropped ping from 192.168.100.100'" \
    grep -q "unibench: firewall: dropped ping from 192.168.100.100" "$TMP/firewall.log"
check "firewall log is rate-limited (one line for 3 pings within a second, plus a count later)" \
    bash -c 'sleep 1.2; [ "$(grep -c "dropped ping" "$1")" -le 2 ]' _ "$TMP/firewall.log"
out=$(client ping -c 1 -t 1 -W 2 10.0.0.5 2>&1 || true)
check "TTL 1 -> time-exceeded from the firewall (192.168.100.254)" \
    grep -Eq "From 192\.168\.100\.254.*(Time to live exceeded|Time exceeded)" <<<"$out"
# UDP traceroute: the hops answer time-exceeded; web itself drops UDP to closed ports
# silently (no port-unreachable), so the TCP variant (SYN to port 80) shows the last hop.
out=$(client traceroute -n -q 1 -w 2 -m 2 10.0.0.5 2>&1 || true)
check "traceroute (UDP) shows the firewall (192.168.100.254) and router (192.168.101.2) hops" \
    bash -c 'grep -Eq "^ *1 +192\.168\.100\.254 " <<<"$1" && grep -Eq "^ *2 +192\.168\.101\.2 " <<<"$1" || { sed "s/^/     /" <<<"$1"; false; }' _ "$out"
out=$(client traceroute -n -T -p 80 -q 1 -w 2 -m 5 10.0.0.5 2>&1 || true)
check "traceroute -T -p 80: firewall, router, then web (10.0.0.5)" \
    bash -c 'grep -Eq "^ *1 +192\.168\.100\.254 " <<<"$1" && grep -Eq "^ *2 +192\.168\.101\.2 " <<<"$1" && grep -Eq "^ *3 +10\.0\.0\.5 " <<<"$1" || { sed "s/^/     /" <<<"$1"; false; }' _ "$out"
# UDP and TCP pass: 200 DNS queries and 50 HTTP requests, none lost
out=$(client bash -c 'for i in $(seq 1 200); do echo "www.cetic.be A"; done' | client dig @10.0.0.100 -f - +short +tries=3 +time=1 2>&1 | grep -c "^10\.0\.0\.5$" || true)
check "200 DNS queries through the chain, 200 answers ($out)" test "$out" = 200
out=$(client bash -c 'n=0; for i in $(seq 1 50); do c=$(curl -s -o /dev/null -m 5 -w "%{http_code}" http://10.0.0.5/); [ "$c" = 200 ] && n=$((n+1)); done; echo $n' 2>&1 || true)
check "50 HTTP requests through the chain, 50 x 200 ($out)" test "$out" = 50
check "router prints nothing per packet" test "$(grep -c . "$TMP/router.log")" -le 2
sed 's/^/     firewall console: /' "$TMP/firewall.log"
check "no stray traffic: the host's default namespace has no study address" \
    bash -c '! ip -4 addr | grep -Eq "192\.168\.10[01]\.|10\.0\.0\."'

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
