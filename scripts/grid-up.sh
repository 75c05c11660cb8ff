#!/usr/bin/env bash
# Starts hg-coord and N workers on loopback with free ports, for the demo and tests.
# Usage: source scripts/grid-up.sh [workers] ; then use $HG_COORDINATOR, $HG_HTTP, grid_down.
# Everything listens on 127.0.0.1 only, with mDNS off (--no-mdns, HG_NO_MDNS=1): nothing is
# announced or looked up on the network. Logs go to $GRID_DIR.
set -u
_hg_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HG_DIST=${HG_DIST:-$_hg_root/dist}
GRID_DIR=${GRID_DIR:-$(mktemp -d /tmp/hg-grid.XXXXXX)}
# A worker running as root runs its sandbox as nobody, which must reach the task directories:
# they live apart from $GRID_DIR, which may also hold a daemon socket (that needs mode 0700).
GRID_WORK=$(mktemp -d /tmp/hg-grid-work.XXXXXX)
chmod 711 "$GRID_WORK"
_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
_grpc=$(_free_port); _http=$(_free_port)
"$HG_DIST/bin/hg-coord" serve --no-mdns --bind 127.0.0.1 --grpc-port "$_grpc" --http-port "$_http" \
  --state-dir "$GRID_DIR/coord-state" > "$GRID_DIR/coord.log" 2>&1 &
GRID_PIDS=$!
export HG_COORDINATOR=127.0.0.1:$_grpc
export HG_HTTP=http://127.0.0.1:$_http
export HG_NO_MDNS=1
for i in $(seq 1 "${1:-2}"); do
  "$HG_DIST/bin/hg-worker" serve --no-mdns --coordinator "$HG_COORDINATOR" --max-parallel 2 --id "worker-$i" \
    --work-dir "$GRID_WORK/work-$i" --cas-dir "$GRID_WORK/cas-$i" > "$GRID_DIR/worker-$i.log" 2>&1 &
  GRID_PIDS="$GRID_PIDS $!"
done
# Always succeeds: the processes end by SIGTERM, whose 143 must not become the exit status of
# a script that calls this from its EXIT trap.
grid_down() {
  kill $GRID_PIDS 2>/dev/null || true
  wait $GRID_PIDS 2>/dev/null || true
  rm -rf "$GRID_WORK"
}
# Wait (at most 60 s) until every worker has registered.
for _ in $(seq 1 120); do
  n=$(curl -s "$HG_HTTP/api/v1/stats" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["workers"])' 2>/dev/null || echo 0)
  [ "$n" = "${1:-2}" ] && break
  sleep 0.5
done
