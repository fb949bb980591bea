# Shared by scripts that start a server of their own on chosen CPUs (dns-ceiling-numbers.sh: knotd).

# pin_threads PID CPUS NAME: confines every thread of PID to CPUS (taskset -a -p -c) and prints, on one line to
# stdout, the affinity each thread reads back (Cpus_allowed_list of /proc/PID/task/*/status, with its name).
# Starting a server under `taskset -c` is not enough: knotd 3.2.6 pins one of its UDP workers to CPU 0 by itself,
# onto the generator's core under a split layout. Call it once the server answers (its threads exist then).
# Returns 1 (after printing) when a thread does not read back CPUS.
pin_threads() {
  local pid=$1 cpus=$2 name=$3 want got line=() bad=0 t
  taskset -a -p -c "$cpus" "$pid" >/dev/null || { echo "$name: taskset -a -p -c $cpus $pid failed" >&2; return 1; }
  want=$(taskset -c -p "$pid" | sed 's/.*: //')
  for t in /proc/"$pid"/task/*; do
    got=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status" 2>/dev/null) || continue
    [ -n "$got" ] || continue
    line+=("${t##*/} $(cat "$t/comm" 2>/dev/null):$got")
    [ "$got" = "$want" ] || bad=1
  done
  echo "$name pid $pid threads on CPUs (tid name:Cpus_allowed_list): ${line[*]}"
  [ "$bad" -eq 0 ] || { echo "$name: a thread of pid $pid is not on CPUs $cpus" >&2; return 1; }
}
