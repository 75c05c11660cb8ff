package io.hybridgrid.cli.action;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A blob's identity in the grid's content-addressed store: SHA-256 of its bytes (lowercase hex) and
 * its size. Cryptographic because the store is shared by every client.
 *
 * @param hash 64 lowercase hex digits
 * @param sizeBytes the blob's length
 */
public record Digest(String hash, long sizeBytes) {
  public Digest {
    Objects.requireNonNull(hash, "hash");
    if (hash.length() != 64) {
      throw new IllegalArgumentException("a SHA-256 digest has 64 hex digits, not: " + hash);
    }
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("negative blob size " + sizeBytes);
    }
  }

  /** The digest of {@code bytes}. */
  public static Digest of(byte[] bytes) {
    MessageDigest sha = sha256();
    return new Digest(HexFormat.of().formatHex(sha.digest(bytes)), bytes.length);
  }

  /** The digest of {@code file}'s contents as they are now, read in 64 KiB pieces. */
  public static Digest ofFile(Path file) throws IOException {
    MessageDigest sha = sha256();
    long size = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        size += n;
      }
    }
    return new Digest(HexFormat.of().formatHex(sha.digest()), size);
  }

  /** A fresh SHA-256 instance (every JDK has one). */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return hash + "/" + sizeBytes;
  }
}
