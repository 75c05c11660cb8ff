#!/usr/bin/env bash
# Measures the wall time of `gcc -c` for every Lua 5.4.4 and zstd 1.5.4 library source file, one
# at a time, and prints "project file microseconds" lines: the data the scheduler benchmark's
# lognormal (median, sigma) is fitted to. Usage: bench/measure-compile-times.sh [WORKLOADS_DIR]
# (default /work/shared/workloads, holding lua-5.4.4.tar.gz and zstd-1.5.4.tar.xz).
set -euo pipefail
workloads=${1:-/work/shared/workloads}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$workloads/lua-5.4.4.tar.gz" -C "$tmp"
tar -xJf "$workloads/zstd-1.5.4.tar.xz" -C "$tmp"
time_us() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000)); }
cd "$tmp/lua-5.4.4/src"
for f in *.c; do
  echo "lua $f $(time_us gcc -std=gnu99 -O2 -Wall -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -c "$f" -o "$tmp/o.o")"
done
cd "$tmp/zstd-1.5.4/lib"
for f in common/*.c compress/*.c decompress/*.c dictBuilder/*.c; do
  echo "zstd $f $(time_us gcc -O3 -c "$f" -o "$tmp/o.o")"
done
