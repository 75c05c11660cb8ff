package io.hybridgrid.cli.cache;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The caches this process has opened, one per directory, so a daemon serving clients with different
 * {@code HG_CACHE_DIR}s keeps each one's counters and locks straight. Thread-safe.
 */
public final class CacheRegistry {
  private final Clock clock;
  private final ConcurrentMap<Path, LocalCache> caches = new ConcurrentHashMap<>();

  /**
   * @param clock the time set on entries at a hit
   */
  public CacheRegistry(Clock clock) {
    this.clock = clock;
  }

  /** The cache in {@code dir} (absolute, normalised). */
  public LocalCache open(Path dir) {
    return caches.computeIfAbsent(dir, d -> new LocalCache(d, clock));
  }
}
