#!/usr/bin/env bash
# What one sandbox costs the machine: the busy CPU of the whole machine (/proc/stat: user, nice,
# system, irq, softirq, steal; kernel threads included, so namespace teardown done by kworkers
# counts) and the wall time per launch of /usr/bin/true, started the ways the worker starts a
# command, side by side in one run with the order rotated per repetition.
#
#   bench/sandbox-cost.sh [--runs N] [--reps R] [--exec PATH]
#
# --runs: launches per measurement (default 150); --reps: repetitions (default 3), medians printed;
# --exec: hg-sandbox-exec (default dist/libexec/hg-sandbox-exec, else hg-worker/target/libexec/).
# Needs bwrap; as root the helper also drops to 65534:65534, as the worker does. The machine should
# be otherwise idle: everything it runs meanwhile is counted.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=150
reps=3
exec_path=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --exec) exec_path="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "sandbox-cost.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$exec_path" ]; then
  for c in dist/libexec/hg-sandbox-exec hg-worker/target/libexec/hg-sandbox-exec; do
    [ -x "$c" ] && exec_path="$c" && break
  done
fi
[ -n "$exec_path" ] && [ -x "$exec_path" ] || {
  echo "sandbox-cost.sh: no hg-sandbox-exec; build it (./mvnw -pl hg-worker package) or pass --exec" >&2
  exit 2
}
bwrap=$(command -v bwrap) || { echo "sandbox-cost.sh: bwrap is not installed (apt-get install bubblewrap)" >&2; exit 2; }

status=$(mktemp)
trap 'rm -f "$status"' EXIT
user=()
[ "$(id -u)" = 0 ] && user=(--user 65534:65534)
ids=65534
[ "$(id -u)" = 0 ] || ids=$(id -u)
# The worker's bubblewrap arguments (BwrapSandbox), with / as the tree.
walls=("$bwrap" --unshare-all --unshare-user --disable-userns --uid "$ids" --gid "$ids"
  --hostname sandbox --die-with-parent --new-session)
tail=(--json-status-fd 3 --ro-bind / / --proc /proc --dev /dev --chdir /tmp -- /usr/bin/true)
helper=("$exec_path" --status "$status" --cpu 600 --as 8589934592 --fsize 2147483648 "${user[@]}" --)

declare -A cmd
cmd[true]="/usr/bin/true"
cmd[bwrap]="${walls[*]} ${tail[*]}"
cmd[bwrap-as-pid-1]="${walls[*]} --as-pid-1 ${tail[*]}"
cmd[helper+bwrap]="${helper[*]} ${walls[*]} ${tail[*]}"
cmd[helper+bwrap-as-pid-1]="${helper[*]} ${walls[*]} --as-pid-1 ${tail[*]}"
order=(true bwrap bwrap-as-pid-1 helper+bwrap helper+bwrap-as-pid-1)

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }
measure() { # name -> "busy_ms wall_ms" per launch
  local c=${cmd[$1]} b0 b1 t0 t1
  # shellcheck disable=SC2086 # the command line is split on purpose
  for ((i = 0; i < 5; i++)); do $c 3>"$status" >/dev/null 2>&1; done
  b0=$(busy); t0=$(date +%s%N)
  for ((i = 0; i < runs; i++)); do
    # shellcheck disable=SC2086
    $c 3>"$status" >/dev/null 2>&1 || { echo "sandbox-cost.sh: '$1' failed: $c" >&2; exit 1; }
  done
  t1=$(date +%s%N)
  sleep 0.5 # work the kernel finishes after the last exit (namespace teardown)
  b1=$(busy)
  awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v n="$runs" -v hz="$(getconf CLK_TCK)" \
    'BEGIN{printf "%.2f %.2f\n", b*1000/hz/n, t/1e6/n}'
}

results=$(mktemp)
trap 'rm -f "$status" "$results"' EXIT
for ((r = 0; r < reps; r++)); do
  for ((k = 0; k < ${#order[@]}; k++)); do
    name=${order[$(((k + r) % ${#order[@]}))]}
    echo "$name $(measure "$name")" >>"$results"
  done
done

echo "# $runs launches x $reps repetitions, $(nproc) cores, $(uname -r), $("$bwrap" --version)"
python3 - "$results" "${order[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print("| started as | machine CPU per launch, median | wall per launch, median |")
print("|---|---:|---:|")
for name in sys.argv[2:]:
    mine = [r for r in rows if r[0] == name]
    busy = statistics.median(float(r[1]) for r in mine)
    wall = statistics.median(float(r[2]) for r in mine)
    print(f"| {name} | {busy:.1f} ms | {wall:.1f} ms |")
PY
