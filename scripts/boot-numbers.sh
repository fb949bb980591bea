#!/usr/bin/env bash
# Issue 17 boot numbers in one run, all traffic on 127.0.0.1 (no root needed):
#
#   1. QEMU's own start, the floor: the null guest (unikernels/build/tools/nullguest.elf writes one
#      byte on COM1 and resets at once), spawn -> first console byte and spawn -> exit
#      (tools/firstbyte), per QEMU variant, and the CPU time QEMU used until that byte. No guest work
#      is in it: a unikernel cannot boot faster on this host.
#   2. The DNS unikernel, spawn -> first correct answer through slirp's 127.0.0.1 forward (dnsprobe,
#      a query every ms), per variant: BEFORE's image with BEFORE's QEMU options, this tree's image
#      with the old options, this tree's image with its options (what the qemu backend runs now),
#      and candidates; with the guest's own boot stamps (its TSC: entry -> clock calibrated ->
#      devices up -> service bound).
#   3. The product path: 'unibench bench boot --backend both --cold BOOTS': the breakdown recorded in
#      boot-events.csv (start -> guest entry on the host clock, the guest's own steps, the rest to the
#      first answer) and the container / unikernel ratio.
#
# Boots of all variants are interleaved, the order alternating (the host's load drifts; a boot just
# after another VM's teardown pays for part of it). Medians over BOOTS boots each.
#
#   scripts/boot-numbers.sh [-n BOOTS] [-b BEFORE_REF]     (default 20 boots, BEFORE 593c8bd; ~3 min)
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
BOOTS=20
BEFORE=593c8bd
while getopts "n:b:" o; do
    case $o in
    n) BOOTS=$OPTARG ;;
    b) BEFORE=$OPTARG ;;
    *) echo "usage: $0 [-n boots] [-b before-ref]" >&2; exit 2 ;;
    esac
done
[[ "$BOOTS" =~ ^[1-9][0-9]*$ ]] || { echo "boot-numbers.sh: -n wants a positive number of boots" >&2; exit 2; }
for t in qemu-system-x86_64 docker python3 make gcc git; do
    command -v "$t" >/dev/null || { echo "boot-numbers.sh: missing tool $t" >&2; exit 1; }
done
git rev-parse --verify -q "$BEFORE^{commit}" >/dev/null || { echo "boot-numbers.sh: unknown ref '$BEFORE'" >&2; exit 2; }
(exec 9<>/dev/kvm) 2>/dev/null || { echo "boot-numbers.sh: /dev/kvm is not usable: these are KVM numbers" >&2; exit 1; }
TAG=${UNIBENCH_IMAGE_TAG:-latest}
BACKENDS=both
if ! docker info >/dev/null 2>&1; then
    # the unikernel's numbers do not need it: section 3 then measures qemu alone, and says so
    echo "boot-numbers.sh: WARNING: the Docker daemon is not reachable: no container boots, no ratio" >&2
    BACKENDS=qemu
elif ! docker image inspect "unibench/dns:$TAG" >/dev/null 2>&1; then
    echo "boot-numbers.sh: missing image unibench/dns:$TAG (scripts/unibench build)" >&2; exit 1
fi

TMP=$(mktemp -d /tmp/unibench-boot-numbers.XXXXXX)
QPID=""
cleanup() {
    [ -n "$QPID" ] && kill "$QPID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building: this tree's unikernels and tools, and $BEFORE's dns.elf" >&2
make -s -C unikernels >/dev/null
mkdir -p "$TMP/before"
git archive "$BEFORE" unikernels | tar -x -C "$TMP/before"
make -s -C "$TMP/before/unikernels" build/dns.elf >/dev/null
B=unikernels/build
NULL=$B/tools/nullguest.elf
FIRST=$B/tools/firstbyte
PROBE=$B/tools/dnsprobe
MO="x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off,ioapic2=off" # the manifests' machine options
COMMON=(-smp 1 -nodefaults -no-user-config -display none -no-reboot)
P=$((20000 + $$ % 20000))

# variants: name | machine | accel | extra options
NULL_VARIANTS=(
    "split irqchip (QEMU's microvm default)|microvm,$MO|kvm|-m 8M"
    "kernel-irqchip=on (the qemu backend now)|microvm,$MO|kvm,kernel-irqchip=on|-m 8M"
    "kernel-irqchip=on, -cpu host|microvm,$MO|kvm,kernel-irqchip=on|-m 8M -cpu host"
    "kernel-irqchip=on, -m 64M|microvm,$MO|kvm,kernel-irqchip=on|-m 64M"
    "microvm without the manifests' options|microvm|kvm|-m 8M"
)
DNS_VARIANTS=(
    "before: $BEFORE image, -accel kvm|$TMP/before/unikernels/build/dns.elf|kvm|"
    "this image, -accel kvm|$B/dns.elf|kvm|"
    "after: this image, kernel-irqchip=on|$B/dns.elf|kvm,kernel-irqchip=on|"
    "after + -cpu host|$B/dns.elf|kvm,kernel-irqchip=on|-cpu host"
)

# the boots of round $1 over $2 variants, in alternating order
order() {
    local i n=$2
    if [ $(($1 % 2)) = 1 ]; then seq 0 $((n - 1)); else for ((i = n - 1; i >= 0; i--)); do echo $i; done; fi
}

echo
echo "== 1. QEMU's own start: null guest, spawn -> first console byte / -> exit (ms), and the CPU time"
echo "   QEMU had used by its first byte (all threads, schedstat: what a loaded host does not stretch), $BOOTS boots each"
echo "   $(uptime)"
for r in $(seq 1 "$BOOTS"); do
    for v in $(order "$r" ${#NULL_VARIANTS[@]}); do
        IFS='|' read -r _ mach accel extra <<<"${NULL_VARIANTS[$v]}"
        # shellcheck disable=SC2086 # extra holds several options
        "$FIRST" qemu-system-x86_64 -M "$mach" -accel "$accel" $extra "${COMMON[@]}" -serial stdio \
            -kernel "$NULL" 2>/dev/null >>"$TMP/null-$v" || echo "  null guest, variant $v, boot $r: failed" >&2
    done
done

echo
echo "== 2. DNS unikernel: spawn -> first correct answer over slirp on 127.0.0.1 (ms), $BOOTS boots each"
echo "   $(uptime)"
for r in $(seq 1 "$BOOTS"); do
    for v in $(order "$r" ${#DNS_VARIANTS[@]}); do
        IFS='|' read -r _ img accel extra <<<"${DNS_VARIANTS[$v]}"
        log=$TMP/dns-$v-$r.log
        rm -f "$TMP/q.pid"
        # not -k: the guest prints its boot stamps just after its first answer; stopped by its pid file
        # shellcheck disable=SC2086
        ms=$("$PROBE" -p "$P" -T 20000 -- qemu-system-x86_64 -M "microvm,$MO" -accel "$accel" -m 8M $extra \
            "${COMMON[@]}" -kernel "$img" -append "ip=10.0.2.15/24 gw=10.0.2.2" \
            -netdev "user,id=n0,hostfwd=udp:127.0.0.1:$P-:53" -device virtio-net-device,netdev=n0 \
            -serial "file:$log" -pidfile "$TMP/q.pid" 2>/dev/null) || ms=""
        for _ in $(seq 1 50); do grep -q boot_us "$log" 2>/dev/null && break; sleep 0.01; done
        if [ -s "$TMP/q.pid" ]; then
            QPID=$(cat "$TMP/q.pid")
            kill "$QPID" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.01; done
            QPID=""
        fi
        if [ -z "$ms" ]; then echo "  dns variant $v, boot $r: no answer" >&2; continue; fi
        echo "$ms $(grep -o 'boot_us.*' "$log" || true)" >>"$TMP/dns-$v"
    done
done

echo
echo "== 2b. warm pool (a separate figure, not a cold boot): QEMU started paused (-S) and its QMP ready"
echo "   beforehand, untimed; timed from QMP 'cont' to the first correct DNS answer (ms), $BOOTS boots"
echo "   (and the null guest: 'cont' -> its console byte: what runs after the vCPU starts, firmware included)"
for r in $(seq 1 "$BOOTS"); do
  for what in dns null; do
    python3 - "$what" "$B/dns.elf" "$NULL" "$P" "$TMP/warm.sock" "microvm,$MO" "${COMMON[@]}" >>"$TMP/warm-$what" <<'PY' || echo "  warm $what boot $r: failed" >&2
import json, os, socket, subprocess, sys, time
what, img, null, port, sock, machine, common = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7:]
if what == "dns":
    guest = ["-kernel", img, "-append", "ip=10.0.2.15/24 gw=10.0.2.2", "-netdev",
             f"user,id=n0,hostfwd=udp:127.0.0.1:{port}-:53", "-device", "virtio-net-device,netdev=n0", "-serial", "null"]
else:
    guest = ["-kernel", null, "-serial", "stdio"]
q = subprocess.Popen(["qemu-system-x86_64", "-M", machine, "-accel", "kvm,kernel-irqchip=on", "-m", "8M", *common,
                      "-S", *guest, "-qmp", f"unix:{sock},server=on,wait=off"],
                     stdout=subprocess.PIPE if what == "null" else subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    deadline = time.monotonic() + 20
    while True:
        try:
            c = socket.socket(socket.AF_UNIX); c.connect(sock); break
        except OSError:
            if time.monotonic() > deadline or q.poll() is not None:
                sys.exit(1)
            time.sleep(0.005)
    f = c.makefile("rw")
    f.readline()
    f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n"); f.flush(); f.readline()
    query = bytes.fromhex("beef0000000100000000000003777777056365746963026265000001""0001")
    if what == "null":
        t0 = time.monotonic()
        f.write(json.dumps({"execute": "cont"}) + "\n"); f.flush()
        if os.read(q.stdout.fileno(), 1):
            print(f"{(time.monotonic() - t0) * 1000:.3f}")
            sys.exit(0)
        sys.exit(1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(("127.0.0.1", port)); u.setblocking(False)
    t0 = time.monotonic()
    f.write(json.dumps({"execute": "cont"}) + "\n"); f.flush()
    while time.monotonic() - t0 < 20:
        try:
            u.send(query)
        except OSError:
            pass
        time.sleep(0.001)
        try:
            while True:
                a = u.recv(512)
                if a[:2] == b"\xbe\xef" and bytes([10, 0, 0, 5]) in a:
                    print(f"{(time.monotonic() - t0) * 1000:.3f}")
                    sys.exit(0)
        except BlockingIOError:
            pass
    sys.exit(1)
finally:
    q.kill(); q.wait()
PY
    rm -f "$TMP/warm.sock"
  done
done

echo
echo "== 3. unibench bench boot --backend $BACKENDS --cold $BOOTS (forward mode: slirp / docker-proxy)"
echo "   $(uptime)"
scripts/unibench bench boot --backend "$BACKENDS" --service dns --cold "$BOOTS" --label boot-numbers --quiet \
    --output "$TMP/bench" >/dev/null

python3 - "$TMP" "$BOOTS" "${#NULL_VARIANTS[@]}" "${#DNS_VARIANTS[@]}" "${NULL_VARIANTS[@]}" "${DNS_VARIANTS[@]}" <<'EOF'
import csv, os, re, statistics, sys
tmp, boots, nn, nd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
names = [v.split("|")[0] for v in sys.argv[5:]]
null_names, dns_names = names[:nn], names[nn:nn + nd]

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")

def rows(path):
    return open(path).read().split("\n") if os.path.exists(path) else []

print("\n== results")
print("1. null guest (QEMU's own start), p50 ms:")
base = None
for i, n in enumerate(null_names):
    got = [[float(x) for x in l.split()] for l in rows(f"{tmp}/null-{i}") if l.strip()]
    first, end = med([g[0] for g in got]), med([g[1] for g in got])
    cpu_first = med([g[2] for g in got if g[2] >= 0])
    base = first if base is None else base
    print(f"   {n:44} first byte {first:7.1f}  exit {end:7.1f}  ({first / base:.2f}x)  "
          f"CPU to first byte {cpu_first:5.1f}  n={len(got)}")
print("2. DNS unikernel, p50 ms (guest stamps: its TSC since its entry):")
base = None
for i, n in enumerate(dns_names):
    ms, clk, dev, rdy, frm = [], [], [], [], []
    for l in rows(f"{tmp}/dns-{i}"):
        if not l.strip():
            continue
        ms.append(float(l.split()[0]))
        m = re.search(r"entry=(\d+) clock=(\d+) devices=(\d+) ready=(\d+)(?: frame=(\d+))?", l)
        if m:
            e, c, d, r = (int(x) for x in m.groups()[:4])
            clk.append((c - e) / 1e3); dev.append((d - c) / 1e3); rdy.append((r - d) / 1e3)
            if m.group(5):
                frm.append((int(m.group(5)) - r) / 1e3)
    p = med(ms)
    base = p if base is None else base
    print(f"   {n:44} answer {p:7.1f} ({p / base:.2f}x)  entry->clock {med(clk):5.2f}  clock->devices "
          f"{med(dev):6.2f}  devices->ready {med(rdy):5.2f}  ready->first frame {med(frm):5.2f}  n={len(ms)}")
warm = [float(l) for l in rows(f"{tmp}/warm-dns") if l.strip()]
wnull = [float(l) for l in rows(f"{tmp}/warm-null") if l.strip()]
print(f"2b. warm pool (paused QEMU, QMP cont ->), p50 ms: first DNS answer {med(warm):.1f} (n={len(warm)});"
      f" null guest's console byte {med(wnull):.1f} (n={len(wnull)}: firmware + kernel load + guest)")
print("3. unibench bench boot, cold, p50 ms (boot-events.csv):")
ev = list(csv.DictReader(open(f"{tmp}/bench/boot-events.csv")))
def num(r, k):
    return float(r[k]) if r.get(k) else None
p50 = {}
for b in ("qemu", "docker"):
    rs = [r for r in ev if r["backend"] == b and r["outcome"] == "ready"]
    ans = med([num(r, "answer_ms") for r in rs])
    p50[b] = ans
    entry = med([num(r, "guest_entry_ms") for r in rs])
    line = f"   {b:7} answer {ans:7.1f}  start->entry {entry:6.1f}"
    if b == "qemu":
        clk = med([num(r, "guest_clock_ms") for r in rs])
        dev = med([num(r, "guest_devices_ms") - num(r, "guest_clock_ms") for r in rs if num(r, "guest_devices_ms") is not None])
        rdy = med([num(r, "guest_ready_ms") - num(r, "guest_devices_ms") for r in rs if num(r, "guest_ready_ms") is not None])
        rest = med([num(r, "answer_ms") - num(r, "guest_entry_ms") - num(r, "guest_ready_ms") for r in rs
                    if num(r, "guest_ready_ms") is not None and num(r, "guest_entry_ms") is not None])
        line += f"  entry->clock {clk:5.2f}  clock->devices {dev:5.2f}  devices->ready {rdy:5.2f}  ready->answer {rest:5.2f}"
    else:
        rest = med([num(r, "answer_ms") - num(r, "guest_entry_ms") for r in rs if num(r, "guest_entry_ms") is not None])
        line += f"  process start->answer {rest:6.1f}"
    print(line + f"  n={len(rs)}/{len([r for r in ev if r['backend'] == b])}")
if p50.get("qemu") and p50.get("docker") == p50.get("docker"):
    print(f"   container / unikernel: {p50['docker'] / p50['qemu']:.1f}x")
else:
    print("   container / unikernel: NOT MEASURED (no container boots in this run)")
EOF
echo "== done; $(uptime)"
