package io.hybridgrid.coord.cache;

import java.util.Optional;

/** The coordinator's shared cache of successful compile results. Thread-safe. */
public interface ResultCache extends AutoCloseable {
  /** Whether lookups can ever hit (callers skip computing keys otherwise). */
  boolean enabled();

  /** The result stored under {@code key}, if any; counts a hit or a miss. */
  Optional<CachedResult> get(CacheKey key);

  /** Stores a successful result (only worker results with exit code 0 may be passed). */
  void put(CacheKey key, CachedResult result);

  /** Removes the entry of {@code key} from every tier, if any (purging a quarantined worker). */
  void remove(CacheKey key);

  CacheStats stats();

  /** Finishes pending disk writes (bounded) and releases resources. */
  @Override
  void close();

  /** A cache that never stores anything. */
  static ResultCache disabled() {
    return new ResultCache() {
      @Override
      public boolean enabled() {
        return false;
      }

      @Override
      public Optional<CachedResult> get(CacheKey key) {
        return Optional.empty();
      }

      @Override
      public void put(CacheKey key, CachedResult result) {}

      @Override
      public void remove(CacheKey key) {}

      @Override
      public CacheStats stats() {
        return CacheStats.DISABLED;
      }

      @Override
      public void close() {}
    };
  }
}
