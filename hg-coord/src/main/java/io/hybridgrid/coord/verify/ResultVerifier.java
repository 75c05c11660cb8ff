package io.hybridgrid.coord.verify;

import io.hybridgrid.coord.action.ActionCache;
import io.hybridgrid.coord.action.ActionOutcome;
import io.hybridgrid.coord.action.ActionOutcome.OutputFile;
import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.metrics.GridMetrics;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which worker results enter the shared action cache (ARCHITECTURE.md, decision 4).
 *
 * <ul>
 *   <li>A result from an {@link Trust#UNTRUSTED} worker is shared only after a different worker
 *       reproduced it byte for byte (same exit code, output paths and digests, stdout and stderr).
 *       Until then no one is served it; the client that asked gets its own result as before.
 *   <li>A result from a {@link Trust#TRUSTED} worker is shared at once, except a sampled share of
 *       them ({@link VerifySettings#sampleRate()}), which are re-run the same way and shared once
 *       verified (or when no other worker can re-run them: trusted results are not held back for
 *       lack of a second opinion). At a rate of 1 no trusted result is served unverified.
 *   <li>An {@link Trust#OPEN} worker (no tokens) is shared at once and not sampled.
 * </ul>
 *
 * Re-runs go to the dispatcher at the lowest priority, excluding the producer, at most {@link
 * VerifySettings#maxPending()} at once and one per action digest. On a mismatch a verifier whose
 * trust {@link Trust#decides() decides} settles it; otherwise a third worker (neither of the two)
 * runs the action and the result it agrees with wins. The worker found wrong is quarantined, every
 * entry it wrote is purged, and the winning result is shared. When no decision is possible (no
 * third worker, or it agrees with neither) nothing is stored and an event says so. One hostile
 * {@code worker} therefore cannot get an honest worker quarantined: against an untrusted verifier
 * its word weighs only as much as a third worker's agreement.
 */
public final class ResultVerifier {
  private static final Logger log = LoggerFactory.getLogger(ResultVerifier.class);

  private final VerifySettings settings;
  private final DoubleSupplier random;
  private final VerifyGrid grid;
  private final ActionCache cache;
  private final WorkerTrust trust;
  private final GridMetrics metrics;
  private final Set<CacheKey> pending = ConcurrentHashMap.newKeySet();

  /**
   * @param settings sample rate and bound
   * @param random uniform in [0, 1): decides which trusted results are sampled (injected for tests)
   * @param grid re-runs actions, quarantines workers, records events
   * @param cache the shared action cache: written only from here
   * @param trust each worker's trust
   * @param metrics counts outcomes and quarantines
   */
  public ResultVerifier(
      VerifySettings settings,
      DoubleSupplier random,
      VerifyGrid grid,
      ActionCache cache,
      WorkerTrust trust,
      GridMetrics metrics) {
    this.settings = settings;
    this.random = random;
    this.grid = grid;
    this.cache = cache;
    this.trust = trust;
    this.metrics = metrics;
  }

  /** The outcome tags of verification (metric {@code hybridgrid_verifications_total}). */
  enum Outcome {
    /** The re-run agreed. */
    MATCH,
    /** The re-run disagreed (each mismatch then ends in a quarantine or UNDECIDED). */
    MISMATCH,
    /** A mismatch nobody could settle: nothing stored. */
    UNDECIDED,
    /**
     * No other worker could re-run it (none capable, queue timeout): an untrusted one not stored.
     */
    UNVERIFIED,
    /** Not verified: too many pending, or the same action already being verified. */
    SKIPPED;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A worker's successful result of {@code action} (outputs by digest, in the CAS, {@code workerId}
   * the producer): shares it now, after verification, or never.
   *
   * @return completes when this result's verification (if any) has ended; callers do not wait
   */
  public CompletableFuture<Void> offer(ActionSpec action, CacheKey key, ActionOutcome result) {
    if (result.exitCode() != 0) {
      throw new IllegalArgumentException("only successful results are offered");
    }
    String producer = result.workerId();
    if (grid.isQuarantined(producer)) {
      return CompletableFuture.completedFuture(null);
    }
    Trust t = trust.of(producer);
    boolean sampled =
        t == Trust.TRUSTED
            && settings.sampleRate() > 0
            && random.getAsDouble() < settings.sampleRate();
    if (t == Trust.OPEN || (t == Trust.TRUSTED && !sampled)) {
      cache.put(key, result);
      return CompletableFuture.completedFuture(null);
    }
    return verify(action, key, result);
  }

  /** Verifications waiting or running now. */
  public int pending() {
    return pending.size();
  }

  private CompletableFuture<Void> verify(ActionSpec action, CacheKey key, ActionOutcome first) {
    if (pending.size() >= settings.maxPending() || !pending.add(key)) {
      metrics.verification(Outcome.SKIPPED.tag());
      shareIfTrusted(key, first);
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done;
    try {
      done =
          grid.rerun(action, key, Set.of(first.workerId()))
              .handle(
                  (second, err) -> {
                    if (err != null) {
                      metrics.verification(Outcome.UNVERIFIED.tag());
                      log.debug("{} not verified: {}", key, err.toString());
                      shareIfTrusted(key, first);
                      return CompletableFuture.<Void>completedFuture(null);
                    }
                    return compare(action, key, first, second);
                  })
              .thenCompose(f -> f);
    } catch (RuntimeException e) {
      pending.remove(key);
      throw e;
    }
    return done.whenComplete(
        (v, e) -> {
          pending.remove(key);
          if (e != null) {
            log.warn("verification of {} failed: {}", key, e.toString());
          }
        });
  }

  private CompletableFuture<Void> compare(
      ActionSpec action, CacheKey key, ActionOutcome first, ActionOutcome second) {
    if (same(first, second)) {
      metrics.verification(Outcome.MATCH.tag());
      if (!grid.isQuarantined(first.workerId()) && !grid.isQuarantined(second.workerId())) {
        cache.put(key, first);
      }
      return CompletableFuture.completedFuture(null);
    }
    metrics.verification(Outcome.MISMATCH.tag());
    String label = "action " + key.hex().substring(0, 12);
    if (trust.of(second.workerId()).decides()) {
      judge(key, first, second, label + ": differs from trusted " + second.workerId() + "'s");
      return CompletableFuture.completedFuture(null);
    }
    return grid.rerun(action, key, Set.of(first.workerId(), second.workerId()))
        .handle(
            (third, err) -> {
              if (err != null) {
                undecided(key, first, second, "no third worker could run it (" + err + ")");
              } else if (same(third, first)) {
                judge(
                    key,
                    second,
                    first,
                    label + ": differs from " + first.workerId() + "'s and " + third.workerId());
              } else if (same(third, second)) {
                judge(
                    key,
                    first,
                    second,
                    label + ": differs from " + second.workerId() + "'s and " + third.workerId());
              } else {
                undecided(key, first, second, third.workerId() + " agreed with neither");
              }
              return null;
            });
  }

  /** A trusted result that could not be verified is shared anyway (that is what trust means). */
  private void shareIfTrusted(CacheKey key, ActionOutcome first) {
    if (trust.of(first.workerId()) != Trust.UNTRUSTED && !grid.isQuarantined(first.workerId())) {
      cache.put(key, first);
    }
  }

  /** {@code wrong} is quarantined and purged; {@code right} is shared if it succeeded. */
  private void judge(CacheKey key, ActionOutcome wrong, ActionOutcome right, String why) {
    cache.remove(key);
    String w = wrong.workerId();
    if (grid.quarantine(w, "result verification: " + why)) {
      metrics.quarantined(w);
    }
    int purged = cache.purge(w);
    grid.event(w, "purged " + purged + " shared cache entries it wrote");
    if (right.exitCode() == 0 && !grid.isQuarantined(right.workerId())) {
      cache.put(key, right);
    }
  }

  private void undecided(CacheKey key, ActionOutcome first, ActionOutcome second, String why) {
    cache.remove(key);
    metrics.verification(Outcome.UNDECIDED.tag());
    grid.event(
        first.workerId(),
        "results of action "
            + key.hex().substring(0, 12)
            + " differ between "
            + first.workerId()
            + " and "
            + second.workerId()
            + " and "
            + why
            + "; nothing stored");
  }

  /** Byte for byte: exit code, output paths, digests and modes, stdout and stderr. */
  static boolean same(ActionOutcome a, ActionOutcome b) {
    return a.exitCode() == b.exitCode()
        && Arrays.equals(a.stdout(), b.stdout())
        && Arrays.equals(a.stderr(), b.stderr())
        && outputs(a).equals(outputs(b));
  }

  private static List<String> outputs(ActionOutcome o) {
    return o.outputs().stream()
        .sorted(Comparator.comparing(OutputFile::path))
        .map(f -> f.path() + "\0" + f.digest() + "\0" + f.executable())
        .toList();
  }
}
