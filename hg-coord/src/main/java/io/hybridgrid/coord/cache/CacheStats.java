package io.hybridgrid.coord.cache;

/**
 * Counters and sizes of the shared result cache.
 *
 * @param enabled whether the cache is on
 * @param hits lookups answered (from memory or disk)
 * @param misses lookups not answered
 * @param diskHits the part of {@code hits} read from disk
 * @param stores results written
 * @param memoryEntries entries in the memory tier
 * @param memoryBytes bytes held by the memory tier (output bytes plus a small per-entry overhead)
 * @param diskEntries entries in the disk tier
 * @param diskBytes bytes of the disk tier's files
 * @param corrupt disk entries dropped because they failed their checksum
 */
public record CacheStats(
    boolean enabled,
    long hits,
    long misses,
    long diskHits,
    long stores,
    long memoryEntries,
    long memoryBytes,
    long diskEntries,
    long diskBytes,
    long corrupt) {
  /** The stats of a cache that is off. */
  public static final CacheStats DISABLED = new CacheStats(false, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
