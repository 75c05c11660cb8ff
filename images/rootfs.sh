#!/bin/sh
# Builds the root file system the container images start from (Jib's base is `scratch`: no
# registry can be reached while building, and none is needed): a Java runtime made by jlink from
# the JDK that runs the build, the shared libraries it links (copied from this machine, so the
# image matches the build host's C library), an /etc/passwd with the unprivileged user the
# programs run as, and /tmp. Usage: rootfs.sh JAVA_HOME OUTPUT_DIR
set -eu
jdk=$1
out=$(realpath -m "$2")
rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/var/lib/hybridgrid"
"$jdk/bin/jlink" --add-modules \
  java.base,java.logging,java.management,jdk.management,java.naming,java.net.http,java.sql,java.xml,jdk.crypto.ec,jdk.unsupported,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/opt/java"
# Every library the runtime's programs and libraries load, and the dynamic loader.
find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null |
  awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | grep -v "^$out" | sort -u |
  while read -r lib; do
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
  done
cat > "$out/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
hybridgrid:x:65532:65532:Hybrid-Grid:/var/lib/hybridgrid:/sbin/nologin
PASSWD
cat > "$out/etc/group" <<GROUP
root:x:0:
hybridgrid:x:65532:
GROUP
chmod 1777 "$out/tmp"  # Jib applies 777 (it cannot set the sticky bit); one user runs in the image
