#!/usr/bin/env bash
# The demo: a coordinator and two workers on loopback, a multi-file C project built through the
# grid, and where each file was compiled. Needs dist/ (./mvnw -B -q package -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[ -x "$root/dist/bin/hgbuild" ] || { echo "demo: dist/ is missing; run ./mvnw -B -q package -DskipTests" >&2; exit 1; }
command -v gcc >/dev/null || { echo "demo: gcc is not installed" >&2; exit 1; }

source "$here/grid-up.sh" 2
# The demo's own compile daemon (the launcher starts it on first use), stopped at the end.
export HG_DAEMON_SOCKET="$GRID_DIR/daemon.sock"
trap '"$root/dist/bin/hgbuild" daemon --stop >/dev/null; grid_down' EXIT
echo "== hg-coord on $HG_COORDINATOR (HTTP $HG_HTTP), two workers connected:"
"$root/dist/bin/hgbuild" workers

work=$(mktemp -d /tmp/hg-demo.XXXXXX)
cp "$here"/demo-project/* "$work/"
echo
echo "== make -j2 CC=\"hgbuild gcc\" in $work"
HG_VERBOSE=1 make -s -C "$work" -j2 CC="$root/dist/bin/hgbuild gcc" 2>&1 | sed -n 's/^hgbuild: /  /p'
echo
echo "== the program runs:"
"$work/wordfreq"
echo
echo "== coordinator stats ($HG_HTTP/api/v1/stats):"
curl -s "$HG_HTTP/api/v1/stats"; echo
rm -rf "$work"
