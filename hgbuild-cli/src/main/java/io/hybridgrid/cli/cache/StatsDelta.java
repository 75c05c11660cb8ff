package io.hybridgrid.cli.cache;

import java.util.Map;
import java.util.TreeMap;

/**
 * The counter changes of one invocation, written to the cache directory's stats file in one locked
 * update at its end. Not thread-safe: each invocation has its own.
 */
public final class StatsDelta {
  /** A result served in direct mode (no preprocessor run). */
  public static final String HITS_DIRECT = "hits.direct";

  /** A result served after preprocessing. */
  public static final String HITS_PREPROCESSED = "hits.preprocessed";

  /** A cacheable compile that found nothing. */
  public static final String MISSES = "misses";

  /** Compiles done on the grid. */
  public static final String REMOTE = "compiles.remote";

  /** Compiles done on this machine (non-distributable ones and fallbacks). */
  public static final String LOCAL = "compiles.local";

  /** Distributable compiles done here because the grid could not serve. */
  public static final String FALLBACKS = "fallbacks";

  /** Entries that failed their checksum or did not parse, and were deleted. */
  public static final String CORRUPT = "entries.corrupt";

  /** Entries removed to stay under the size limit. */
  public static final String EVICTIONS = "evictions";

  /** Prefix of the per-reason uncacheable counters. */
  public static final String UNCACHEABLE = "uncacheable.";

  static final String TRACKED_BYTES = "tracked.bytes";
  static final String TRACKED_FILES = "tracked.files";

  private final Map<String, Long> changes = new TreeMap<>();

  /** Adds {@code n} to {@code counter}. */
  public void add(String counter, long n) {
    changes.merge(counter, n, Long::sum);
  }

  /** Adds one to {@code counter}. */
  public void increment(String counter) {
    add(counter, 1);
  }

  /** Counts one uncacheable invocation under {@code reason}. */
  public void uncacheable(UncacheableReason reason) {
    increment(UNCACHEABLE + reason.slug());
  }

  /** The change of {@code counter} so far. */
  public long get(String counter) {
    return changes.getOrDefault(counter, 0L);
  }

  boolean isEmpty() {
    return changes.isEmpty();
  }

  Map<String, Long> changes() {
    return changes;
  }
}
