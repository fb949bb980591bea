#!/usr/bin/env bash
# Numbers of issue 16 (two hosts) on this machine, with the "server" on loopback: a real sshd on 127.0.0.1 and
# the real libvirtd (scripts/lib/host.sh starts both; as root). Prints, with the load average:
#   boot    cold boots of the DNS unikernel, COLD each (default 20): unibench's own QEMU launch vs libvirt
#           (qemu:///system) in ONE bench boot run (side by side), then libvirt through qemu+ssh://root@127.0.0.1
#           in the next run; p50/p90 per path and the ratios libvirt / qemu, qemu+ssh / qemu:///system;
#   deploy  'unibench deploy poc' wall time, REPEAT times each, alternating (default 3): on this host (qemu+docker),
#           on this host through libvirt (libvirt+docker), and over SSH loopback (--host ssh://root@127.0.0.1:
#           libvirt through qemu+ssh/libssh2, Docker through an SSH tunnel); medians and ratios.
# Everything started is destroyed again; all traffic stays on 127.0.0.1.
# Usage: scripts/bench-remote.sh [boot|deploy|all]
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
what="${1:-all}"
COLD=${COLD:-20}
REPEAT=${REPEAT:-3}
OUT=${OUT:-$(mktemp -d /tmp/unibench-bench-remote.XXXXXX)}
case "$what" in boot|deploy|all) ;; *) echo "usage: $0 [boot|deploy|all]" >&2; exit 2 ;; esac
# shellcheck source=scripts/lib/host.sh
. "$home/scripts/lib/host.sh"
ensure_docker
ensure_libvirtd
ensure_loopback_sshd
ub="$home/scripts/unibench"
[ -f "$home/unikernels/build/dns.elf" ] || "$ub" build
key="$UNIBENCH_TEST_SSH_KEY"; kh="$UNIBENCH_TEST_SSH_KNOWN_HOSTS"; port="$UNIBENCH_TEST_SSH_PORT"
server="ssh://root@127.0.0.1:$port"
qemu_ssh="qemu+ssh://root@127.0.0.1:$port/system?keyfile=$key&no_verify=1"
mkdir -p "$OUT"

p50() {  # folder -> "backend p50 p90" lines of the cold summary
  python3 - "$1" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1] + "/boot-summary.csv")):
    if r["kind"] == "cold":
        print(r["backend"], r["p50_ms"], r["p90_ms"], r["count"], r["failures"])
PY
}

if [ "$what" != deploy ]; then
  echo "== cold boots, $COLD each ($(uptime | sed 's/.*load average/load average/'))"
  a="$OUT/boot-local"; b="$OUT/boot-qemu-ssh"
  "$ub" bench boot --backend qemu,libvirt --cold "$COLD" --quiet --label remote-local --output "$a" >/dev/null
  "$ub" bench boot --backend libvirt --cold "$COLD" --quiet --label remote-ssh --libvirt-uri "$qemu_ssh" \
    --output "$b" >/dev/null
  python3 - "$a" "$b" <<'PY'
import csv, json, sys
def rows(folder):
    return {r["backend"]: r for r in csv.DictReader(open(folder + "/boot-summary.csv")) if r["kind"] == "cold"}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
rtt = json.load(open(sys.argv[2] + "/run.json"))["backends"]["libvirt"].get("client_server_rtt_ms")
print(f"{'path':28} {'boots':>5} {'failed':>6} {'p50 ms':>8} {'p90 ms':>8}")
for name, r in (("qemu (unibench spawns QEMU)", a["qemu"]), ("libvirt qemu:///system", a["libvirt"]),
                ("libvirt qemu+ssh loopback", b["libvirt"])):
    print(f"{name:28} {r['count']:>5} {r['failures']:>6} {r['p50_ms']:>8} {r['p90_ms']:>8}")
q, l, s = (float(x["p50_ms"]) for x in (a["qemu"], a["libvirt"], b["libvirt"]))
print(f"libvirt / own QEMU launch: p50 {l / q:.2f}x (+{l - q:.1f} ms)")
print(f"qemu+ssh / qemu:///system: p50 {s / l:.2f}x (+{s - l:.1f} ms); client-server RTT measured before: {rtt:.3f} ms")
PY
  echo "results: $a $b"
fi

if [ "$what" != boot ]; then
  echo "== deploy poc, $REPEAT times each, alternating ($(uptime | sed 's/.*load average/load average/'))"
  declare -A walls
  for i in $(seq 1 "$REPEAT"); do
    for path in local libvirt ssh; do
      case $path in
        local) args=(deploy poc --json) ;;
        libvirt) args=(deploy poc --backend libvirt,docker --json) ;;
        ssh) args=(deploy poc --host "$server" --ssh-key "$key" --ssh-known-hosts "$kh" --json) ;;
      esac
      t0=$(date +%s%N)
      "$ub" "${args[@]}" > "$OUT/deploy-$path-$i.json"
      t1=$(date +%s%N)
      wall=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['wall_ms'])" "$OUT/deploy-$path-$i.json")
      walls[$path]="${walls[$path]:-} $wall/$(( (t1 - t0) / 1000000 ))"
      "$ub" destroy --all >/dev/null
    done
  done
  python3 - "${walls[local]}" "${walls[libvirt]}" "${walls[ssh]}" <<'PY'
import statistics, sys
names = ["this host: qemu+docker", "this host: libvirt+docker", "ssh loopback: libvirt+docker"]
med = []
print(f"{'path':30} {'deploy wall p50 ms':>18} {'process p50 ms':>15}  runs (deploy/process)")
for n, arg in zip(names, sys.argv[1:]):
    pairs = [tuple(map(float, p.split("/"))) for p in arg.split()]
    d = statistics.median(p[0] for p in pairs); w = statistics.median(p[1] for p in pairs)
    med.append((d, w))
    print(f"{n:30} {d:>18.0f} {w:>15.0f}  {arg.strip()}")
print(f"ssh loopback / this host (libvirt+docker): deploy {med[2][0] / med[1][0]:.2f}x, "
      f"process {med[2][1] / med[1][1]:.2f}x; libvirt+docker / qemu+docker: deploy {med[1][0] / med[0][0]:.2f}x")
PY
fi
echo "load average now: $(uptime | sed 's/.*load average: //')"
