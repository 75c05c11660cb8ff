#!/usr/bin/env bash
# Splits the hgbuild daemon's CPU during one Lua build through a loopback grid into its own (JVM)
# CPU and its reaped children's (the gcc -M dependency scans), the numbers docs/benchmarks.md
# quotes under "Where the client's CPU goes". Usage:
#   bench/daemon-cpu-split.sh [WARM]   WARM = uncached builds (HG_NO_CACHE=1) run first through the
#                                      same daemon, untimed (0 = a fresh daemon, the default)
# Needs dist/ (./mvnw package) and ../shared/workloads/lua-5.4.4.tar.gz; runs on 127.0.0.1 only
# and removes its temp dir on exit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=${HG_DIST:-$root/dist}
lua=${HG_WORKLOADS:-$root/../shared/workloads}/lua-5.4.4.tar.gz
warm=${1:-0}
[ -x "$dist/bin/hgbuild" ] || { echo "daemon-cpu-split: no $dist/bin/hgbuild (run ./mvnw package)" >&2; exit 2; }
[ -f "$lua" ] || { echo "daemon-cpu-split: no $lua (set HG_WORKLOADS)" >&2; exit 2; }
w=$(mktemp -d /tmp/hg-cpusplit.XXXXXX)
chmod 711 "$w" # a root worker's sandbox user must traverse its --work-dir
pids=()
cleanup() {
  HG_DAEMON_SOCKET=$w/d/d.sock "$dist/bin/hgbuild" daemon --stop >/dev/null 2>&1 || true
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$w"
}
trap cleanup EXIT
export HOME=$w/home HG_NO_MDNS=1 LC_ALL=C
mkdir -p "$HOME" "$w/work" "$w/d" "$w/lua"; chmod 700 "$w/d"
tar xzf "$lua" -C "$w/lua" --strip-components=1
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
g=$(port); h=$(port)
"$dist/bin/hg-coord" serve --bind 127.0.0.1 --grpc-port "$g" --http-port "$h" --no-mdns \
  --state-dir "$w/cs" >"$w/coord.log" 2>&1 & pids+=($!)
"$dist/bin/hg-worker" serve --coordinator "127.0.0.1:$g" --max-parallel 2 --id w1 \
  --work-dir "$w/work" --no-mdns >"$w/worker.log" 2>&1 & pids+=($!)
export HG_COORDINATOR=127.0.0.1:$g HG_CACHE_DIR=$w/cache HG_DAEMON_SOCKET=$w/d/d.sock HG_NO_FALLBACK=1
for _ in $(seq 120); do curl -s "127.0.0.1:$h/api/v1/stats" | grep -q '"workers":1' && break; sleep 0.5; done
echo 'int f(void) { return 1; }' >"$w/first.c"
(cd "$w" && "$dist/bin/hgbuild" gcc -c first.c -o first.o)
dp=$(cat "$w/d/d.pid")
cd "$w/lua/src"
for _ in $(seq 1 "$warm"); do
  HG_NO_CACHE=1 make -j2 posix CC="$dist/bin/hgbuild gcc" >/dev/null 2>&1; make clean >/dev/null
done
read -r u s cu cs < <(awk '{print $14, $15, $16, $17}' "/proc/$dp/stat")
n0=$(curl -s "127.0.0.1:$h/api/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tasks_completed"])')
make -j2 posix CC="$dist/bin/hgbuild gcc" >"$w/make.log" 2>&1
read -r u2 s2 cu2 cs2 < <(awk '{print $14, $15, $16, $17}' "/proc/$dp/stat")
n1=$(curl -s "127.0.0.1:$h/api/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tasks_completed"])')
hz=$(getconf CLK_TCK)
python3 - "$((u2 - u + s2 - s))" "$((cu2 - cu + cs2 - cs))" "$((n1 - n0))" "$hz" "$warm" <<'PY'
import sys
own, kids, n, hz, warm = (int(x) for x in sys.argv[1:])
print(f"warm-up builds {warm}; remote compiles {n}; per compile: daemon JVM {own / hz / n * 1000:.1f} ms, "
      f"its children (dependency scans) {kids / hz / n * 1000:.1f} ms")
PY
