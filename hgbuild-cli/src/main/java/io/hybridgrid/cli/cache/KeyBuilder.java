package io.hybridgrid.cli.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Collects the parts of a cache key into one buffer and hashes it with XXH3-128. Every part is
 * length-prefixed and tagged, so {@code ("ab","c")} and {@code ("a","bc")} never collide. Large
 * contents (the preprocessed unit, a source file) go in as their own 128-bit digests.
 */
public final class KeyBuilder {
  private byte[] buf = new byte[512];
  private int len;

  /** Adds a tagged string. */
  public KeyBuilder put(String tag, String value) {
    putRaw(tag);
    if (value == null) {
      putLong(-1);
    } else {
      putRaw(value);
    }
    return this;
  }

  /** Adds a tagged number. */
  public KeyBuilder put(String tag, long value) {
    putRaw(tag);
    putLong(value);
    return this;
  }

  /** Adds a tagged digest. */
  public KeyBuilder put(String tag, Hash128 digest) {
    putRaw(tag);
    putLong(digest.hi());
    putLong(digest.lo());
    return this;
  }

  /** The key. */
  public Hash128 build() {
    return Hash128.of(buf, 0, len);
  }

  private void putRaw(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    putLong(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  private void putLong(long v) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[len++] = (byte) (v >>> (56 - 8 * i));
    }
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }
}
