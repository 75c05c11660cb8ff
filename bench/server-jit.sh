#!/usr/bin/env bash
# Where a grid's server CPU goes per build, by thread, under each JIT policy (HG_SERVER_JIT, and
# C1 only through HG_JAVA_OPTS), on a loopback grid: coordinator + ONE worker + a resident
# daemon. For each policy a fresh grid serves WARM uncached Lua builds (HG_NO_CACHE=1), then N
# more are measured: every thread's user+sys CPU (/proc/PID/task/TID/stat) of the coordinator,
# worker and daemon before and after, summed by thread name (digits folded), per build.
#
#   bench/server-jit.sh [--warm N] [--builds N] [--policies LIST] [--dist DIR]
#
# --warm: untimed builds first (default 4); --builds: measured builds (default 3); --policies:
# comma-separated subset of c1,tiered,c1only (default all three; c1only = HG_SERVER_JIT=tiered
# plus -XX:TieredStopAtLevel=1). Needs Lua 5.4.4 in ../shared/workloads (or HG_WORKLOADS). All on
# 127.0.0.1 with mDNS off; everything started is stopped on exit. Prints one line per process.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
warm=4
builds=3
policies=c1,tiered,c1only
dist=${HG_DIST:-$root/dist}
while [ $# -gt 0 ]; do
  case "$1" in
    --warm) warm=${2:?--warm needs a number}; shift 2 ;;
    --builds) builds=${2:?--builds needs a number}; shift 2 ;;
    --policies) policies=${2:?--policies needs a list}; shift 2 ;;
    --dist) dist=$(realpath -m "${2:?--dist needs a directory}"); shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "server-jit.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
workloads=${HG_WORKLOADS:-$(dirname "$root")/shared/workloads}
lua_tar=$workloads/lua-5.4.4.tar.gz
[ -f "$lua_tar" ] || { echo "server-jit.sh: no $lua_tar (set HG_WORKLOADS)" >&2; exit 2; }
[ -x "$dist/bin/hg-coord" ] || { echo "server-jit.sh: no distribution at $dist (./mvnw install)" >&2; exit 2; }

work=$(mktemp -d /tmp/hg-server-jit.XXXXXX)
chmod 711 "$work"
pids=()
cleanup() {
  [ -n "${HG_DAEMON_SOCKET:-}" ] && "$dist/bin/hgbuild" daemon --stop >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

snapshot() { # pid... -> "pid name ticks" per thread
  local p t
  for p in "$@"; do
    for t in /proc/"$p"/task/*; do
      echo "$p $(tr ' ' '_' <"$t/comm" | sed 's/[0-9]\+/N/g') $(awk '{print $14+$15}' "$t/stat" 2>/dev/null || echo 0)"
    done
  done
}

measure() { # policy
  local policy=$1 g h d opts jit=c1
  d=$work/$policy; mkdir -p "$d/home" "$d/src"; mkdir -m 700 "$d/s"
  opts="-Duser.home=$d/home"
  case "$policy" in
    c1) jit=c1 ;;
    tiered) jit=tiered ;;
    c1only) jit=tiered; opts="$opts -XX:TieredStopAtLevel=1" ;;
    *) echo "server-jit.sh: unknown policy '$policy'" >&2; exit 2 ;;
  esac
  g=$(free_port); h=$(free_port)
  HG_SERVER_JIT=$jit HG_JAVA_OPTS="$opts" HOME=$d/home "$dist/bin/hg-coord" serve --bind 127.0.0.1 \
    --grpc-port "$g" --http-port "$h" --no-mdns --state-dir "$d/cs" >"$d/coord.log" 2>&1 &
  local coord=$!; pids+=("$coord")
  HG_SERVER_JIT=$jit HG_JAVA_OPTS="$opts" HOME=$d/home "$dist/bin/hg-worker" serve \
    --coordinator "127.0.0.1:$g" --max-parallel 2 --id bench --work-dir "$d/work" --no-mdns \
    --no-http >"$d/worker.log" 2>&1 &
  local worker=$!; pids+=("$worker")
  local i
  for i in $(seq 120); do
    curl -sf "http://127.0.0.1:$h/api/v1/stats" | grep -q '"workers":1' && break
    sleep 0.5
  done
  tar -xf "$lua_tar" -C "$d/src"
  export HG_COORDINATOR=127.0.0.1:$g HG_CACHE_DIR=$d/cache HG_DAEMON_SOCKET=$d/s/daemon.sock \
    HG_NO_FALLBACK=1 HG_NO_CACHE=1 HG_DAEMON_IDLE_TIMEOUT=1800
  local lua=$d/src/lua-5.4.4 hg=$dist/bin/hgbuild
  build() { make -s -C "$lua/src" clean >/dev/null; make -s -C "$lua/src" posix -j2 CC="$hg gcc -std=gnu99" >/dev/null 2>&1; }
  for i in $(seq "$warm"); do build || { echo "server-jit.sh: $policy: warm-up build failed" >&2; exit 1; }; done
  local daemon; daemon=$(cat "$d/s/daemon.pid")
  snapshot "$coord" "$worker" "$daemon" >"$d/before"
  for i in $(seq "$builds"); do build || { echo "server-jit.sh: $policy: build failed" >&2; exit 1; }; done
  snapshot "$coord" "$worker" "$daemon" >"$d/after"
  python3 - "$d/before" "$d/after" "$coord" "$worker" "$daemon" "$builds" "$policy" "$(grep -h -o 'JIT: .*' "$d/coord.log" | head -1)" <<'PY'
import collections, sys
before, after = collections.Counter(), collections.Counter()
for f, c in ((sys.argv[1], before), (sys.argv[2], after)):
    for line in open(f):
        p, n, v = line.split()
        c[(p, n)] += int(v)
n = int(sys.argv[6])
print(f"policy {sys.argv[7]} ({sys.argv[8]}), per build (ms), {n} builds:")
for pid, name in ((sys.argv[3], "coordinator"), (sys.argv[4], "worker"), (sys.argv[5], "daemon")):
    # threads that ended between the snapshots are left out; new ones count from zero
    rows = [(t, (after[(q, t)] - before.get((q, t), 0)) * 10 / n) for (q, t) in after if q == pid]
    rows = sorted((r for r in rows if r[1] >= 0), key=lambda r: -r[1])
    jit = sum(v for t, v in rows if t.startswith("CN_Compiler") or t.startswith("CN_CompilerThre"))
    total = sum(v for _, v in rows)
    top = ", ".join(f"{t} {v:.0f}" for t, v in rows if v >= 5)
    print(f"  {name:12s} total {total:6.0f}  JIT {jit:5.0f}  | {top}")
PY
  "$hg" daemon --stop >/dev/null 2>&1 || true
  kill "$coord" "$worker" 2>/dev/null || true
  wait "$coord" "$worker" 2>/dev/null || true
  unset HG_DAEMON_SOCKET
}

echo "server-jit.sh: $dist, $warm warm-up + $builds measured uncached Lua builds per policy, -j2"
IFS=, read -r -a list <<<"$policies"
for p in "${list[@]}"; do measure "$p"; done
