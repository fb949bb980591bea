# Shared by scripts/test.sh and scripts/quickstart.sh: prepare a Debian/Ubuntu host for unibench.

# Debian packages unibench and its tests use: QEMU and Docker (the backends; runsc for gvisor), gcc/make (the
# services), knot + unbound + dig/kdig + dnsperf (DNS tests and cross-checks), nginx + curl + wrk + h2load + ab
# (HTTP tests), lab networking (CNI plugins, nftables, tcpdump, ping, traceroute), hostile clients (hping3,
# scapy), two-host tests on loopback (sshd, libvirt), headless Chromium (report and page checks), JDK 17.
UNIBENCH_PACKAGES=(qemu-system-x86 docker.io runsc gcc make libc6-dev git curl ca-certificates
  knot knot-dnsutils dnsutils dnsperf unbound nginx-light wrk nghttp2-client apache2-utils
  iproute2 iptables procps python3 containernetworking-plugins nftables tcpdump iputils-ping traceroute
  hping3 python3-scapy openssh-server openssh-client libvirt-daemon-system libvirt-clients
  chromium openjdk-17-jdk-headless)

ensure_packages() {
  local missing=()
  for p in "${UNIBENCH_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # a newer JDK than 17 is fine
  if command -v javac >/dev/null && javac -version 2>&1 | grep -qE 'javac (1[7-9]|[2-9][0-9])'; then
    missing=("${missing[@]/openjdk-17-jdk-headless}")
  fi
  local want=()
  for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
  if [ ${#want[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "unibench: missing packages (${want[*]}); run as root or install them" >&2
      return 1
    fi
    echo "==> installing: ${want[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d keeps packages from starting system-wide nginx/knot on install (the tests start their own)
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; local added_policy=1
    fi
    apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
    [ -n "${added_policy:-}" ] && rm -f /usr/sbin/policy-rc.d
  fi
  return 0
}

docker_up() { docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }

ensure_docker() {
  if docker_up; then return 0; fi
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl start docker || true
  fi
  if ! docker_up; then
    # a daemon killed without cleanup leaves its pid file behind, and a new dockerd refuses to start
    local pidfile=/var/run/docker.pid
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null; then
      rm -f "$pidfile"
    fi
    echo "==> starting dockerd (log: /var/log/unibench-dockerd.log)"
    # in its own session: a daemon left in the caller's process group dies when that group is
    # killed (a CI step's timeout, a terminal's ^C), taking every test's containers with it
    setsid nohup dockerd >/var/log/unibench-dockerd.log 2>&1 < /dev/null &
    for _ in $(seq 1 60); do docker_up && break; sleep 0.5; done
  fi
  if ! docker_up; then
    echo "unibench: the Docker daemon did not start; see /var/log/unibench-dockerd.log" >&2
    return 1
  fi
}

# libvirt for the libvirt backend's tests: libvirtd and virtlogd as daemons (no systemd here), idempotent.
# Debian's "default" network is not autostarted, so starting libvirtd adds no bridge to the host.
libvirt_up() { virsh -q -c qemu:///system version >/dev/null 2>&1; }

ensure_libvirtd() {
  if libvirt_up; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "unibench: libvirtd is not running; start it as root (libvirtd -d; virtlogd -d)" >&2
    return 1
  fi
  # libvirt runs QEMU as libvirt-qemu (group kvm): Debian's udev rule makes /dev/kvm root:kvm 0660, a host
  # without udev (a container) may leave it root-only 0600, and libvirt then probes QEMU again on every start
  if [ -c /dev/kvm ] && getent group kvm >/dev/null && [ "$(stat -c %G /dev/kvm)" != kvm ]; then
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
  fi
  pgrep -x virtlogd >/dev/null || virtlogd -d
  pgrep -x libvirtd >/dev/null || libvirtd -d
  for _ in $(seq 1 60); do libvirt_up && break; sleep 0.5; done
  if ! libvirt_up; then
    echo "unibench: libvirtd did not start (see /var/log/libvirt/libvirtd.log)" >&2
    return 1
  fi
}

# An OpenSSH server on 127.0.0.1 only, for the two-host tests (qemu+ssh://, Docker over ssh://): its own
# config, host key, client key and authorized_keys under $UNIBENCH_TEST_SSH_DIR; root's ~/.ssh is not touched.
# Exports UNIBENCH_TEST_SSH_PORT, UNIBENCH_TEST_SSH_KEY (the client's private key), UNIBENCH_TEST_SSH_KNOWN_HOSTS.
ensure_loopback_sshd() {
  local dir="${UNIBENCH_TEST_SSH_DIR:-/var/lib/unibench-test-sshd}" port="${UNIBENCH_TEST_SSH_PORT:-2222}"
  mkdir -p "$dir" && chmod 700 "$dir"
  [ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C unibench-test-host -f "$dir/host_ed25519"
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C unibench-test-client -f "$dir/client_ed25519"
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys" && chmod 600 "$dir/authorized_keys"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" > "$dir/known_hosts"
  cat > "$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
StrictModes no
CONF
  export UNIBENCH_TEST_SSH_DIR="$dir" UNIBENCH_TEST_SSH_PORT="$port"
  export UNIBENCH_TEST_SSH_KEY="$dir/client_ed25519" UNIBENCH_TEST_SSH_KNOWN_HOSTS="$dir/known_hosts"
  if [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; then return 0; fi
  mkdir -p /run/sshd
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
  for _ in $(seq 1 40); do
    ssh -q -p "$port" -i "$dir/client_ed25519" -o BatchMode=yes -o UserKnownHostsFile="$dir/known_hosts" \
      root@127.0.0.1 true 2>/dev/null && return 0
    sleep 0.25
  done
  echo "unibench: the loopback sshd did not start (see $dir/sshd.log)" >&2
  return 1
}

# The gVisor runtime as the gvisor backend uses it (see ../shared/MACHINE-FACTS.md "Other runtimes"): ptrace
# platform, host network (runsc refuses to run with a network in the root network namespace otherwise).
# unibench itself never edits the daemon's configuration; `unibench doctor` prints this snippet when missing.
UNIBENCH_RUNSC_RUNTIME='{"path":"/usr/bin/runsc","runtimeArgs":["--platform=ptrace","--network=host"]}'

runsc_registered() { docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; }

# Registers runsc with the running daemon: merged into /etc/docker/daemon.json (other settings kept), then
# SIGHUP to dockerd, which reloads its runtimes without a restart (running containers are untouched).
ensure_runsc_runtime() {
  if runsc_registered; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "unibench: the runsc runtime is not registered with Docker; run as root or see 'unibench doctor'" >&2
    return 1
  fi
  [ -x /usr/bin/runsc ] || { echo "unibench: /usr/bin/runsc missing (apt-get install runsc)" >&2; return 1; }
  mkdir -p /etc/docker
  python3 - "$UNIBENCH_RUNSC_RUNTIME" <<'PY'
import json, os, sys
path = "/etc/docker/daemon.json"
cfg = {}
if os.path.exists(path) and os.path.getsize(path) > 0:
    with open(path) as f:
        cfg = json.load(f)
cfg.setdefault("runtimes", {})["runsc"] = json.loads(sys.argv[1])
tmp = path + ".unibench.tmp"
with open(tmp, "w") as f:
    json.dump(cfg, f, indent=2)
    f.write("\n")
os.replace(tmp, path)
PY
  local pid
  pid=$(cat /var/run/docker.pid 2>/dev/null || pidof dockerd)
  echo "==> registering the runsc runtime: /etc/docker/daemon.json, SIGHUP to dockerd ($pid)"
  kill -HUP "$pid"
  for _ in $(seq 1 40); do runsc_registered && return 0; sleep 0.25; done
  echo "unibench: dockerd did not pick up the runsc runtime; see /etc/docker/daemon.json and the daemon's log" >&2
  return 1
}
