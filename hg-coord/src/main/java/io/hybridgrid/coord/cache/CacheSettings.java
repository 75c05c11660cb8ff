package io.hybridgrid.coord.cache;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the shared result cache is set up.
 *
 * @param enabled false for {@code --no-cache}
 * @param memoryBytes the memory tier's bound (0 = no memory tier)
 * @param dir the disk tier's directory
 * @param diskBytes the disk tier's bound (0 = no disk tier)
 */
public record CacheSettings(boolean enabled, long memoryBytes, Path dir, long diskBytes) {
  /** The default memory bound: 512 MiB. */
  public static final long DEFAULT_MEMORY_BYTES = 512L << 20;

  /** The default disk bound: 10 GiB. */
  public static final long DEFAULT_DISK_BYTES = 10L << 30;

  public CacheSettings {
    Objects.requireNonNull(dir, "dir");
    if (memoryBytes < 0 || diskBytes < 0) {
      throw new IllegalArgumentException("cache sizes must not be negative");
    }
  }

  /** No cache. */
  public static CacheSettings off() {
    return new CacheSettings(false, 0, Path.of("."), 0);
  }
}
