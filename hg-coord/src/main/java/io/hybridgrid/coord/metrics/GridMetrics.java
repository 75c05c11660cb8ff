package io.hybridgrid.coord.metrics;

import java.util.function.LongSupplier;

/**
 * The metrics the coordinator's code paths report into, beyond what the {@link
 * io.hybridgrid.coord.dispatch.DispatchListener} hears. Each method is called by the code path its
 * metric names; {@link #NONE} for tests and tools that keep no metrics. Thread-safe.
 */
public interface GridMetrics {
  /** Keeps nothing. */
  GridMetrics NONE = new GridMetrics() {};

  /** Where a compile was served. */
  enum Placement {
    /** On a worker. */
    REMOTE,
    /** From the coordinator's shared result cache. */
    CACHE,
    /** From the client's own cache. */
    LOCAL_CACHE,
    /** On the client, by choice (not distributable). */
    LOCAL,
    /** On the client because the grid could not serve. */
    FALLBACK;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How a compile ended. */
  enum Outcome {
    SUCCESS,
    COMPILE_ERROR,
    FAILED;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A compile was served at {@code placement} (counted once, by whoever served it). */
  default void task(Placement placement, Outcome outcome) {}

  /** A lookup in cache tier {@code tier} ("memory", "disk", "local"). */
  default void cacheLookup(String tier, boolean hit) {}

  /** Clients compiled {@code count} files locally because the grid could not serve. */
  default void fallbacks(String reason, long count) {}

  /**
   * A message crossed the network.
   *
   * @param direction "in" or "out" of this process
   * @param peer "client" or "worker"
   */
  default void transfer(String direction, String peer, long bytes) {}

  // --- content-addressed store (hook: the CAS in hg-coord) ---

  /** The CAS reports its size through these (read at scrape time). */
  default void casStore(LongSupplier blobs, LongSupplier bytes) {}

  /** The toolchain ledger reports through these (read at scrape time). */
  default void toolchains(LongSupplier seen, LongSupplier uploadedBytes) {}

  /** A blob of {@code bytes} was uploaded into the CAS. */
  default void casUpload(long bytes) {}

  // --- result verification (hook: the verifier) ---

  /**
   * A result verification ended with {@code outcome}: {@code match}, {@code mismatch}, {@code
   * undecided}, {@code unverified} or {@code skipped} (see coord/verify's {@code VerifyOutcome}).
   */
  default void verification(String outcome) {}

  /** {@code workerId} was quarantined after a mismatch. */
  default void quarantined(String workerId) {}
}
