package io.hybridgrid.coord.action;

import io.hybridgrid.coord.action.ActionOutcome.OutputFile;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.cache.CachedResult;
import io.hybridgrid.coord.cache.ResultCache;
import io.hybridgrid.coord.cas.ContentStore;
import io.hybridgrid.coord.cas.Digest;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The action cache: action digest to the result of a successful run, whose outputs are named by
 * digest and live in the {@link ContentStore}. An entry whose output blobs are gone from the store
 * is a miss (the action runs again and the entry is rewritten).
 *
 * <p>Entries sit in the coordinator's tiered result cache (memory and disk, bounded, checksummed).
 * An entry is a {@link CachedResult} whose "object" is this class's encoding of the output list
 * (magic {@code HGA2}, a count, then per output its path, hash, size and executable bit), with
 * stdout and stderr as they are. Keys are action digests; an entry that does not decode (such as
 * one the removed compile-unit path left on disk) is a miss.
 *
 * <p>Every entry remembers the worker that produced it (magic {@code HGA2}: the output list, then
 * the producer's id; {@code HGA1} entries, written unverified before, are misses). An entry whose
 * producer is quarantined is a miss and is removed when met, and {@link #purge} removes every entry
 * a worker wrote that this coordinator has indexed since it started (the lookup check covers the
 * rest, such as disk entries from before a restart).
 */
public final class ActionCache {
  // "HGA2"; "HGA1" entries (no producer, written before verification existed) are misses
  private static final int MAGIC = 0x48474132;

  /** Keys indexed by producer at most (beyond it, only the lookup check purges). */
  static final int MAX_INDEXED = 1_000_000;

  private final ResultCache results;
  private final ContentStore cas;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong stores = new AtomicLong();
  private final Predicate<String> quarantined;
  private final Map<String, Set<CacheKey>> byProducer = new ConcurrentHashMap<>();
  private final AtomicInteger indexed = new AtomicInteger();

  public ActionCache(ResultCache results, ContentStore cas) {
    this(results, cas, id -> false);
  }

  /**
   * @param quarantined whether a worker is quarantined: its entries are never served
   */
  public ActionCache(ResultCache results, ContentStore cas, Predicate<String> quarantined) {
    this.results = results;
    this.cas = cas;
    this.quarantined = quarantined;
  }

  public boolean enabled() {
    return results.enabled();
  }

  /**
   * The cached outcome of {@code key} (outputs by digest, {@code workerId} its producer), if every
   * output is still stored and its producer is not quarantined.
   */
  public Optional<ActionOutcome> get(CacheKey key) {
    Optional<ActionOutcome> found = results.get(key).flatMap(ActionCache::decode);
    if (found.isEmpty()) {
      misses.incrementAndGet();
      return Optional.empty();
    }
    if (quarantined.test(found.get().workerId())) {
      results.remove(key);
      misses.incrementAndGet();
      return Optional.empty();
    }
    for (OutputFile f : found.get().outputs()) {
      if (!cas.contains(f.digest())) {
        stale.incrementAndGet();
        misses.incrementAndGet();
        return Optional.empty();
      }
    }
    hits.incrementAndGet();
    return found;
  }

  /**
   * Stores a successful outcome whose outputs are already in the CAS, produced by the worker its
   * {@link ActionOutcome#workerId()} names. Only the verifier (coord/verify) calls this: it decides
   * when a result may be shared.
   */
  public void put(CacheKey key, ActionOutcome outcome) {
    if (outcome.exitCode() != 0) {
      throw new IllegalArgumentException("only successful outcomes are cached");
    }
    if (!results.enabled()) {
      return;
    }
    index(key, outcome.workerId());
    results.put(
        key,
        new CachedResult(
            encode(outcome.outputs(), outcome.workerId()),
            outcome.stdout(),
            outcome.stderr(),
            outcome.compileMicros()));
    stores.incrementAndGet(); // counted once a lookup can find it
  }

  /** Removes the entry of {@code key}, if any. */
  public void remove(CacheKey key) {
    results.remove(key);
  }

  /**
   * Remembers that {@code producer} wrote {@code key} in the shared result cache ({@link #put}
   * calls it for every entry).
   */
  public void index(CacheKey key, String producer) {
    if (indexed.get() >= MAX_INDEXED) {
      return;
    }
    if (byProducer.computeIfAbsent(producer, p -> ConcurrentHashMap.newKeySet()).add(key)) {
      indexed.incrementAndGet();
    }
  }

  /**
   * Removes every entry {@code producer} wrote that is indexed.
   *
   * @return how many keys were removed
   */
  public int purge(String producer) {
    Set<CacheKey> keys = byProducer.remove(producer);
    if (keys == null) {
      return 0;
    }
    indexed.addAndGet(-keys.size());
    for (CacheKey k : keys) {
      results.remove(k);
    }
    return keys.size();
  }

  /**
   * Counters since start.
   *
   * @param hits lookups answered with every output still stored
   * @param misses lookups not answered (stale ones included)
   * @param stale entries found whose outputs were gone from the CAS
   * @param stores outcomes stored
   */
  public record Stats(long hits, long misses, long stale, long stores) {}

  public Stats stats() {
    return new Stats(hits.get(), misses.get(), stale.get(), stores.get());
  }

  static byte[] encode(List<OutputFile> outputs, String producer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(outputs.size());
      for (OutputFile f : outputs) {
        out.writeUTF(f.path());
        out.writeUTF(f.digest().hash());
        out.writeLong(f.digest().size());
        out.writeBoolean(f.executable());
      }
      out.writeUTF(producer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Optional<ActionOutcome> decode(CachedResult r) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(r.object()))) {
      int magic = in.readInt();
      if (magic != MAGIC) {
        return Optional.empty();
      }
      int n = in.readInt();
      if (n < 0 || n > 4096) {
        return Optional.empty();
      }
      List<OutputFile> outputs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String path = in.readUTF();
        String hash = in.readUTF();
        long size = in.readLong();
        boolean executable = in.readBoolean();
        outputs.add(new OutputFile(path, new Digest(hash, size), executable, null));
      }
      String producer = in.readUTF();
      if (in.available() != 0) {
        return Optional.empty();
      }
      return Optional.of(
          new ActionOutcome(0, outputs, r.stdout(), r.stderr(), producer, r.compileMicros()));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
