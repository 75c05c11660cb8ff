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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The action cache: action digest to the result of a successful run, whose outputs are named by
 * digest and live in the {@link ContentStore}. An entry whose output blobs are gone from the store
 * is a miss (the action runs again and the entry is rewritten).
 *
 * <p>Entries sit in the coordinator's tiered result cache (memory and disk, bounded, checksummed),
 * so both share one budget during the switch from compile units to actions. An entry is a {@link
 * CachedResult} whose "object" is this class's encoding of the output list (magic {@code HGA1}, a
 * count, then per output its path, hash, size and executable bit), with stdout and stderr as they
 * are. Keys are action digests, which cannot collide with compile-unit keys (different encodings
 * under SHA-256); an entry that does not decode is a miss.
 */
public final class ActionCache {
  private static final int MAGIC = 0x48474131; // "HGA1"

  private final ResultCache results;
  private final ContentStore cas;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final AtomicLong stores = new AtomicLong();

  public ActionCache(ResultCache results, ContentStore cas) {
    this.results = results;
    this.cas = cas;
  }

  public boolean enabled() {
    return results.enabled();
  }

  /** The cached outcome of {@code key} (outputs by digest), if every output is still stored. */
  public Optional<ActionOutcome> get(CacheKey key) {
    Optional<ActionOutcome> found = results.get(key).flatMap(ActionCache::decode);
    if (found.isEmpty()) {
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

  /** Stores a successful outcome whose outputs are already in the CAS. */
  public void put(CacheKey key, ActionOutcome outcome) {
    if (outcome.exitCode() != 0) {
      throw new IllegalArgumentException("only successful outcomes are cached");
    }
    if (!results.enabled()) {
      return;
    }
    stores.incrementAndGet();
    results.put(
        key,
        new CachedResult(
            encode(outcome.outputs()),
            outcome.stdout(),
            outcome.stderr(),
            outcome.compileMicros()));
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

  static byte[] encode(List<OutputFile> outputs) {
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Optional<ActionOutcome> decode(CachedResult r) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(r.object()))) {
      if (in.readInt() != MAGIC) {
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
      if (in.available() != 0) {
        return Optional.empty();
      }
      return Optional.of(
          new ActionOutcome(0, outputs, r.stdout(), r.stderr(), "cache", r.compileMicros()));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
