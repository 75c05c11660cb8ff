#!/usr/bin/env bash
# Client benchmark for issue 3: builds Lua 5.4.4 and zstd 1.5.4 with plain make, hgbuild (cold
# with one loopback worker, warm from the local cache), ccache (cold, warm), distcc (loopback
# distccd) and sccache (cold, warm), R repetitions with the configurations interleaved; then
# measures the cost of one cache hit with hyperfine. Writes bench/results/client-<date>.csv, the
# generated section of docs/benchmarks.md and docs/benchmarks-client.png. See bench/README.md.
#
# Everything runs on 127.0.0.1; every daemon and server this script starts is stopped on exit
# and its temp dir removed. Takes many minutes: not part of ./mvnw verify.
# Over 500 lines because it is one self-contained run (setup, eight configurations, hit cost,
# cleanup) that the lead starts with one command; statistics and plotting live in client_report.py.
set -uo pipefail

usage() {
  cat <<'EOF'
Usage: bench/client-bench.sh [options]
  --reps N          repetitions of every configuration (default 5)
  --jobs N          make -jN and the worker's/distccd's parallelism (default: nproc)
  --workloads LIST  comma-separated subset of: lua,zstd (default: both)
  --configs LIST    comma-separated subset of: plain,hgbuild,ccache,distcc,sccache,hitcost
                    (default: all; hgbuild/ccache/sccache run cold and warm)
  --timeout S       limit for one build, seconds (default 900)
  --md FILE         markdown file that receives the generated section (default docs/benchmarks.md)
  --png FILE        plot (default docs/benchmarks-client.png)
  --results DIR     where the raw CSV goes (default bench/results)
  --dist DIR        the Hybrid-Grid distribution to measure (default $HG_DIST, else dist/;
                    dist/ is built with ./mvnw when missing)
  --no-docs         write only the CSV and print the report (no --md/--png changes)
  --keep            keep the temp dir (build logs, daemon/grid logs) for inspection
Environment: HG_WORKLOADS (default: ../shared/workloads next to the repository).
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
orig_cmd="bench/client-bench.sh${*:+ $*}"

reps=5
jobs=$(nproc)
want_workloads=lua,zstd
want_configs=plain,hgbuild,ccache,distcc,sccache,hitcost
build_timeout=900
md=$root/docs/benchmarks.md
png=$root/docs/benchmarks-client.png
results=$root/bench/results
write_docs=1
keep=0
dist=${HG_DIST:-$root/dist}
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=${2:?--reps needs a number}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --workloads) want_workloads=${2:?--workloads needs a list}; shift 2 ;;
    --configs) want_configs=${2:?--configs needs a list}; shift 2 ;;
    --timeout) build_timeout=${2:?--timeout needs seconds}; shift 2 ;;
    --md) md=$(realpath -m "${2:?--md needs a file}"); shift 2 ;;
    --png) png=$(realpath -m "${2:?--png needs a file}"); shift 2 ;;
    --results) results=$(realpath -m "${2:?--results needs a dir}"); shift 2 ;;
    --dist) dist=$(realpath -m "${2:?--dist needs a directory}"); shift 2 ;;
    --no-docs) write_docs=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "client-bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$reps" "$jobs" "$build_timeout"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "client-bench: '$n' is not a positive integer" >&2; exit 2; }
done
for c in ${want_configs//,/ }; do
  case "$c" in plain|hgbuild|ccache|distcc|sccache|hitcost) ;;
    *) echo "client-bench: unknown configuration '$c' in --configs" >&2; exit 2 ;; esac
done
for w in ${want_workloads//,/ }; do
  case "$w" in lua|zstd) ;; *) echo "client-bench: unknown workload '$w' in --workloads" >&2; exit 2 ;; esac
done
want() { [[ ",$want_configs," == *",$1,"* ]]; }

log() { printf '[client-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { printf '%s' "${EPOCHREALTIME:-$(date +%s.%N)}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# ------------------------------------------------------------------ tools

# Debian packages of the peers; installed when missing and we are root.
declare -A pkg_of=([ccache]=ccache [distcc]=distcc [distccd]=distcc [sccache]=sccache
                   [hyperfine]=hyperfine [curl]=curl [make]=make [gcc]=gcc)
missing=()
for t in "${!pkg_of[@]}"; do command -v "$t" >/dev/null 2>&1 || missing+=("${pkg_of[$t]}"); done
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3   # Debian's python sees python3-matplotlib
command -v "$py" >/dev/null 2>&1 || missing+=(python3)
"$py" -c 'import matplotlib' >/dev/null 2>&1 || missing+=(python3-matplotlib)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null \
      || log "apt-get install failed; configurations needing ${missing[*]} are skipped"
    [ -x /usr/bin/python3 ] && py=/usr/bin/python3
  else
    log "missing ${missing[*]} (not root or no apt-get); configurations needing them are skipped"
  fi
fi
have() { command -v "$1" >/dev/null 2>&1; }
have make && have gcc || die "make and gcc are required"
have "$py" || die "python3 is required"
have curl || die "curl is required"
have ccache || { want ccache && log "skipping ccache: not installed"; }
have distcc && have distccd || { want distcc && log "skipping distcc: not installed"; }
have sccache || { want sccache && log "skipping sccache: not installed"; }
have hyperfine || { want hitcost && log "skipping the hit-cost measurement: hyperfine not installed"; }
# distccd runs only compilers that have a masquerade link in /usr/lib/distcc.
if have distccd && [ ! -e /usr/lib/distcc/gcc ] && [ "$(id -u)" = 0 ] && have update-distcc-symlinks; then
  update-distcc-symlinks >/dev/null 2>&1 || true
fi

hgbuild=$dist/bin/hgbuild
if [ ! -x "$hgbuild" ] && [ "$dist" = "$root/dist" ]; then
  log "dist/ is missing: building it (./mvnw -B -q package -DskipTests)"
  (cd "$root" && ./mvnw -B -q package -DskipTests) || die "building dist/ failed"
fi
[ -x "$hgbuild" ] || die "$hgbuild not found (--dist)"

# Workloads: $HG_WORKLOADS, else ../shared/workloads next to this checkout, else next to the main
# checkout when this is a git worktree elsewhere.
workloads_dir=${HG_WORKLOADS:-}
if [ -z "$workloads_dir" ]; then
  workloads_dir=$(dirname "$root")/shared/workloads
  common=$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)
  if [ ! -d "$workloads_dir" ] && [ -n "$common" ]; then
    workloads_dir=$(dirname "$(dirname "$common")")/shared/workloads
  fi
fi

# Reproducible environment: nothing inherited from the user's own setup of these tools.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(HG_|CCACHE_|SCCACHE_|DISTCC_)')
export LC_ALL=C
export HG_NO_MDNS=1

work=$(mktemp -d /tmp/hg-bench.XXXXXX)
# A worker running as root refuses a --work-dir its sandbox user cannot traverse.
chmod 711 "$work"
export HOME=$work/home TMPDIR=$work/tmp
mkdir -p "$HOME" "$TMPDIR" "$work/logs"

# ------------------------------------------------------------------ cleanup

hg_has_daemon=0   # set from dist's --help below
hg_has_stats=0
grid_pids=()
daemon_sockets=()
distccd_pid=
build_pid=
sccache_port=
grid_stop() {
  [ ${#grid_pids[@]} -gt 0 ] || return 0
  kill "${grid_pids[@]}" 2>/dev/null
  wait "${grid_pids[@]}" 2>/dev/null
  grid_pids=()
}
# Stops the daemon serving socket $1: `hgbuild daemon --stop`, then, if it still listens, the
# process that owns the socket (found with ss; it is a daemon this script caused to start).
stop_daemon() {
  local sock=$1 pid
  [ -S "$sock" ] || return 0
  [ $hg_has_daemon = 1 ] && HG_DAEMON_SOCKET=$sock timeout 30 "$hgbuild" daemon --stop >/dev/null 2>&1
  for _ in $(seq 1 20); do [ -S "$sock" ] || return 0; sleep 0.25; done
  pid=$(ss -xlpn 2>/dev/null | grep -F " $sock " | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -f "$sock"
}

cleanup() {
  set +e
  if [ -n "$build_pid" ]; then kill "$build_pid" 2>/dev/null; wait "$build_pid" 2>/dev/null; fi
  for s in "${daemon_sockets[@]}"; do stop_daemon "$s"; done
  grid_stop
  [ -n "$sccache_port" ] && SCCACHE_SERVER_PORT=$sccache_port sccache --stop-server >/dev/null 2>&1
  if [ -n "$distccd_pid" ]; then kill "$distccd_pid" 2>/dev/null; wait "$distccd_pid" 2>/dev/null; fi
  if [ "$keep" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

free_port() {
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ------------------------------------------------------------------ hybrid-grid pieces

# Which flags and subcommands this dist has (features land in stages; the script adapts).
coord_help=$("$dist/bin/hg-coord" serve --help 2>&1)
worker_help=$("$dist/bin/hg-worker" serve --help 2>&1)
hg_help=$("$hgbuild" --help 2>&1)
has_flag() { grep -q -- "$2" <<<"$1"; }
has_sub() { grep -Eq "^[[:space:]]+$1([[:space:]]|$)" <<<"$hg_help"; }
hg_has_daemon=0; has_sub daemon && hg_has_daemon=1
hg_has_stats=0; has_sub stats && hg_has_stats=1
notes=()
[ $hg_has_daemon = 1 ] || notes+=("this hgbuild has no daemon (a JVM starts per compile)")
[ $hg_has_stats = 1 ] || notes+=("this hgbuild has no 'stats' command: cache hits not verified")
has_flag "$coord_help" --no-mdns || notes+=("hg-coord has no --no-mdns flag")

# Starts hg-coord and one hg-worker on free loopback ports with fresh state under $1.
grid_start() {
  local dir=$1 grpc http n
  mkdir -p "$dir/home" "$dir/work"
  grpc=$(free_port); http=$(free_port)
  local cflags=(serve --bind 127.0.0.1 --grpc-port "$grpc" --http-port "$http")
  has_flag "$coord_help" --no-mdns && cflags+=(--no-mdns)
  has_flag "$coord_help" --state-dir && cflags+=(--state-dir "$dir/coord-state")
  HG_JAVA_OPTS="-Duser.home=$dir/home" HOME=$dir/home \
    "$dist/bin/hg-coord" "${cflags[@]}" >"$dir/coord.log" 2>&1 &
  grid_pids+=($!)
  export HG_COORDINATOR=127.0.0.1:$grpc HG_HTTP=http://127.0.0.1:$http
  local wflags=(serve --coordinator "$HG_COORDINATOR" --max-parallel "$jobs" --id bench-worker
                --work-dir "$dir/work")
  has_flag "$worker_help" --no-mdns && wflags+=(--no-mdns)
  HG_JAVA_OPTS="-Duser.home=$dir/home" HOME=$dir/home \
    "$dist/bin/hg-worker" "${wflags[@]}" >"$dir/worker.log" 2>&1 &
  grid_pids+=($!)
  for _ in $(seq 1 120); do
    n=$(curl -s --max-time 2 "$HG_HTTP/api/v1/stats" 2>/dev/null \
      | "$py" -c 'import json,sys; print(json.load(sys.stdin)["workers"])' 2>/dev/null)
    [ "$n" = 1 ] && return 0
    sleep 0.5
  done
  log "grid did not come up (logs in $dir)"; return 1
}
coord_stats() { curl -s --max-time 5 "$HG_HTTP/api/v1/stats" >"$1" 2>/dev/null || : >"$1"; }
hg_stats() {
  if [ $hg_has_stats = 1 ]; then timeout 60 "$hgbuild" stats --json >"$1" 2>/dev/null || : >"$1"
  else : >"$1"; fi
}

# ------------------------------------------------------------------ workloads

# Per workload: tarball, its top directory, title, make arguments for the build and for clean,
# the compiler words after the configuration's prefix, the binary and a command that runs it.
declare -A wl_tar=([lua]=lua-5.4.4.tar.gz [zstd]=zstd-1.5.4.tar.xz)
declare -A wl_dir=([lua]=lua-5.4.4 [zstd]=zstd-1.5.4)
declare -A wl_title=([lua]="Lua 5.4.4 (make -C src posix, 34 files)" [zstd]="zstd 1.5.4 (make -C programs zstd, 42 files)")
declare -A wl_make=([lua]="-C src posix" [zstd]="-C programs zstd")
declare -A wl_clean=([lua]="-C src clean" [zstd]="-C programs clean")
# Lua's Makefile says CC= gcc -std=gnu99: every configuration passes the same flag.
declare -A wl_cc=([lua]="gcc -std=gnu99" [zstd]="gcc")
declare -A wl_bin=([lua]="src/lua" [zstd]="programs/zstd")
declare -A wl_check=([lua]="src/lua -v" [zstd]="programs/zstd -V")

workloads=()
for w in ${want_workloads//,/ }; do
  tarball=$workloads_dir/${wl_tar[$w]}
  if [ ! -f "$tarball" ]; then
    log "skipping $w: $tarball not found (set HG_WORKLOADS)"; notes+=("$w skipped: no tarball")
    continue
  fi
  mkdir -p "$work/src/$w"
  tar -xf "$tarball" -C "$work/src/$w" || { log "skipping $w: cannot unpack $tarball"; continue; }
  workloads+=("$w")
done
[ ${#workloads[@]} -gt 0 ] || die "no workload available in $workloads_dir"

tree() { printf '%s' "$work/src/$1/${wl_dir[$1]}"; }

csv_dir=$results
mkdir -p "$csv_dir"
stamp=$(date +%Y%m%d-%H%M%S)
csv=$csv_dir/client-$stamp.csv
echo "rep,workload,config,seconds,ok,hits,misses,remote,detail" >"$csv"

# build REP WORKLOAD CONFIG PREFIX: make clean (untimed), then the timed build with
# CC="PREFIX <workload's cc>"; checks exit status and the binary. Sets b_secs and b_ok.
build() {
  local rep=$1 w=$2 config=$3 prefix=$4 dir logf t0 t1 rc
  dir=$(tree "$w")
  logf=$work/logs/$w-$config-$rep.log
  make -C "$dir" ${wl_clean[$w]} >/dev/null 2>&1
  rm -f "$dir/${wl_bin[$w]}"
  t0=$(now)
  # In the background and waited for, so that a signal reaches the trap at once (cleanup stops it).
  (cd "$dir" && exec timeout "$build_timeout" make -j"$jobs" ${wl_make[$w]} \
      CC="${prefix:+$prefix }${wl_cc[$w]}") >"$logf" 2>&1 &
  build_pid=$!
  wait "$build_pid"
  rc=$?
  build_pid=
  t1=$(now)
  b_secs=$(elapsed "$t0" "$t1")
  b_ok=1
  if [ $rc -ne 0 ]; then
    b_ok=0; log "$w/$config rep $rep FAILED (exit $rc$([ $rc = 124 ] && echo ": timeout after ${build_timeout}s")); last lines of $logf:"
    tail -n 15 "$logf" >&2
  elif ! (cd "$dir" && ${wl_check[$w]}) >/dev/null 2>&1; then
    b_ok=0; log "$w/$config rep $rep: ${wl_bin[$w]} missing or does not run"
  fi
}
record() { # rep workload config hits misses remote detail
  echo "$1,$2,$3,$b_secs,$b_ok,$4,$5,$6,${7//,/;}" >>"$csv"
  log "$2 $3 rep $1: ${b_secs}s ok=$b_ok${4:+ hits=$4}${5:+ misses=$5}${6:+ remote=$6}"
  if [[ "$3" == *-warm ]] && [ -n "$5" ] && [ "$5" != 0 ]; then
    log "warning: $2 $3 rep $1 missed the cache $5 time(s): not a fully warm build"
  fi
}
delta() { "$py" "$here/client_report.py" delta "$@"; }

# ------------------------------------------------------------------ configurations

run_plain() { build "$1" "$2" plain ""; record "$1" "$2" plain "" "" "" ""; }

run_ccache() {
  local rep=$1 w=$2 d=$work/r$1-$2-ccache hits misses detail
  export CCACHE_DIR=$d
  rm -rf "$d"; mkdir -p "$d"
  ccache -z >/dev/null 2>&1; ccache --print-stats >"$d.before" 2>/dev/null
  build "$rep" "$w" ccache-cold ccache
  ccache --print-stats >"$d.after" 2>/dev/null
  IFS='|' read -r hits misses detail < <(delta ccache "$d.before" "$d.after")
  record "$rep" "$w" ccache-cold "$hits" "$misses" "" "$detail"
  ccache -z >/dev/null 2>&1; ccache --print-stats >"$d.before" 2>/dev/null
  build "$rep" "$w" ccache-warm ccache
  ccache --print-stats >"$d.after" 2>/dev/null
  IFS='|' read -r hits misses detail < <(delta ccache "$d.before" "$d.after")
  record "$rep" "$w" ccache-warm "$hits" "$misses" "" "$detail"
  unset CCACHE_DIR
  rm -rf "$d"
}

distcc_count() { grep -c 'completed ok' "$work/distccd.log" 2>/dev/null || true; }
run_distcc() {
  local rep=$1 w=$2 before after
  before=$(distcc_count)
  DISTCC_HOSTS="127.0.0.1:$distcc_port/$jobs" DISTCC_DIR=$work/distcc build "$rep" "$w" distcc distcc
  after=$(distcc_count)
  record "$rep" "$w" distcc "" "" "$((after - before))" "distccd_jobs_ok=$((after - before))"
}

run_sccache() {
  local rep=$1 w=$2 d=$work/r$1-$2-sccache hits misses detail
  rm -rf "$d"; mkdir -p "$d"
  sccache_port=$(free_port)
  export SCCACHE_DIR=$d SCCACHE_SERVER_PORT=$sccache_port SCCACHE_IDLE_TIMEOUT=600
  if ! sccache --start-server >"$work/logs/sccache-$rep-$w.log" 2>&1; then
    log "sccache server did not start"; unset SCCACHE_DIR SCCACHE_SERVER_PORT; return
  fi
  sccache --show-stats --stats-format json >"$d.before" 2>/dev/null
  build "$rep" "$w" sccache-cold sccache
  sccache --show-stats --stats-format json >"$d.after" 2>/dev/null
  IFS='|' read -r hits misses detail < <(delta sccache "$d.before" "$d.after")
  record "$rep" "$w" sccache-cold "$hits" "$misses" "" "$detail"
  sccache --show-stats --stats-format json >"$d.before" 2>/dev/null
  build "$rep" "$w" sccache-warm sccache
  sccache --show-stats --stats-format json >"$d.after" 2>/dev/null
  IFS='|' read -r hits misses detail < <(delta sccache "$d.before" "$d.after")
  record "$rep" "$w" sccache-warm "$hits" "$misses" "" "$detail"
  sccache --stop-server >/dev/null 2>&1
  sccache_port=
  unset SCCACHE_DIR SCCACHE_SERVER_PORT SCCACHE_IDLE_TIMEOUT
  rm -rf "$d"
}

# hgbuild env for one repetition: fresh grid (1 worker), local cache and daemon socket under $1.
hg_env_up() {
  local d=$1
  rm -rf "$d"; mkdir -p "$d/cache" "$d/daemon"
  chmod 700 "$d/daemon"
  export HG_CACHE_DIR=$d/cache HG_DAEMON_SOCKET=$d/daemon/daemon.sock HG_DAEMON_IDLE_TIMEOUT=900
  daemon_sockets+=("$HG_DAEMON_SOCKET")
  grid_start "$d/grid"
}
hg_env_down() {
  stop_daemon "$HG_DAEMON_SOCKET"
  grid_stop
  unset HG_CACHE_DIR HG_DAEMON_SOCKET HG_DAEMON_IDLE_TIMEOUT HG_COORDINATOR HG_HTTP
}

run_hgbuild() {
  local rep=$1 w=$2 d=$work/r$1-$2-hg hits misses detail remote cdetail t0 t1 rc config
  if ! hg_env_up "$d"; then
    b_secs=0; b_ok=0
    record "$rep" "$w" hgbuild-cold "" "" "" "grid did not start"
    hg_env_down; return
  fi
  # First call: starts the daemon (and its channel) with one tiny compile; timed on its own.
  mkdir -p "$d/first"
  printf 'int bench_first_call_%s_%s(void) { return %s; }\n' "$rep" "$w" "$rep" >"$d/first/first.c"
  t0=$(now)
  (cd "$d/first" && timeout 120 "$hgbuild" gcc -c first.c -o first.o) >"$work/logs/$w-first-$rep.log" 2>&1
  rc=$?
  t1=$(now); b_secs=$(elapsed "$t0" "$t1")
  b_ok=0; [ $rc = 0 ] && [ -f "$d/first/first.o" ] && b_ok=1
  record "$rep" "$w" hgbuild-start "" "" "" "daemon start + one tiny compile"
  for config in hgbuild-cold hgbuild-warm; do
    hg_stats "$d/hg.before"; coord_stats "$d/coord.before"
    build "$rep" "$w" "$config" "$hgbuild"
    hg_stats "$d/hg.after"; coord_stats "$d/coord.after"
    IFS='|' read -r hits misses detail < <(delta hgbuild "$d/hg.before" "$d/hg.after")
    IFS='|' read -r remote _ cdetail < <(delta coord "$d/coord.before" "$d/coord.after")
    record "$rep" "$w" "$config" "$hits" "$misses" "$remote" "$detail $cdetail"
  done
  if [ "$keep" = 1 ]; then cp "$d"/grid/*.log "$d"/daemon/*.log "$work/logs/" 2>/dev/null; fi
  hg_env_down
  rm -rf "$d"
}

# ------------------------------------------------------------------ run

if want distcc && have distccd; then
  distcc_port=$(free_port)
  mkdir -p "$work/distcc"
  # distccd drops root to its own user; --log-stderr keeps the log in a file we own.
  TMPDIR=/tmp distccd --daemon --no-detach --listen 127.0.0.1 --port "$distcc_port" --allow 127.0.0.1 \
    -j "$jobs" --log-stderr --log-level info 2>"$work/distccd.log" &
  distccd_pid=$!
fi

groups=()
want plain && groups+=(plain)
want hgbuild && groups+=(hgbuild)
want ccache && have ccache && groups+=(ccache)
want distcc && have distccd && groups+=(distcc)
want sccache && have sccache && groups+=(sccache)

{
  echo "command=$orig_cmd"
  echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo '+local changes')"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel=$(uname -sr)"
  echo "gcc=$(gcc --version | head -1)"
  echo "tools=$(ccache --version 2>/dev/null | head -1); $(distcc --version 2>/dev/null | head -1 | cut -d' ' -f1-2); $(sccache --version 2>/dev/null); $(hyperfine --version 2>/dev/null); java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "jobs=$jobs"
  echo "reps=$reps"
  echo "workloads=$(IFS=,; echo "${workloads[*]}")"
  echo "csv_rel=${csv#"$root"/}"
  for w in "${workloads[@]}"; do echo "title_$w=${wl_title[$w]}"; done
} >"$work/meta"

log "workloads: ${workloads[*]}; configurations: ${groups[*]}; $reps reps, make -j$jobs; temp $work"
for w in "${workloads[@]}"; do
  log "$w: untimed warm-up build"
  build 0 "$w" warmup ""
  [ "$b_ok" = 1 ] || die "$w does not build with plain make (log: $work/logs/$w-warmup-0.log)"
done

for rep in $(seq 1 "$reps"); do
  n=${#groups[@]}
  for w in "${workloads[@]}"; do
    for i in $(seq 0 $((n - 1))); do
      g=${groups[$(((i + rep - 1) % n))]}   # rotate the order per repetition
      "run_$g" "$rep" "$w"
    done
  done
done

# ------------------------------------------------------------------ cost of one cache hit

hitcost_json=
if want hitcost && have hyperfine && have ccache; then
  if [ -f "$(tree lua)/src/lapi.c" ] 2>/dev/null && [[ " ${workloads[*]} " == *" lua "* ]]; then
    src=$(tree lua)/src
    flags="-std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -c lapi.c"
    d=$work/hitcost
    if hg_env_up "$d"; then
      export CCACHE_DIR=$d/ccache
      mkdir -p "$d/out"
      hg_stats "$d/hg.before"; ccache -z >/dev/null; ccache --print-stats >"$d/cc.before"
      log "hit cost: hyperfine on lapi.c (gcc, ccache, hgbuild)"
      (cd "$src" && hyperfine -N --warmup 5 --min-runs 30 --export-json "$d/hf.json" \
          -n gcc "gcc $flags -o $d/out/gcc.o" \
          -n ccache "ccache gcc $flags -o $d/out/ccache.o" \
          -n hgbuild "$hgbuild gcc $flags -o $d/out/hgbuild.o") >"$work/logs/hyperfine.log" 2>&1 \
        || { log "hyperfine failed:"; tail -n 20 "$work/logs/hyperfine.log" >&2; }
      hg_stats "$d/hg.after"; ccache --print-stats >"$d/cc.after"
      if [ -s "$d/hf.json" ]; then
        IFS='|' read -r hg_hits _ hg_detail < <(delta hgbuild "$d/hg.before" "$d/hg.after")
        IFS='|' read -r cc_hits _ _ < <(delta ccache "$d/cc.before" "$d/cc.after")
        hitcost_json=$work/hitcost.json
        "$py" - "$d/hf.json" "$hitcost_json" "$hg_hits" "$cc_hits" "$flags" <<'EOF'
import json, sys
hf = json.load(open(sys.argv[1]))
for r in hf["results"]:  # keep the summary, not every sample
    r["runs"] = len(r.pop("times", []))
    r.pop("exit_codes", None)
hf["command"] = "<cc> " + sys.argv[5] + " -o out.o  (in lua-5.4.4/src)"
hf["hyperfine"] = "-N --warmup 5 --min-runs 30"
hf["hits"] = {"hgbuild": sys.argv[3] or "not verifiable", "ccache": sys.argv[4], "gcc": "-"}
json.dump(hf, open(sys.argv[2], "w"))
EOF
        log "hit cost: hgbuild hits counted: ${hg_hits:-n/a} ($hg_detail); ccache hits: $cc_hits"
        cp "$hitcost_json" "$csv_dir/client-$stamp-hitcost.json"
      fi
      unset CCACHE_DIR
    fi
    hg_env_down
    rm -rf "$d"
  else
    log "skipping the hit-cost measurement: needs the Lua workload (src/lapi.c)"
  fi
fi

# ------------------------------------------------------------------ report

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/meta"
[ ${#notes[@]} -gt 0 ] && echo "notes=$(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g')" >>"$work/meta"
cp "$work/meta" "$csv_dir/client-$stamp.meta"
if [ "$write_docs" = 1 ]; then
  out_md=$md; out_png=$png
else
  out_md=$work/benchmarks.md; out_png=$work/benchmarks-client.png
fi
mkdir -p "$(dirname "$out_md")" "$(dirname "$out_png")"
"$py" "$here/client_report.py" report --csv "$csv" --meta "$work/meta" \
  ${hitcost_json:+--hitcost "$hitcost_json"} --md "$out_md" --png "$out_png" \
  || die "report generation failed"
log "raw data: $csv"
[ "$write_docs" = 1 ] && log "wrote $out_md and $out_png"
exit 0
