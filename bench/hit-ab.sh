#!/usr/bin/env bash
# Interleaved A/B of the warm rebuild (issue 8, "cache-hit cost and warm rebuild"): Lua 5.4.4,
# `make -j2 posix` after `make clean`, every compile a local-cache hit, for one or more hgbuild
# distributions and ccache, in one run with the order rotated per repetition.
#
#   bench/hit-ab.sh REPS name=DIST [name=DIST ...]     e.g. bench/hit-ab.sh 20 before=/tmp/d0 after=dist
#
# Each distribution gets its own cache and daemon socket under $HIT_WORK (default /tmp/hit/w); a
# coordinator and one worker from the first distribution run on 127.0.0.1:47811/47812 unless
# HG_COORDINATOR is set. Every cache is filled by one build and warmed by a second before the timed
# builds. RESTART=1 stops each daemon before each timed build and runs one untimed warm build on
# the new one (a daemon in its second build, as in client-bench.sh's hgbuild warm). Prints the
# median per configuration and its ratio to ccache's. Leaves the grid running (pids in
# $HIT_WORK/grid/*.pid). Not part of ./mvnw verify.
set -uo pipefail
reps=$1; shift
W=${HIT_WORK:-/tmp/hit/w}; mkdir -p $W
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
workloads=${HG_WORKLOADS:-$(dirname "$(git -C "$here" rev-parse --path-format=absolute --git-common-dir)")/../shared/workloads}
src=$W/lua-5.4.4
[ -d $src ] || tar -xzf "$workloads/lua-5.4.4.tar.gz" -C $W || { echo "no $workloads/lua-5.4.4.tar.gz" >&2; exit 1; }
names=(); declare -A dists
for a in "$@"; do n=${a%%=*}; names+=("$n"); dists[$n]=${a#*=}; done
# grid from the first dist: coord + worker
d0=${dists[${names[0]}]}
if [ -z "${HG_COORDINATOR:-}" ]; then
  rm -rf $W/grid; mkdir -p $W/grid/home $W/grid/work
  HG_JAVA_OPTS="-Duser.home=$W/grid/home" HOME=$W/grid/home $d0/bin/hg-coord serve --bind 127.0.0.1 --grpc-port 47811 --http-port 47812 --no-mdns --state-dir $W/grid/cs >$W/grid/coord.log 2>&1 &
  echo $! > $W/grid/coord.pid
  HG_JAVA_OPTS="-Duser.home=$W/grid/home" HOME=$W/grid/home $d0/bin/hg-worker serve --coordinator 127.0.0.1:47811 --max-parallel 2 --id bench-worker --no-mdns --work-dir $W/grid/work >$W/grid/worker.log 2>&1 &
  echo $! > $W/grid/worker.pid
  for i in $(seq 60); do curl -s http://127.0.0.1:47812/api/v1/stats | grep -q '"workers":1' && break; sleep 1; done
fi
export HG_COORDINATOR=127.0.0.1:47811
build() { # name prefix -> prints seconds
  make -C $src -s clean >/dev/null 2>&1
  local t0=$(date +%s.%N)
  make -C $src -j2 -s posix CC="$1 gcc -std=gnu99" >$W/build.log 2>&1 || { echo FAIL >&2; tail $W/build.log >&2; }
  local t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
envfor() { echo "HG_CACHE_DIR=$W/$1/cache HG_DAEMON_SOCKET=$W/$1/d/daemon.sock HG_DAEMON_IDLE_TIMEOUT=900"; }
for n in "${names[@]}"; do
  rm -rf $W/$n; mkdir -p $W/$n/cache $W/$n/d; chmod 700 $W/$n/d
  env $(envfor $n) bash -c "$(declare -f build); src=$src; build ${dists[$n]}/bin/hgbuild" >/dev/null   # cold fill
  env $(envfor $n) bash -c "$(declare -f build); src=$src; build ${dists[$n]}/bin/hgbuild" >/dev/null   # warm-up
done
export CCACHE_DIR=$W/ccache; rm -rf $CCACHE_DIR
build ccache >/dev/null; build ccache >/dev/null
all=("${names[@]}" ccache)
: > $W/results.txt
for r in $(seq $reps); do
  k=${#all[@]}
  for i in $(seq 0 $((k-1))); do
    c=${all[$(((i + r) % k))]}
    if [ $c = ccache ]; then s=$(build ccache); else
      if [ "${RESTART:-0}" = 1 ]; then
        env $(envfor $c) ${dists[$c]}/bin/hgbuild daemon --stop >/dev/null 2>&1; sleep 0.5
        env $(envfor $c) bash -c "$(declare -f build); src=$src; build ${dists[$c]}/bin/hgbuild" >/dev/null
      fi
      s=$(env $(envfor $c) bash -c "$(declare -f build); src=$src; build ${dists[$c]}/bin/hgbuild"); fi
    echo "$r $c $s" >> $W/results.txt
  done
done
for n in "${names[@]}"; do env $(envfor $n) ${dists[$n]}/bin/hgbuild daemon --stop >/dev/null 2>&1; done
python3 - $W/results.txt <<'PY'
import sys, statistics as st, collections
d=collections.defaultdict(list)
for l in open(sys.argv[1]):
    r,c,s=l.split(); d[c].append(float(s))
cc=st.median(d['ccache'])
for c,v in d.items():
    print(f"{c:10s} n={len(v)} median={st.median(v):.4f}s min={min(v):.4f} ratio_vs_ccache={st.median(v)/cc:.3f}")
PY
