package io.hybridgrid.coord.cas;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the content-addressed store is set up.
 *
 * @param memoryBytes bound of the memory tier that keeps small blobs for fast batch reads (0 = no
 *     memory tier)
 * @param dir the disk tier's directory (every blob lives there; kept across restarts)
 * @param diskBytes bound of the disk tier; least recently used blobs are deleted beyond it
 * @param maxBlobBytes the largest blob accepted
 */
public record CasSettings(long memoryBytes, Path dir, long diskBytes, long maxBlobBytes) {
  /** Default memory tier: 256 MiB. */
  public static final long DEFAULT_MEMORY_BYTES = 256L << 20;

  /** Default disk tier: 20 GiB. */
  public static final long DEFAULT_DISK_BYTES = 20L << 30;

  /** Default largest blob: 1 GiB. */
  public static final long DEFAULT_MAX_BLOB_BYTES = 1L << 30;

  public CasSettings {
    Objects.requireNonNull(dir, "dir");
    if (memoryBytes < 0) {
      throw new IllegalArgumentException("CAS memory bound must not be negative");
    }
    if (diskBytes <= 0) {
      throw new IllegalArgumentException(
          "CAS disk bound must be positive (--cas-disk-size), not " + diskBytes);
    }
    if (maxBlobBytes <= 0) {
      throw new IllegalArgumentException("largest CAS blob must be positive, not " + maxBlobBytes);
    }
  }

  /** The defaults, with the disk tier in {@code dir}. */
  public static CasSettings defaults(Path dir) {
    return new CasSettings(DEFAULT_MEMORY_BYTES, dir, DEFAULT_DISK_BYTES, DEFAULT_MAX_BLOB_BYTES);
  }

  /** The largest blob that can be stored: the blob cap, or the disk bound if that is lower. */
  public long storableBytes() {
    return Math.min(maxBlobBytes, diskBytes);
  }
}
