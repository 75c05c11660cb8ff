#!/usr/bin/env bash
# The daemon's CPU per cache hit (issue 8): N hits in a row of one Lua compile (lapi.c, the
# Makefile's flags) through DIST's launcher and daemon, reading the daemon's user+sys CPU (its own
# and reaped children's, /proc/PID/stat) before and after. Uses the cache and daemon socket that
# bench/hit-ab.sh keeps under $HIT_WORK/NAME (run that first: it fills and warms the cache).
#
#   bench/hit-cpu.sh DIST NAME N        e.g. bench/hit-cpu.sh dist after 800
set -uo pipefail
dist=$1 name=$2 n=$3
W=${HIT_WORK:-/tmp/hit/w}
export HG_COORDINATOR=${HG_COORDINATOR:-127.0.0.1:47811} HG_CACHE_DIR=$W/$name/cache
export HG_DAEMON_SOCKET=$W/$name/d/daemon.sock HG_DAEMON_IDLE_TIMEOUT=900
cd "$W/lua-5.4.4/src" || { echo "run bench/hit-ab.sh first (no $W/lua-5.4.4)" >&2; exit 1; }
flags="-std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -c lapi.c -o $W/hit-cpu.o"
"$dist/bin/hgbuild" gcc $flags || exit 1   # starts the daemon if none runs
pid=$(cat "$W/$name/d/daemon.pid")
cpu() { awk '{print $14+$15+$16+$17}' "/proc/$pid/stat"; }
a=$(cpu); t0=$(date +%s%N)
for _ in $(seq "$n"); do "$dist/bin/hgbuild" gcc $flags; done
t1=$(date +%s%N); b=$(cpu)
echo "$name: daemon CPU per hit $(echo "scale=3; ($b-$a)*1000/$(getconf CLK_TCK)/$n" | bc) ms;" \
  "wall per hit $(echo "scale=3; ($t1-$t0)/1000000/$n" | bc) ms ($n hits)"
