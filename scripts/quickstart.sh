#!/usr/bin/env bash
# From a fresh Debian/Ubuntu machine (as root) to a full unikernel-vs-container comparison:
# installs what is missing, starts Docker, builds everything, runs `unibench study` (default profile
# quick, 5 to 10 minutes: its ramps run until each server breaks; pass --profile smoke|quick|full or
# any other study option), and prints the path of the HTML report.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
# shellcheck source=scripts/lib/host.sh
. "$home/scripts/lib/host.sh"

ensure_packages
ensure_docker

args=("$@")
if [[ " ${args[*]:-} " != *" --profile "* ]]; then
  args=(--profile quick "${args[@]}")
fi

status=0
dir="$("$home/scripts/unibench" study "${args[@]}")" || status=$?
if [ -n "$dir" ] && [ -f "$dir/report/index.html" ]; then
  echo "report: $dir/report/index.html"
fi
exit "$status"
