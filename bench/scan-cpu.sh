#!/usr/bin/env bash
# Client CPU of finding a remote compile's inputs, per compile, on Lua 5.4.4's sources:
# the dependency scan the client runs now (`-M`, issue 8) against the preprocessing it ran before
# (`-E -fdirectives-only` / clang `-E -frewrite-includes`), with a full `-E` (what distcc's client
# runs) and the compile itself for scale. CPU = user + sys of the compiler processes, from
# /usr/bin/time over ROUNDS passes over every Lua source.
#
#   bench/scan-cpu.sh [ROUNDS]      (default 3; needs gcc, clang, ../shared/workloads)
set -euo pipefail
ROUNDS=${1:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
TARBALL=${LUA_TARBALL:-$HERE/../../shared/workloads/lua-5.4.4.tar.gz}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
tar xzf "$TARBALL" -C "$WORK"
cd "$WORK/lua-5.4.4/src"
FLAGS="-std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX"
SOURCES=$(ls *.c | tr '\n' ' ')
N=$(( $(echo "$SOURCES" | wc -w) * ROUNDS ))

measure() { # label, command template with $CC and $f
  local label=$1 cc=$2 template=$3
  /usr/bin/time -f "%U %S" -o "$WORK/t" bash -c "
    for r in \$(seq $ROUNDS); do for f in $SOURCES; do CC=$cc; FLAGS='$FLAGS'; $template; done; done"
  read -r user sys < "$WORK/t"
  awk -v l="$label" -v u="$user" -v s="$sys" -v n="$N" \
    'BEGIN { printf "%-44s %7.2f ms CPU per compile (%d runs)\n", l, (u + s) * 1000 / n, n }'
}

echo "Lua 5.4.4, $(echo "$SOURCES" | wc -w) sources x $ROUNDS rounds"
echo "$(gcc --version | head -1); $(clang --version | head -1)"
measure "gcc -M (dependency scan, now)" gcc '$CC $FLAGS -M -MT hg $f > /dev/null'
measure "gcc -E -fdirectives-only (before)" gcc '$CC $FLAGS -E -fdirectives-only $f -o u.i'
measure "gcc -E (full, as distcc)" gcc '$CC $FLAGS -E $f -o u.i'
measure "clang -M (dependency scan, now)" clang '$CC $FLAGS -M -MT hg $f > /dev/null'
measure "clang -E -frewrite-includes (before)" clang '$CC $FLAGS -E -frewrite-includes $f -o u.i'
measure "gcc -c (the compile, for scale)" gcc '$CC $FLAGS -c $f -o u.o'
