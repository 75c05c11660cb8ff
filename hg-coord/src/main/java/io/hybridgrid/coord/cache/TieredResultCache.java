package io.hybridgrid.coord.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hybridgrid.coord.metrics.GridMetrics;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared result cache: a Caffeine memory tier bounded by bytes in front of a {@link DiskTier}.
 * A lookup tries memory, then disk (a disk hit is copied into memory). A store goes into memory at
 * once and to disk on the given writer executor, so a client's answer never waits for the disk.
 * Either tier may be off (a bound of 0).
 */
public final class TieredResultCache implements ResultCache {
  private static final Logger log = LoggerFactory.getLogger(TieredResultCache.class);

  /** Bytes charged per memory entry on top of its output (key, record, arrays, map node). */
  static final int ENTRY_OVERHEAD = 160;

  private final Cache<CacheKey, CachedResult> memory;
  private final DiskTier disk;
  private final ExecutorService diskWriter;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong diskHits = new AtomicLong();
  private final AtomicLong stores = new AtomicLong();
  private final GridMetrics metrics;

  /**
   * @param settings bounds and directory (must be enabled)
   * @param clock time for the disk tier's recency stamps
   * @param diskWriter runs disk writes; closed by {@link #close()}
   */
  public TieredResultCache(CacheSettings settings, Clock clock, ExecutorService diskWriter) {
    this(settings, clock, diskWriter, GridMetrics.NONE);
  }

  /**
   * @param settings bounds and directory (must be enabled)
   * @param clock time for the disk tier's recency stamps
   * @param diskWriter runs disk writes; closed by {@link #close()}
   * @param metrics told of each tier's hits and misses
   */
  public TieredResultCache(
      CacheSettings settings, Clock clock, ExecutorService diskWriter, GridMetrics metrics) {
    this.metrics = metrics;
    if (!settings.enabled()) {
      throw new IllegalArgumentException("use ResultCache.disabled() for a cache that is off");
    }
    this.memory =
        settings.memoryBytes() == 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(settings.memoryBytes())
                .weigher((CacheKey k, CachedResult r) -> weight(r))
                .executor(Runnable::run) // evict on the caller's thread: bounded at every moment
                .build();
    this.disk =
        settings.diskBytes() == 0
            ? null
            : new DiskTier(settings.dir(), settings.diskBytes(), clock);
    this.diskWriter = diskWriter;
  }

  /** Indexes the disk tier. */
  public TieredResultCache start() throws IOException {
    if (disk != null) {
      disk.start();
    }
    return this;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public Optional<CachedResult> get(CacheKey key) {
    CachedResult r = memory == null ? null : memory.getIfPresent(key);
    if (memory != null) {
      metrics.cacheLookup("memory", r != null);
    }
    if (r == null && disk != null) {
      Optional<CachedResult> d = disk.get(key);
      metrics.cacheLookup("disk", d.isPresent());
      if (d.isPresent()) {
        r = d.get();
        diskHits.incrementAndGet();
        if (memory != null) {
          memory.put(key, r);
        }
      }
    }
    (r == null ? misses : hits).incrementAndGet();
    return Optional.ofNullable(r);
  }

  @Override
  public void put(CacheKey key, CachedResult result) {
    stores.incrementAndGet();
    if (memory != null) {
      memory.put(key, result);
    }
    if (disk != null) {
      try {
        diskWriter.execute(() -> disk.put(key, result));
      } catch (RejectedExecutionException e) {
        log.debug("disk cache writer busy or closed; {} kept in memory only", key);
      }
    }
  }

  /**
   * Removes {@code key} from memory and disk at once, and once more on the disk writer after any
   * write of it still queued there (so a pending write cannot bring the entry back).
   */
  @Override
  public void remove(CacheKey key) {
    if (memory != null) {
      memory.invalidate(key);
    }
    if (disk != null) {
      disk.remove(key);
      try {
        diskWriter.execute(() -> disk.remove(key));
      } catch (RejectedExecutionException e) {
        log.debug("disk cache writer busy or closed; {} removed once only", key);
      }
    }
  }

  @Override
  public CacheStats stats() {
    long memEntries = 0;
    long memBytes = 0;
    if (memory != null) {
      memEntries = memory.estimatedSize();
      memBytes = memory.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }
    return new CacheStats(
        true,
        hits.get(),
        misses.get(),
        diskHits.get(),
        stores.get(),
        memEntries,
        memBytes,
        disk == null ? 0 : disk.entries(),
        disk == null ? 0 : disk.bytes(),
        disk == null ? 0 : disk.corrupt());
  }

  /** The disk tier, for tests that inspect or damage its files. */
  DiskTier disk() {
    return disk;
  }

  /** Drops the memory tier's entries (tests use it to force reads from disk). */
  void clearMemory() {
    if (memory != null) {
      memory.invalidateAll();
    }
  }

  @Override
  public void close() {
    diskWriter.shutdown();
    try {
      if (!diskWriter.awaitTermination(10, TimeUnit.SECONDS)) {
        diskWriter.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      diskWriter.shutdownNow();
    }
  }

  private static int weight(CachedResult r) {
    return (int) Math.min(Integer.MAX_VALUE, r.size() + ENTRY_OVERHEAD);
  }
}
