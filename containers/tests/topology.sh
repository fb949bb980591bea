#!/usr/bin/env bash
# The study's DMZ topology with the FROM-scratch containers only, wired by this script
# itself (root): containers started with --network none, one lab namespace holding three
# bridges (external, firewall link, DMZ), a veth per container interface, a client
# namespace on the external segment:
#
#   client 192.168.100.100 --ext-- .254 firewall .3 --link-- .2 router .254 --dmz-- web .5, dns .100
#
# Router and firewall forward with the kernel of their namespace (--sysctl
# net.ipv4.ip_forward=1); the firewall's rules come from its image (`/firewall --print-nft`,
# the same compiled rule file as the unikernel) and are loaded into its namespace only.
# Same checks as unikernels/tests/topology.sh. Containers are named and labelled as this
# test's; nothing else is touched. Usage: bash tests/topology.sh   (after make; TAG as make)
set -euo pipefail

cd "$(dirname "$0")/.."
TAG=${UNIBENCH_IMAGE_TAG:-latest}
[ "$(id -u)" = 0 ] || { echo "FAIL container topology: needs root (namespaces, nsenter)" >&2; exit 1; }
for tool in docker ip nsenter nft dig curl ping traceroute; do
    command -v "$tool" >/dev/null || { echo "FAIL container topology: missing tool $tool" >&2; exit 1; }
done
for s in dns web router firewall; do
    docker image inspect "unibench/$s:$TAG" >/dev/null 2>&1 || { echo "missing image unibench/$s:$TAG: run make first" >&2; exit 1; }
done

ID=$$
LAB=ubctopo-$ID
CLIENT=ubctopo-$ID-client
PASS=0
FAIL=0
NAMES=()

cleanup() {
    local n
    for n in "${NAMES[@]}"; do docker rm -f "$n" >/dev/null 2>&1 || true; done
    ip netns del "$CLIENT" 2>/dev/null || true
    ip netns del "$LAB" 2>/dev/null || true
    rm -rf "/etc/netns/$CLIENT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok   container topology: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL container topology: $*"; }
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

# ctr NAME SERVICE "DOCKER OPTS" "ADDR@BRIDGE ..." "ROUTE ..." [args...]
N=0
ctr() {
    local name=ubctopo-$ID-$1 svc=$2 opts=$3 ifs=$4 routes=$5 pid i=0 spec addr br
    shift 5
    # shellcheck disable=SC2086
    docker run -d --name "$name" --label unibench.test=topology --network none --init $opts \
        "unibench/$svc:$TAG" "$@" >/dev/null
    NAMES+=("$name")
    pid=$(docker inspect -f '{{.State.Pid}}' "$name")
    for spec in $ifs; do
        addr=${spec%@*}
        br=${spec#*@}
        ip -n "$LAB" link add "v$N$i" type veth peer name "eth$i" netns "/proc/$pid/ns/net"
        inlab ip link set "v$N$i" master "$br" up
        nsenter -t "$pid" -n ip addr add "$addr" dev "eth$i"
        nsenter -t "$pid" -n ip link set "eth$i" up
        i=$((i + 1))
    done
    for spec in $routes; do
        # shellcheck disable=SC2086
        nsenter -t "$pid" -n ip route add ${spec/@/ via }
    done
    N=$((N + 1))
}
FWD="--sysctl net.ipv4.ip_forward=1"
ctr firewall firewall "$FWD --cap-add NET_ADMIN" "192.168.100.254/24@br-ext 192.168.101.3/29@br-link" \
    "10.0.0.0/24@192.168.101.2" --nflog-group 1
ctr router router "$FWD" "192.168.101.2/29@br-link 10.0.0.254/24@br-dmz" "default@192.168.101.3"
ctr dns dns "" "10.0.0.100/24@br-dmz" "default@10.0.0.254" --port 53
ctr web web "" "10.0.0.5/24@br-dmz" "default@10.0.0.254" --port 80
FWPID=$(docker inspect -f '{{.State.Pid}}' "ubctopo-$ID-firewall")
docker exec "ubctopo-$ID-firewall" /firewall --print-nft --nflog-group 1 | nsenter -t "$FWPID" -n nft -f -
check "firewall rules loaded into the firewall's namespace only" \
    bash -c 'nsenter -t "$1" -n nft list ruleset | grep -q "log group 1 drop" && ! nft list tables 2>/dev/null | grep -q unibench_firewall' _ "$FWPID"

for name in firewall router dns web; do
    for ((i = 0; i < 100; i++)); do
        docker logs "ubctopo-$ID-$name" 2>&1 | grep -q "unibench: $name ready" && break
        sleep 0.05
    done
    check "$name ready" bash -c 'docker logs "$1" 2>&1 | grep -q "unibench: $2 ready"' _ "ubctopo-$ID-$name" "$name"
done

out=$(client dig @10.0.0.100 www.cetic.be A +tries=5 +time=1 2>&1 || true)
check "dig @10.0.0.100 www.cetic.be through firewall and router -> 10.0.0.5" \
    grep -Eq "^www\.cetic\.be\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.0\.0\.5" <<<"$out"
out=$(client curl -sS -m 10 --retry 3 --retry-all-errors -w '\n%{http_code}' http://www.cetic.be/ 2>&1 || true)
check "curl http://www.cetic.be/ (resolved through our DNS) -> 200 and the page" \
    bash -c '[ "$(tail -n 1 <<<"$1")" = 200 ] && grep -q unibench <<<"$1"' _ "$out"
out=$(client ping -c 3 -i 0.2 -W 1 10.0.0.5 2>&1 || true)
check "ping -c 3 10.0.0.5 -> 100 % loss" grep -q "100% packet loss" <<<"$out"
sleep 0.3
check "firewall logs 'dropped ping from 192.168.100.100'" \
    bash -c 'docker logs "$1" 2>&1 | grep -q "unibench: firewall: dropped ping from 192.168.100.100"' _ "ubctopo-$ID-firewall"
check "firewall log is rate-limited (at most 2 lines for 3 pings, the count on the second)" \
    bash -c 'sleep 1.2; l=$(docker logs "$1" 2>&1 | grep "dropped ping"); [ "$(grep -c . <<<"$l")" -le 2 ] && { [ "$(grep -c . <<<"$l")" = 1 ] || grep -q "(2 since the last line)" <<<"$l"; }' _ "ubctopo-$ID-firewall"
out=$(client ping -c 1 -t 1 -W 2 10.0.0.5 2>&1 || true)
check "TTL 1 -> time-exceeded from the firewall (192.168.100.254)" \
    grep -Eq "From 192\.168\.100\.254.*(Time to live exceeded|Time exceeded)" <<<"$out"
out=$(client traceroute -n -q 1 -w 2 -m 2 10.0.0.5 2>&1 || true)
check "traceroute (UDP) shows the firewall (192.168.100.254) and router (192.168.101.2) hops" \
    bash -c 'grep -Eq "^ *1 +192\.168\.100\.254 " <<<"$1" && grep -Eq "^ *2 +192\.168\.101\.2 " <<<"$1" || { sed "s/^/     /" <<<"$1"; false; }' _ "$out"
out=$(client traceroute -n -T -p 80 -q 1 -w 2 -m 5 10.0.0.5 2>&1 || true)
check "traceroute -T -p 80: firewall, router, then web (10.0.0.5)" \
    bash -c 'grep -Eq "^ *1 +192\.168\.100\.254 " <<<"$1" && grep -Eq "^ *2 +192\.168\.101\.2 " <<<"$1" && grep -Eq "^ *3 +10\.0\.0\.5 " <<<"$1" || { sed "s/^/     /" <<<"$1"; false; }' _ "$out"
out=$(client bash -c 'for i in $(seq 1 200); do echo "www.cetic.be A"; done' | client dig @10.0.0.100 -f - +short +tries=3 +time=1 2>&1 | grep -c "^10\.0\.0\.5$" || true)
check "200 DNS queries through the chain, 200 answers ($out)" test "$out" = 200
out=$(client bash -c 'n=0; for i in $(seq 1 50); do c=$(curl -s -o /dev/null -m 5 -w "%{http_code}" http://10.0.0.5/); [ "$c" = 200 ] && n=$((n+1)); done; echo $n' 2>&1 || true)
check "50 HTTP requests through the chain, 50 x 200 ($out)" test "$out" = 50
docker logs "ubctopo-$ID-firewall" 2>&1 | sed 's/^/     firewall log: /'

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
