#!/usr/bin/env bash
# Issue 8's benchmark: client CPU per remote compile of hgbuild against distcc's client, and the
# cold build with ONE loopback worker against plain make and distcc, side by side in one run, on
# Lua 5.4.4, zstd 1.5.4 and libzmq 4.3.4 (CMake + Ninja). Writes bench/results/hermetic-<date>.csv
# and .meta and the `hermetic-bench` section of docs/benchmarks.md. See bench/README.md.
#
# Everything runs on 127.0.0.1; every server this script starts is stopped on exit and its temp
# dir removed. Takes many minutes: not part of ./mvnw verify.
set -uo pipefail

usage() {
  cat <<'EOF'
Usage: bench/hermetic-bench.sh [options]
  --reps N          repetitions of every configuration (default 5)
  --jobs N          make/ninja -jN, the worker's --max-parallel and distccd's -j (default: nproc)
  --workloads LIST  comma-separated subset of: lua,zstd,libzmq (default: all three)
  --configs LIST    comma-separated subset of: plain,distcc,hgbuild,resident,warmgrid,mscan (default: all;
                    plain is always run, it gives the reference and the non-compile CPU).
                    hgbuild: a fresh daemon and a fresh grid per build, every cache and store
                    empty; resident: the daemon has already run one uncached build of the
                    workload (HG_NO_CACHE=1, untimed), as a daemon that stays up between builds
                    has, then the grid is replaced by a fresh one, which gets the toolchain
                    from one tiny compile as for hgbuild: the timed build meets new coordinator
                    and worker JVMs, stores holding only the toolchain, and empty caches;
                    warmgrid: as resident, but the grid that served the untimed build stays:
                    its JVMs are warm and its stores already hold every input (only the local
                    cache and the action cache are empty), as on a team's long-running grid;
                    mscan: as resident, with scan = compiler (inputs found by gcc -M)
  --warm-builds N   untimed uncached builds resident, warmgrid and mscan run first (default 1);
                    more let a warm grid's JIT settle, as on a grid that has served many builds
  --label TEXT      a line printed at the top of the report (e.g. which path the dist uses)
  --timeout S       limit for one build, seconds (default 1800)
  --md FILE         markdown file that receives the section (default docs/benchmarks.md)
  --results DIR     where the raw CSV goes (default bench/results)
  --server-java-opts TEXT
                    JVM options added to the coordinator's and worker's (HG_JAVA_OPTS), e.g.
                    -XX:TieredStopAtLevel=1 to compare C1-only servers; the command line in the
                    report shows them
  --dist DIR        the Hybrid-Grid distribution to measure (default $HG_DIST, else dist/;
                    dist/ is built with ./mvnw when missing)
  --no-docs         write only the CSV and print the report
  --keep            keep the temp dir (build logs, daemon/grid logs)
Environment: HG_WORKLOADS (default: ../shared/workloads next to the repository).
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
orig_cmd="bench/hermetic-bench.sh$(printf ' %q' "$@")"

reps=5
warm_builds=1
jobs=$(nproc)
want_workloads=lua,zstd,libzmq
want_configs=plain,distcc,hgbuild,resident,warmgrid,mscan
label=
build_timeout=1800
md=$root/docs/benchmarks.md
results=$root/bench/results
write_docs=1
keep=0
dist=${HG_DIST:-$root/dist}
server_java_opts=
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=${2:?--reps needs a number}; shift 2 ;;
    --warm-builds) warm_builds=${2:?--warm-builds needs a number}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --workloads) want_workloads=${2:?--workloads needs a list}; shift 2 ;;
    --configs) want_configs=${2:?--configs needs a list}; shift 2 ;;
    --label) label=${2?--label needs a text}; shift 2 ;;
    --timeout) build_timeout=${2:?--timeout needs seconds}; shift 2 ;;
    --md) md=$(realpath -m "${2:?--md needs a file}"); shift 2 ;;
    --results) results=$(realpath -m "${2:?--results needs a dir}"); shift 2 ;;
    --dist) dist=$(realpath -m "${2:?--dist needs a directory}"); shift 2 ;;
    --server-java-opts) server_java_opts=${2?--server-java-opts needs a text}; shift 2 ;;
    --no-docs) write_docs=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "hermetic-bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$reps" "$jobs" "$build_timeout"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "hermetic-bench: '$n' is not a positive integer" >&2; exit 2; }
done
for c in ${want_configs//,/ }; do
  case "$c" in plain|distcc|hgbuild|resident|warmgrid|mscan) ;;
    *) echo "hermetic-bench: unknown configuration '$c' in --configs" >&2; exit 2 ;; esac
done
for w in ${want_workloads//,/ }; do
  case "$w" in lua|zstd|libzmq) ;;
    *) echo "hermetic-bench: unknown workload '$w' in --workloads" >&2; exit 2 ;; esac
done
want() { [[ ",$want_configs," == *",$1,"* ]]; }

log() { printf '[hermetic-bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ------------------------------------------------------------------ tools

declare -A pkg_of=([distcc]=distcc [distccd]=distcc [curl]=curl [make]=make [gcc]=gcc
                   [g++]=g++ [cmake]=cmake [ninja]=ninja-build)
missing=()
for t in "${!pkg_of[@]}"; do command -v "$t" >/dev/null 2>&1 || missing+=("${pkg_of[$t]}"); done
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null \
      || log "apt-get install failed; what needs ${missing[*]} is skipped"
  else
    log "missing ${missing[*]} (not root or no apt-get); what needs them is skipped"
  fi
fi
have() { command -v "$1" >/dev/null 2>&1; }
have make && have gcc && have python3 && have curl || die "make, gcc, python3 and curl are required"
py() { python3 "$here/hermetic_bench.py" "$@"; }
notes=()
if want distcc && ! { have distcc && have distccd; }; then
  log "skipping distcc: not installed"; want_configs=${want_configs//distcc/}; notes+=("distcc not installed")
fi
# distccd runs only compilers that have a masquerade link in /usr/lib/distcc.
if have distccd && [ ! -e /usr/lib/distcc/gcc ] && [ "$(id -u)" = 0 ] && have update-distcc-symlinks; then
  update-distcc-symlinks >/dev/null 2>&1 || true
fi

hgbuild=$dist/bin/hgbuild
if want hgbuild; then
  if [ ! -x "$hgbuild" ] && [ "$dist" = "$root/dist" ]; then
    log "dist/ is missing: building it (./mvnw -B -q package -DskipTests)"
    (cd "$root" && ./mvnw -B -q package -DskipTests) || die "building dist/ failed"
  fi
  [ -x "$hgbuild" ] || die "$hgbuild not found (--dist)"
fi

workloads_dir=${HG_WORKLOADS:-}
if [ -z "$workloads_dir" ]; then
  workloads_dir=$(dirname "$root")/shared/workloads
  common=$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)
  if [ ! -d "$workloads_dir" ] && [ -n "$common" ]; then
    workloads_dir=$(dirname "$(dirname "$common")")/shared/workloads
  fi
fi

# Nothing inherited from the user's own setup of these tools.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(HG_|DISTCC_|CCACHE_)')
export LC_ALL=C
export HG_NO_MDNS=1

work=$(mktemp -d /tmp/hg-hbench.XXXXXX)
# A worker running as root refuses a --work-dir whose ancestors the sandbox's unprivileged user
# cannot traverse; mktemp makes the directory 0700.
chmod 711 "$work"
export HOME=$work/home TMPDIR=$work/tmp
mkdir -p "$HOME" "$TMPDIR" "$work/logs"

# ------------------------------------------------------------------ cleanup

grid_pids=()
daemon_sockets=()
distccd_pid=
stop_daemon() {
  local sock=$1
  [ -S "$sock" ] || return 0
  HG_DAEMON_SOCKET=$sock timeout 30 "$hgbuild" daemon --stop >/dev/null 2>&1
  for _ in $(seq 1 20); do [ -S "$sock" ] || return 0; sleep 0.25; done
  local pid
  pid=$(cat "${sock%.sock}.pid" 2>/dev/null)
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -f "$sock"
}
grid_stop() {
  [ ${#grid_pids[@]} -gt 0 ] || return 0
  kill "${grid_pids[@]}" 2>/dev/null
  wait "${grid_pids[@]}" 2>/dev/null
  grid_pids=()
}
cleanup() {
  set +e
  for s in "${daemon_sockets[@]}"; do stop_daemon "$s"; done
  grid_stop
  if [ -n "$distccd_pid" ]; then kill "$distccd_pid" 2>/dev/null; wait "$distccd_pid" 2>/dev/null; fi
  if [ "$keep" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ------------------------------------------------------------------ grid

grid_start() {
  local dir=$1 grpc http n
  mkdir -p "$dir/home" "$dir/work"
  grpc=$(free_port); http=$(free_port)
  HG_JAVA_OPTS="-Duser.home=$dir/home $server_java_opts" HOME=$dir/home \
    "$dist/bin/hg-coord" serve --bind 127.0.0.1 --grpc-port "$grpc" --http-port "$http" \
    --no-mdns --state-dir "$dir/coord-state" >"$dir/coord.log" 2>&1 &
  grid_pids+=($!)
  export HG_COORDINATOR=127.0.0.1:$grpc HG_HTTP=http://127.0.0.1:$http
  HG_JAVA_OPTS="-Duser.home=$dir/home $server_java_opts" HOME=$dir/home \
    "$dist/bin/hg-worker" serve --coordinator "$HG_COORDINATOR" --max-parallel "$jobs" \
    --id bench-worker --work-dir "$dir/work" --no-mdns >"$dir/worker.log" 2>&1 &
  grid_pids+=($!)
  for _ in $(seq 1 240); do
    n=$(curl -s --max-time 2 "$HG_HTTP/api/v1/stats" 2>/dev/null \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["workers"])' 2>/dev/null)
    [ "$n" = 1 ] && return 0
    sleep 0.5
  done
  log "grid did not come up (logs in $dir)"; return 1
}
coord_completed() {
  curl -s --max-time 5 "$HG_HTTP/api/v1/stats" 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["tasks_completed"])' 2>/dev/null || echo ""
}

# ------------------------------------------------------------------ workloads

declare -A wl_tar=([lua]=lua-5.4.4.tar.gz [zstd]=zstd-1.5.4.tar.xz [libzmq]=libzmq-4.3.4.tar.gz)
declare -A wl_dir=([lua]=lua-5.4.4 [zstd]=zstd-1.5.4 [libzmq]=libzmq-4.3.4)
declare -A wl_title=([lua]="Lua 5.4.4 (make -C src posix, C)" [zstd]="zstd 1.5.4 (make -C programs zstd, C)"
                     [libzmq]="libzmq 4.3.4 (CMake + Ninja, RelWithDebInfo, C++)")
# libzmq's options for a short offline build (the same as HermeticBuildsIT): no tests, perf
# tools, docs, drafts, static library, CPack, precompiled headers; built-in tweetnacl/strlcpy.
zmq_options=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTS=OFF -DBUILD_STATIC=OFF
             -DWITH_PERF_TOOL=OFF -DWITH_DOCS=OFF -DWITH_DOC=OFF -DENABLE_DRAFTS=OFF
             -DWITH_LIBSODIUM=OFF -DWITH_LIBBSD=OFF -DENABLE_CPACK=OFF -DENABLE_PRECOMPILED=OFF)

workloads=()
for w in ${want_workloads//,/ }; do
  tarball=$workloads_dir/${wl_tar[$w]}
  if [ ! -f "$tarball" ]; then
    log "skipping $w: $tarball not found (set HG_WORKLOADS)"; notes+=("$w skipped: no tarball"); continue
  fi
  if [ "$w" = libzmq ] && ! { have cmake && have ninja && have g++; }; then
    log "skipping libzmq: needs cmake, ninja and g++"; notes+=("libzmq skipped: no cmake/ninja/g++"); continue
  fi
  mkdir -p "$work/src/$w"
  tar -xf "$tarball" -C "$work/src/$w" || { log "skipping $w: cannot unpack $tarball"; continue; }
  workloads+=("$w")
done
[ ${#workloads[@]} -gt 0 ] || die "no workload available in $workloads_dir"
tree() { printf '%s' "$work/src/$1/${wl_dir[$1]}"; }

# The prefix each configuration puts before the compiler ("" for plain).
prefix_of() {
  case "$1" in plain) echo "" ;; distcc) echo distcc ;; hgbuild|resident|warmgrid|mscan) echo "$hgbuild" ;; esac
}

# libzmq: one CMake build directory per configuration, configured once, untimed; the launcher
# is CMake's CMAKE_<LANG>_COMPILER_LAUNCHER. Configured without a grid: hgbuild compiles
# CMake's checks locally.
zmq_configure() {
  local config=$1 dir p
  dir=$(tree libzmq)
  p=$(prefix_of "$config")
  # Every hgbuild configuration builds in build-hgbuild (build_cmd names it so).
  case "$config" in resident|warmgrid|mscan) config=hgbuild ;; esac
  local extra=()
  [ -n "$p" ] && extra=(-DCMAKE_C_COMPILER_LAUNCHER="$p" -DCMAKE_CXX_COMPILER_LAUNCHER="$p")
  (cd "$dir" && cmake -S . -B "build-$config" "${zmq_options[@]}" "${extra[@]}") \
    >"$work/logs/libzmq-cmake-$config.log" 2>&1
}

# clean_cmd / build_cmd WORKLOAD CONFIG: the shell commands, run in the workload's tree.
clean_cmd() {
  case "$1" in
    lua) echo "make -C src clean" ;;
    zstd) echo "make -C programs clean" ;;
    libzmq) echo "ninja -C build-$2 -t clean" ;;
  esac
}
build_cmd() {
  local p
  p=$(prefix_of "$2")
  case "$1" in
    lua) echo "make -C src posix -j$jobs CC='${p:+$p }gcc -std=gnu99'" ;;
    zstd) echo "make -C programs zstd -j$jobs CC='${p:+$p }gcc'" ;;
    libzmq) echo "ninja -C build-$2 -j$jobs" ;;
  esac
}
# Removes what the relink-only build must redo: the binaries and libraries, not the objects.
unlink_cmd() {
  case "$1" in
    lua) echo "rm -f src/lua src/luac src/liblua.a" ;;
    zstd) echo "rm -f programs/zstd" ;;
    libzmq) echo "rm -f build-plain/lib/libzmq.so*" ;;
  esac
}
count_objects() {
  case "$1" in
    lua) find "$(tree lua)/src" -name '*.o' | wc -l ;;
    zstd) find "$(tree zstd)/programs" -name '*.o' | wc -l ;;
    libzmq) find "$(tree libzmq)/build-plain/CMakeFiles" -name '*.o' | wc -l ;;
  esac
}

stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
csv=$results/hermetic-$stamp.csv
echo "rep,workload,config,wall_s,tree_cpu_s,daemon_cpu_s,remote,compiles,ok" >"$csv"
row() { echo "$1,$2,$3,$4,$5,$6,$7,$8,$9" >>"$csv"; }

# timed WORKLOAD TAG COMMAND: runs COMMAND in the tree under the CPU meter; sets t_wall, t_cpu, t_rc.
timed() {
  local w=$1 tag=$2 cmd=$3 m=$work/m.$$
  (cd "$(tree "$w")" && py run "$m" timeout "$build_timeout" bash -c "$cmd") >"$work/logs/$w-$tag.log" 2>&1
  read -r t_wall t_cpu t_rc <"$m" || { t_wall=; t_cpu=; t_rc=1; }
  rm -f "$m"
  if [ "$t_rc" != 0 ]; then
    log "$w $tag FAILED (exit $t_rc); last lines of $work/logs/$w-$tag.log:"; tail -n 15 "$work/logs/$w-$tag.log" >&2
  fi
}

declare -A compiles
distcc_count() { grep -c 'completed ok' "$work/distccd.log" 2>/dev/null || true; }

run_plain() {
  local rep=$1 w=$2
  (cd "$(tree "$w")" && eval "$(clean_cmd "$w" plain)") >/dev/null 2>&1
  timed "$w" "plain-$rep" "$(build_cmd "$w" plain)"
  local ok=0; [ "$t_rc" = 0 ] && ok=1
  row "$rep" "$w" plain "$t_wall" "$t_cpu" "" "" "${compiles[$w]}" "$ok"
  log "$w plain rep $rep: ${t_wall}s, CPU ${t_cpu}s"
  # The non-compile work of the same build: objects up to date, binaries removed, plain gcc.
  (cd "$(tree "$w")" && eval "$(unlink_cmd "$w")")
  timed "$w" "relink-$rep" "$(build_cmd "$w" plain)"
  ok=0; [ "$t_rc" = 0 ] && ok=1
  row "$rep" "$w" relink "$t_wall" "$t_cpu" "" "" "" "$ok"
}

run_distcc() {
  local rep=$1 w=$2 before after ok=0
  (cd "$(tree "$w")" && eval "$(clean_cmd "$w" distcc)") >/dev/null 2>&1
  before=$(distcc_count)
  export DISTCC_HOSTS="127.0.0.1:$distcc_port/$jobs" DISTCC_DIR=$work/distcc
  timed "$w" "distcc-$rep" "$(build_cmd "$w" distcc)"
  unset DISTCC_HOSTS DISTCC_DIR
  after=$(distcc_count)
  [ "$t_rc" = 0 ] && ok=1
  row "$rep" "$w" distcc "$t_wall" "$t_cpu" "" "$((after - before))" "${compiles[$w]}" "$ok"
  log "$w distcc rep $rep: ${t_wall}s, CPU ${t_cpu}s, remote $((after - before))/${compiles[$w]}"
}

run_resident() { run_hgbuild "$1" "$2" resident; }
run_warmgrid() { run_hgbuild "$1" "$2" warmgrid; }
# As resident, with the inputs found by the compiler's -M instead of hgbuild's include scan.
run_mscan() { HG_SCAN=compiler run_hgbuild "$1" "$2" mscan; }

# tiny_compile DIR NAME: one small compile through hgbuild in DIR (NAME.c, a new function each
# time, so no cache holds it): starts the daemon, and gives a new grid the toolchain.
tiny_compile() {
  printf 'int bench_%s(void) { return 0; }\n' "$2" >"$1/$2.c"
  (cd "$1" && timeout 120 "$hgbuild" gcc -c "$2.c" -o "$2.o")
}

# run_hgbuild REP WORKLOAD [resident|warmgrid|mscan]
run_hgbuild() {
  local rep=$1 w=$2 config=${3:-hgbuild} d=$work/r$1-$2-hg pid c0 c1 n0 n1 ok=0 grid up
  rm -rf "$d"; mkdir -p "$d/cache" "$d/daemon" "$d/first"; chmod 700 "$d/daemon"
  export HG_CACHE_DIR=$d/cache HG_DAEMON_SOCKET=$d/daemon/daemon.sock HG_DAEMON_IDLE_TIMEOUT=1800
  daemon_sockets+=("$HG_DAEMON_SOCKET")
  grid=$d/grid
  if grid_start "$grid"; then
    # The daemon starts before the timed build, with one tiny compile (its time is reported apart).
    local t0=$EPOCHREALTIME
    tiny_compile "$d/first" "first_${rep}_$w" >"$work/logs/$w-first-$rep.log" 2>&1
    local rc=$? first; first=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
    row "$rep" "$w" hgbuild-start "$first" "" "" "" "" "$([ $rc = 0 ] && echo 1 || echo 0)"
    pid=$(cat "$d/daemon/daemon.pid" 2>/dev/null)
    up=1
    if [ "$config" != hgbuild ]; then
      # Untimed: one build through the same daemon that neither reads nor fills a cache, so the
      # timed build meets a daemon that has run before. It fills the grid's stores and warms its
      # JVMs, so unless the configuration is warmgrid that grid is replaced by a fresh one.
      local k
      for k in $(seq 1 "$warm_builds"); do
        (cd "$(tree "$w")" && eval "$(clean_cmd "$w" hgbuild)" && export HG_NO_CACHE=1 && eval "$(build_cmd "$w" hgbuild)") \
          >>"$work/logs/$w-$config-warm-$rep.log" 2>&1 || log "warning: $w $config warm-up build $k failed"
      done
      if [ "$config" != warmgrid ]; then
        [ "$keep" = 1 ] && for f in "$grid"/*.log; do cp "$f" "$work/logs/warm-$(basename "$f")"; done
        grid_stop
        grid=$d/grid2
        # As for a fresh daemon: the new grid gets the toolchain from one tiny compile, untimed.
        if grid_start "$grid"; then
          tiny_compile "$d/first" "again_${rep}_$w" >>"$work/logs/$w-first-$rep.log" 2>&1
        else
          up=0
        fi
      fi
    fi
  fi
  if [ "$up" = 1 ]; then
    (cd "$(tree "$w")" && eval "$(clean_cmd "$w" hgbuild)") >/dev/null 2>&1
    n0=$(coord_completed)
    c0=$([ -n "$pid" ] && py cpu "$pid" || echo nan)
    timed "$w" "$config-$rep" "$(build_cmd "$w" hgbuild)"
    c1=$([ -n "$pid" ] && py cpu "$pid" || echo nan)
    n1=$(coord_completed)
    [ "$t_rc" = 0 ] && ok=1
    local dcpu remote
    dcpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { if (a == "nan" || b == "nan") print ""; else printf "%.3f", b - a }')
    remote=$([ -n "$n0" ] && [ -n "$n1" ] && echo $((n1 - n0)))
    [ -z "$dcpu" ] && log "warning: no daemon pid/CPU for $w rep $rep (is daemon.pid beside the socket?)"
    row "$rep" "$w" "$config" "$t_wall" "$t_cpu" "$dcpu" "$remote" "${compiles[$w]}" "$ok"
    log "$w $config rep $rep: ${t_wall}s, CPU ${t_cpu}s + daemon ${dcpu}s, remote $remote/${compiles[$w]}"
    [ "$keep" = 1 ] && cp "$grid"/*.log "$d"/daemon/*.log "$work/logs/" 2>/dev/null
  else
    row "$rep" "$w" "$config" "" "" "" "" "${compiles[$w]}" 0
  fi
  stop_daemon "$HG_DAEMON_SOCKET"
  grid_stop
  unset HG_CACHE_DIR HG_DAEMON_SOCKET HG_DAEMON_IDLE_TIMEOUT HG_COORDINATOR HG_HTTP
  rm -rf "$d"
}

# ------------------------------------------------------------------ run

if want distcc; then
  distcc_port=$(free_port)
  mkdir -p "$work/distcc"
  TMPDIR=/tmp distccd --daemon --no-detach --listen 127.0.0.1 --port "$distcc_port" --allow 127.0.0.1 \
    -j "$jobs" --log-stderr --log-level info 2>"$work/distccd.log" &
  distccd_pid=$!
fi

groups=(plain)
want distcc && groups+=(distcc)
want hgbuild && groups+=(hgbuild)
want resident && groups+=(resident)
want warmgrid && groups+=(warmgrid)
want mscan && groups+=(mscan)

{
  echo "command=$orig_cmd"
  echo "label=$label"
  echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo '+local changes')"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel=$(uname -sr)"
  echo "tools=$(gcc --version | head -1); $(g++ --version 2>/dev/null | head -1); $(distcc --version 2>/dev/null | head -1 | cut -d' ' -f1-2); $(cmake --version 2>/dev/null | head -1); ninja $(ninja --version 2>/dev/null); java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "jobs=$jobs"
  echo "reps=$reps"
  echo "warm_builds=$warm_builds"
  echo "workloads=$(IFS=,; echo "${workloads[*]}")"
  echo "csv_rel=${csv#"$root"/}"
  for w in "${workloads[@]}"; do echo "title_$w=${wl_title[$w]}"; done
} >"$work/meta"

log "workloads: ${workloads[*]}; configurations: ${groups[*]}; $reps reps, -j$jobs; temp $work"
for w in "${workloads[@]}"; do
  if [ "$w" = libzmq ]; then
    for g in "${groups[@]}"; do zmq_configure "$g" || die "cmake for libzmq ($g) failed: $work/logs/libzmq-cmake-$g.log"; done
  fi
  log "$w: untimed warm-up build"
  timed "$w" warmup "$(build_cmd "$w" plain)"
  [ "$t_rc" = 0 ] || die "$w does not build with plain tools"
  compiles[$w]=$(count_objects "$w")
  log "$w: ${compiles[$w]} compiles per build"
done

for rep in $(seq 1 "$reps"); do
  n=${#groups[@]}
  for w in "${workloads[@]}"; do
    for i in $(seq 0 $((n - 1))); do
      g=${groups[$(((i + rep - 1) % n))]}
      "run_$g" "$rep" "$w"
    done
  done
done

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/meta"
[ ${#notes[@]} -gt 0 ] && echo "notes=$(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g')" >>"$work/meta"
cp "$work/meta" "$results/hermetic-$stamp.meta"
out_md=$md
[ "$write_docs" = 1 ] || out_md=$work/benchmarks.md
py report --csv "$csv" --meta "$work/meta" --md "$out_md" || die "report generation failed"
log "raw data: $csv"
[ "$write_docs" = 1 ] && log "wrote $out_md"
exit 0
