package io.hybridgrid.worker.cas;

import io.hybridgrid.common.hash.Sha256Hex;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A blob's identity: the SHA-256 of its bytes (64 lowercase hex characters) and its size.
 *
 * @param hash lowercase hex SHA-256
 * @param size bytes
 */
public record BlobDigest(String hash, long size) {
  /** The digest of the empty blob. */
  public static final BlobDigest EMPTY = of(new byte[0]);

  public BlobDigest {
    if (!Sha256Hex.isValid(hash)) {
      throw new IllegalArgumentException(
          "not a SHA-256 digest (64 lowercase hex characters): '" + hash + "'");
    }
    if (size < 0) {
      throw new IllegalArgumentException("negative blob size " + size + " for " + hash);
    }
  }

  /** The digest of {@code bytes}. */
  public static BlobDigest of(byte[] bytes) {
    MessageDigest md = sha256();
    return new BlobDigest(HexFormat.of().formatHex(md.digest(bytes)), bytes.length);
  }

  /** A new SHA-256 instance. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** {@code hash/size}, as logs and errors show it. */
  @Override
  public String toString() {
    return hash + "/" + size;
  }
}
