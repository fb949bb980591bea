# Shared DNS checks for unikernels/tests/run.sh and containers/tests/run.sh (sourced).
# Real servers and clients: knotd (the reference authoritative server), unbound (a resolver
# with a stub zone pointing at the server under test), dig/kdig over UDP and TCP.
# The caller provides: TMP (a scratch directory), PIDS (array of pids to kill on exit).
# Everything listens on 127.0.0.1 only.

DNSLIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COMPARE_ZONE=$DNSLIB_DIR/compare.zone
COMPARE_QUERIES=$DNSLIB_DIR/compare.queries

dnslib_port() { # a free port pair (UDP and TCP) of 127.0.0.1 below the ephemeral range
    local p
    for _ in $(seq 1 50); do
        p=$((15000 + RANDOM % 15000))
        if [ -z "$(ss -Htuan "sport = :$p" 2>/dev/null)" ]; then echo "$p"; return 0; fi
    done
    return 1
}

# knot_start OUTVAR ZONEFILE ORIGIN: knotd serving ZONEFILE on 127.0.0.1:PORT; sets OUTVAR=PORT.
knot_start() {
    local _var=$1 zone=$2 origin=$3 dir port i
    command -v knotd >/dev/null || { echo "knotd not found: install Debian's knot"; return 1; }
    dir=$(mktemp -d "$TMP/knot.XXXXXX")
    port=$(dnslib_port)
    cp "$zone" "$dir/zone"
    cat >"$dir/knot.conf" <<EOF
server:
    listen: [ 127.0.0.1@$port ]
    rundir: $dir
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: $dir
zone:
  - domain: $origin
    file: zone
EOF
    knotd -c "$dir/knot.conf" >"$dir/log" 2>&1 &
    PIDS+=("$!")
    for i in $(seq 1 100); do
        dig @127.0.0.1 -p "$port" "$origin" SOA +tries=1 +time=1 +norec 2>/dev/null | grep -q 'status: NOERROR' &&
            { printf -v "$_var" '%s' "$port"; return 0; }
        sleep 0.1
    done
    echo "knotd did not answer: $(cat "$dir/log")"
    return 1
}

# dns_same_as_knot KNOT_PORT PORT: every query of compare.queries answered alike (tests/dnsdiff.py)
dns_same_as_knot() {
    local out rc=0
    out=$(python3 "$DNSLIB_DIR/dnsdiff.py" "127.0.0.1:$1" "127.0.0.1:$2" "$COMPARE_QUERIES") || rc=$?
    grep -v '^same ' <<<"$out"
    return "$rc"
}

# dns_tcp PORT: RFC 7766: dig +tcp, then three queries pipelined on one kdig connection
dns_tcp() {
    local out n
    out=$(timeout 15 dig @127.0.0.1 -p "$1" www.cetic.be A +tcp +tries=2 +time=2 +norec)
    grep -q 'status: NOERROR' <<<"$out" && grep -Eq 'IN\s+A\s+10\.0\.0\.5' <<<"$out" || { echo "$out"; return 1; }
    out=$(timeout 15 kdig @127.0.0.1 -p "$1" +tcp +keepopen +norec www.cetic.be A cetic.be NS nope.cetic.be A 2>&1)
    n=$(grep -c '^;; ->>HEADER<<-' <<<"$out")
    [ "$n" = 3 ] && grep -q 'status: NXDOMAIN' <<<"$out" && grep -Eq 'cetic\.be\.\s+[0-9]+\s+IN\s+NS\s+ns1\.cetic\.be\.' <<<"$out" ||
        { echo "$out"; return 1; }
}

# dns_negative_soa PORT: NXDOMAIN and NODATA carry the zone's SOA in the authority section
dns_negative_soa() {
    local out t
    for t in "nope.cetic.be A" "www.cetic.be MX"; do
        out=$(timeout 15 dig @127.0.0.1 -p "$1" $t +norec +tries=3 +time=1)
        grep -q 'AUTHORITY: 1,' <<<"$out" && grep -Eq '^cetic\.be\.\s+300\s+IN\s+SOA\s+ns1\.cetic\.be\.' <<<"$out" ||
            { echo "$out"; return 1; }
    done
}

# unbound_start OUTVAR ORIGIN AUTH_PORT: unbound on 127.0.0.1:PORT with a stub zone for ORIGIN
# at 127.0.0.1:AUTH_PORT, a 512-byte EDNS buffer (so large answers come truncated over UDP and
# unbound must retry over TCP); sets OUTVAR=PORT.
unbound_start() {
    local _var=$1 origin=$2 auth=$3 dir port i
    command -v unbound >/dev/null || { echo "unbound not found: install Debian's unbound"; return 1; }
    dir=$(mktemp -d "$TMP/unbound.XXXXXX")
    port=$(dnslib_port)
    cat >"$dir/unbound.conf" <<EOF
server:
    interface: 127.0.0.1@$port
    port: $port
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/pid"
    use-syslog: no
    logfile: ""
    verbosity: 0
    do-ip6: no
    do-not-query-localhost: no
    edns-buffer-size: 512
    qname-minimisation: no
    module-config: "iterator"
    access-control: 127.0.0.0/8 allow
    num-threads: 1
    local-zone: "test." nodefault
stub-zone:
    name: "$origin"
    stub-addr: 127.0.0.1@$auth
    stub-first: no
EOF
    unbound -c "$dir/unbound.conf" >"$dir/log" 2>&1 &
    PIDS+=("$!")
    for i in $(seq 1 100); do
        ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && { printf -v "$_var" '%s' "$port"; return 0; }
        sleep 0.1
    done
    echo "unbound did not start: $(cat "$dir/log")"
    return 1
}

# unbound_resolves RESOLVER_PORT NAME TYPE PATTERN: a recursive query through unbound
unbound_resolves() {
    local out
    out=$(timeout 20 dig @127.0.0.1 -p "$1" "$2" "$3" +tries=2 +time=5)
    grep -Eq "$4" <<<"$out" || { echo "$out"; return 1; }
}

# unbound_tcp_fallback RESOLVER_PORT AUTH_PORT NAME: an answer too large for unbound's 512-byte
# buffer comes truncated over UDP; unbound retries over TCP (a TCP socket to AUTH_PORT shows it)
unbound_tcp_fallback() {
    local out
    out=$(timeout 20 dig @127.0.0.1 -p "$1" "$3" TXT +tries=2 +time=5)
    grep -q 'status: NOERROR' <<<"$out" && grep -q 'ANSWER: 3,' <<<"$out" || { echo "$out"; return 1; }
    ss -Htan "dport = :$2" | grep -q . || { echo "no TCP connection to port $2 seen"; return 1; }
}

# unbound_caches_nxdomain RESOLVER_PORT NAME STOP_COMMAND...: NXDOMAIN through unbound; then the
# authoritative server is stopped and the same question is still NXDOMAIN: cached (RFC 2308,
# possible only because the answer carried the zone's SOA)
unbound_caches_nxdomain() {
    local port=$1 name=$2
    shift 2
    unbound_resolves "$port" "$name" A 'status: NXDOMAIN' || return 1
    "$@" || return 1
    unbound_resolves "$port" "$name" A 'status: NXDOMAIN'
}
