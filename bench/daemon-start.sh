#!/usr/bin/env bash
# The cost of a new hgbuild daemon, with and without its class archive (AppCDS, see
# docs/design.md): the wall time of the first `hgbuild gcc -c` on a new daemon (the daemon starts,
# then compiles; no grid, so it compiles locally) and the daemon's CPU by then, the two variants
# alternating. Both use hgbuild-jvm's default flags; "without" runs with a $HOME where the archive
# cannot be kept. Prints the medians and writes bench/results/daemon-start-<date>.csv.
set -uo pipefail
reps=7
results=
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=${2:?--reps needs a number}; shift 2 ;;
    --results) results=$(realpath -m "${2:?--results needs a dir}"); shift 2 ;;
    -h|--help) echo "Usage: bench/daemon-start.sh [--reps N (default 7)] [--results DIR]"; exit 0 ;;
    *) echo "daemon-start: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || { echo "daemon-start: '$reps' is not a positive integer" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
results=${results:-$root/bench/results}
hgbuild=${HG_DIST:-$root/dist}/bin/hgbuild
[ -x "$hgbuild" ] || { echo "daemon-start: $hgbuild not found (./mvnw -B -q package -DskipTests)" >&2; exit 1; }
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^HG_')
work=$(mktemp -d /tmp/hg-dstart.XXXXXX)
trap 'for s in "$work"/d-*/daemon.sock; do [ -S "$s" ] && HG_DAEMON_SOCKET=$s "$hgbuild" daemon --stop >/dev/null 2>&1; done; rm -rf "$work"' EXIT
mkdir -p "$work/with" "$work/without" "$work/src"
: >"$work/without/.hybridgrid" # a file: no ~/.hybridgrid/jvm, so no archive
printf 'int f(int x) { return x * 3; }\n' >"$work/src/a.c"
export HG_COORDINATOR=127.0.0.1:1 HG_NO_MDNS=1 HG_NO_CACHE=1 LC_ALL=C

# first_call VARIANT N: one new daemon; prints "<wall s> <daemon CPU s>" and stops it.
first_call() {
  local d=$work/d-$1-$2 t0 t1 pid cpu
  mkdir -p "$d"; chmod 700 "$d"
  t0=$EPOCHREALTIME
  (cd "$work/src" && HOME=$work/$1 HG_DAEMON_SOCKET=$d/daemon.sock HG_CACHE_DIR=$d/cache \
    "$hgbuild" gcc -c a.c -o "a-$1-$2.o" 2>/dev/null) || return 1
  t1=$EPOCHREALTIME
  pid=$(cat "$d/daemon.pid")
  cpu=$(python3 "$here/hermetic_bench.py" cpu "$pid")
  HOME=$work/$1 HG_DAEMON_SOCKET=$d/daemon.sock "$hgbuild" daemon --stop >/dev/null 2>&1
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done # until the archive is written
  awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN { printf "%.3f %.3f\n", b - a, c }'
}

first_call with 0 >/dev/null || { echo "daemon-start: the first compile failed" >&2; exit 1; }
ls "$work"/with/.hybridgrid/jvm/*.jsa* >/dev/null 2>&1 || { echo "daemon-start: no archive was written" >&2; exit 1; }
mkdir -p "$results"
csv=$results/daemon-start-$(date +%Y%m%d-%H%M%S).csv
echo "rep,variant,first_call_s,daemon_cpu_s" >"$csv"
for i in $(seq 1 "$reps"); do
  for v in with without; do
    read -r wall cpu < <(first_call "$v" "$i") || { echo "daemon-start: rep $i ($v) failed" >&2; exit 1; }
    echo "$i,$v,$wall,$cpu" >>"$csv"
    echo "rep $i, $v archive: first call ${wall} s, daemon CPU ${cpu} s"
  done
done
python3 - "$csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
med = {}
for v in ("with", "without"):
    w = statistics.median(float(r["first_call_s"]) for r in rows if r["variant"] == v)
    c = statistics.median(float(r["daemon_cpu_s"]) for r in rows if r["variant"] == v)
    med[v] = (w, c)
    print(f"median, {v} archive: first call {w:.3f} s, daemon CPU {c:.3f} s")
print(f"with/without: first call {med['with'][0] / med['without'][0]:.2f}x, "
      f"daemon CPU {med['with'][1] / med['without'][1]:.2f}x")
print(f"raw data: {sys.argv[1]}")
PY
