#!/usr/bin/env bash
# Numbers of issue 15 on this machine, side by side in one run:
#   1. start-up of short commands (status, --help) with and without the AppCDS archive (farm-bench --vs)
#   2. the release tarball's size
#   3. unibench compare of two studies of the same commit (expect no significant difference) and of a
#      study whose QEMU start is delayed by 10 ms (a wrapper on PATH; expect a detected boot regression)
# Usage: scripts/ci-numbers.sh [smoke|quick]   (default smoke: quick takes long on a busy 2-core host)
# Environment: OUT (default /tmp/unibench-ci-numbers-$UNIBENCH_IMAGE_TAG), RUNS (farm-bench runs, default 10),
#              STARTUP=" " skips part 1, COLD=N compares N cold QEMU boots per run instead of studies
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="${1:-smoke}"
out="${OUT:-/tmp/unibench-ci-numbers-${UNIBENCH_IMAGE_TAG:-latest}}"
runs="${RUNS:-10}"
mkdir -p "$out"
# everything runs from the release tarball unpacked under $out (the checkout's target/ may be rebuilt meanwhile)
tarball="$(ls "$home"/target/unibench-*.tar.gz 2>/dev/null | head -1)"
[ -n "$tarball" ] || { (cd "$home" && ./mvnw -q -B -DskipTests package); tarball="$(ls "$home"/target/unibench-*.tar.gz | head -1)"; }
rm -rf "$out/install" && mkdir -p "$out/install" && tar xzf "$tarball" -C "$out/install"
inst="$(ls -d "$out"/install/unibench-*)"
unibench="$inst/bin/unibench"
jar="$inst/lib/unibench.jar"
jsa="$inst/lib/unibench.jsa"
"$unibench" --version >/dev/null   # makes lib/unibench.jsa for this place, once
echo "== load: $(uptime)"

echo "== 1. start-up with the AppCDS archive (A) vs without it (B)"
state="$out/state"; mkdir -p "$state"
for args in ${STARTUP:-"status --no-probe" "--help"}; do
  echo "-- unibench $args"
  # shellcheck disable=SC2086
  farm-bench -n "$runs" --warmup 2 --timeout 600 \
    --vs "java -Xshare:auto -Dunibench.state.dir=$state -Dunibench.home=$inst -jar $jar $args" -- \
    java -Xshare:auto -XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Dunibench.state.dir="$state" \
    -Dunibench.home="$inst" -jar "$jar" $args
done

echo "== 2. release tarball"
ls -l "$tarball"; du -sh "$inst"

echo "== 3. compare: two $profile studies of this commit, then one with QEMU delayed by 10 ms"
slow="$out/slow-qemu"; mkdir -p "$slow"
real_qemu="$(command -v qemu-system-x86_64)"
cat >"$slow/qemu-system-x86_64" <<WRAP
#!/bin/sh
# injected boot delay: 10 ms before the real QEMU starts (only --version queries are not delayed)
case "\$1" in --version) ;; *) sleep 0.010 ;; esac
exec "$real_qemu" "\$@"
WRAP
chmod +x "$slow/qemu-system-x86_64"
stamp="$(date -u +%H%M%S)"
a="$out/study-a-$stamp"; b="$out/study-b-$stamp"; c="$out/study-slow-$stamp"
if [ -n "${COLD:-}" ]; then
  # a smoke study boots 3 times per backend: too few for a verdict; COLD=N compares N cold QEMU boots instead
  for run in a b; do "$unibench" bench boot --backend qemu --cold "$COLD" -q --output "$out/boot-$run-$stamp" >/dev/null; done
  PATH="$slow:$PATH" "$unibench" bench boot --backend qemu --cold "$COLD" -q --output "$out/boot-slow-$stamp" >/dev/null
  echo "load: $(uptime)"
  echo "-- same commit, $COLD cold boots each"
  "$unibench" compare "$out/boot-a-$stamp" "$out/boot-b-$stamp" || echo "(exit $?)"
  echo "-- injected 10 ms QEMU start delay, $COLD cold boots each"
  "$unibench" compare "$out/boot-a-$stamp" "$out/boot-slow-$stamp" || echo "(exit $?: 1 = regression detected)"
  exit 0
fi
"$unibench" study --profile "$profile" --output "$a" >/dev/null
"$unibench" study --profile "$profile" --output "$b" >/dev/null
PATH="$slow:$PATH" "$unibench" study --profile "$profile" --output "$c" >/dev/null
echo "load: $(uptime)"
echo "-- same commit: $a vs $b"
"$unibench" compare "$a" "$b" || echo "(exit $?)"
echo "-- injected 10 ms QEMU start delay: $a vs $c"
"$unibench" compare "$a" "$c" --metric boot_p50,boot_p90 || echo "(exit $?: 1 = regression detected)"
echo "load: $(uptime)"
