package io.hybridgrid.cli.cache;

import net.openhft.hashing.LongTupleHashFunction;

/**
 * A 128-bit XXH3 digest: a cache key, or the hash of a file's content.
 *
 * @param hi the first 64 bits
 * @param lo the last 64 bits
 */
public record Hash128(long hi, long lo) {

  private static final LongTupleHashFunction XX128 = LongTupleHashFunction.xx128();

  /** The digest of {@code bytes[off, off+len)}. */
  public static Hash128 of(byte[] bytes, int off, int len) {
    long[] r = XX128.hashBytes(bytes, off, len);
    return new Hash128(r[0], r[1]);
  }

  /** The digest of {@code bytes}. */
  public static Hash128 of(byte[] bytes) {
    return of(bytes, 0, bytes.length);
  }

  /** 32 lower-case hex digits. */
  public String hex() {
    return String.format("%016x%016x", hi, lo);
  }

  /** Parses {@link #hex()}. */
  public static Hash128 parseHex(String hex) {
    if (hex.length() != 32) {
      throw new IllegalArgumentException("a 128-bit key has 32 hex digits, not '" + hex + "'");
    }
    return new Hash128(
        Long.parseUnsignedLong(hex.substring(0, 16), 16),
        Long.parseUnsignedLong(hex.substring(16), 16));
  }
}
