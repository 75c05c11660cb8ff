package io.hybridgrid.coord.cas;

import io.hybridgrid.common.hash.Sha256Hex;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A blob's identity: SHA-256 of its bytes as 64 lower-case hex digits, and its size.
 *
 * @param hash the SHA-256, lower-case hex
 * @param size the blob's length in bytes
 */
public record Digest(String hash, long size) {
  private static final HexFormat HEX = HexFormat.of();

  /** The digest of the empty blob, which every store holds without storing it. */
  public static final Digest EMPTY = of(new byte[0]);

  public Digest {
    Objects.requireNonNull(hash, "hash");
    if (!Sha256Hex.isValid(hash)) {
      throw new IllegalArgumentException(
          "digest hash must be 64 lower-case hex digits (SHA-256), not '" + shorten(hash) + "'");
    }
    if (size < 0) {
      throw new IllegalArgumentException("digest " + hash + " has a negative size " + size);
    }
  }

  /** The digest of {@code data}. */
  public static Digest of(byte[] data) {
    MessageDigest sha = sha256();
    return new Digest(HEX.formatHex(sha.digest(data)), data.length);
  }

  /** A fresh SHA-256 instance. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Lower-case hex of finished SHA-256 bytes. */
  static String hex(byte[] sha) {
    return HEX.formatHex(sha);
  }

  @Override
  public String toString() {
    return hash + "/" + size;
  }

  private static String shorten(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
