package io.hybridgrid.coord.cache;

import java.util.Arrays;
import java.util.HexFormat;

/** The name of one cached compile: a SHA-256 digest the coordinator computed itself. */
public final class CacheKey {
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] digest;
  private final int hash;

  private CacheKey(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("a cache key is 32 bytes, not " + digest.length);
    }
    this.digest = digest.clone();
    this.hash = Arrays.hashCode(digest);
  }

  /** The key with these 32 digest bytes. */
  public static CacheKey of(byte[] sha256) {
    return new CacheKey(sha256);
  }

  /** The key written as 64 lower-case hex digits; anything else is an error. */
  public static CacheKey parse(String hex) {
    if (hex.length() != 64) {
      throw new IllegalArgumentException("a cache key is 64 hex digits: " + hex);
    }
    return new CacheKey(HEX.parseHex(hex));
  }

  /** The digest bytes (a copy). */
  public byte[] bytes() {
    return digest.clone();
  }

  /** 64 lower-case hex digits. */
  public String hex() {
    return HEX.formatHex(digest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k && Arrays.equals(digest, k.digest);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return hex();
  }
}
