#!/usr/bin/env bash
# Runs the whole unibench test suite on a Debian/Ubuntu machine, as root:
#   1. installs what the tests need (apt, idempotent, quiet),
#   2. starts the Docker daemon if it is not running and registers the runsc runtime (daemon.json + SIGHUP),
#   3. builds and tests the C side (service logic, unikernels under real QEMU, containers under real Docker),
#   4. runs the Java unit and integration tests through ./mvnw.
# Every test talks only to 127.0.0.1 / ::1, or to addresses inside network namespaces it creates
# itself (scripts/lab-attacks.sh, topology tests). Exit status is non-zero if anything failed.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
# shellcheck source=scripts/lib/host.sh
. "$home/scripts/lib/host.sh"

ensure_packages
ensure_docker
ensure_runsc_runtime
ensure_libvirtd
ensure_loopback_sshd

failed=()
run() {
  local name="$1"; shift
  echo "==> $name: $*"
  if ! "$@"; then
    failed+=("$name")
    echo "==> $name FAILED"
  fi
}

run "service logic + unikernels (C unit tests, real QEMU)" make -s -C unikernels check
run "containers (build + real Docker)" make -s -C containers check
run "lab attacks (own network namespace: hping3, slowloris, non-readers, forged ARP)" bash scripts/lab-attacks.sh
run "java (unit + integration)" ./mvnw -B -ntp verify

if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed"
