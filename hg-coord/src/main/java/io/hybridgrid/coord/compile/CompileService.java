package io.hybridgrid.coord.compile;

import io.hybridgrid.common.compiler.ActionPolicy;
import io.hybridgrid.common.compiler.ArgParser;
import io.hybridgrid.coord.action.ActionCache;
import io.hybridgrid.coord.action.ActionDigest;
import io.hybridgrid.coord.action.ActionOutcome;
import io.hybridgrid.coord.action.ActionOutcome.OutputFile;
import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.action.ActionValidator;
import io.hybridgrid.coord.action.MissingBlobsException;
import io.hybridgrid.coord.action.ToolchainLedger;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.cas.ContentStore;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.coord.dispatch.Completed;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.coord.scheduler.InputSet;
import io.hybridgrid.coord.scheduler.ShippedToolchain;
import io.hybridgrid.coord.verify.ResultVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The coordinator's compile policy, without gRPC: cache hit, else dispatch, then store.
 *
 * <p>For an action: validate it, check that every input blob is in the content store (else {@link
 * MissingBlobsException}, naming paths), compute the action digest over what was received, answer
 * from the action cache when it has the digest and every output blob is still stored, else hand the
 * action to the dispatcher and, when the command exited 0, offer the result to the {@link
 * ResultVerifier}, which shares it in the action cache at once, after another worker reproduced it,
 * or never (its outputs are already in the store: the worker session put them there). Answers carry
 * small outputs inline ({@link #INLINE_FILE_BYTES} each, {@link #INLINE_TOTAL_BYTES} together); the
 * client reads larger ones from the store.
 */
public final class CompileService {
  /** Largest output carried inline in an answer: 4 MiB. */
  public static final int INLINE_FILE_BYTES = 4 << 20;

  /** Inline bytes of one answer together: 16 MiB (the rest by digest). */
  public static final long INLINE_TOTAL_BYTES = 16L << 20;

  /** The worker id of an answer from the cache. */
  public static final String CACHE_WORKER = "cache";

  /** Missing paths named in the error message. */
  private static final int NAMED_MISSING = 3;

  private final Dispatcher<Work, WorkResult> dispatcher;
  private final ActionCache actionCache;
  private final ContentStore cas;
  private final ActionValidator validator;
  private final ResultVerifier verifier;
  private final ToolchainLedger toolchains = new ToolchainLedger();

  /**
   * @param verifier decides which worker results enter the shared caches (the only writer)
   */
  public CompileService(
      Dispatcher<Work, WorkResult> dispatcher,
      ActionCache actionCache,
      ContentStore cas,
      ActionValidator validator,
      ResultVerifier verifier) {
    this.dispatcher = dispatcher;
    this.actionCache = actionCache;
    this.cas = cas;
    this.validator = validator;
    this.verifier = verifier;
  }

  /**
   * The answer to an action.
   *
   * @param outcome what ran (outputs inline when small)
   * @param digest the coordinator's action digest
   * @param cached whether the action cache answered
   * @param queueMicros time spent waiting for a worker
   * @param attempts workers tried (0 for a cache hit)
   */
  public record ActionAnswer(
      ActionOutcome outcome, CacheKey digest, boolean cached, long queueMicros, int attempts) {}

  /**
   * Runs (or answers from the cache) action {@code a}.
   *
   * @return the answer; cancelling it withdraws the action: from the queue if it still waits, and
   *     from its workers (CancelTask: the sandbox is killed) if it runs
   * @throws IllegalArgumentException when the action is malformed or past a bound
   * @throws MissingBlobsException when input blobs are not in the store
   */
  public CompletableFuture<ActionAnswer> execute(ActionSpec a, Priority priority) {
    return execute(a, priority, false);
  }

  /**
   * As above; {@code skipCache} (the client's HG_NO_CACHE) neither looks the action up nor stores
   * its result.
   */
  public CompletableFuture<ActionAnswer> execute(
      ActionSpec a, Priority priority, boolean skipCache) {
    validator.validate(a);
    // The one argument policy (aliases and abbreviations included), before anything is
    // dispatched; the worker applies it again behind its sandbox.
    Optional<String> refused =
        ActionPolicy.firstLocalReason(ArgParser.parse(a.argv().subList(1, a.argv().size())));
    if (refused.isPresent()) {
      throw new IllegalArgumentException(
          "argument refused: " + refused.get() + "; compile this file locally");
    }
    checkInputsStored(a);
    toolchains.record(a.toolchain());
    CacheKey key = ActionDigest.ofValid(a);
    boolean useCache = actionCache.enabled() && !skipCache;
    if (useCache) {
      Optional<ActionOutcome> hit = actionCache.get(key);
      if (hit.isPresent()) {
        ActionOutcome fromCache = hit.get().with(CACHE_WORKER, inline(hit.get().outputs()));
        return CompletableFuture.completedFuture(new ActionAnswer(fromCache, key, true, 0, 0));
      }
    }
    CompletableFuture<Completed<WorkResult>> dispatched =
        dispatcher.submit(
            a.compiler(), priority, new Work.Run(a, key), inputSet(a), shippedToolchain(a));
    CompletableFuture<ActionAnswer> answer =
        dispatched.thenApply(
            done -> {
              ActionOutcome outcome = ((WorkResult.ActionDone) done.result()).outcome();
              if (outcome.exitCode() == 0 && useCache) {
                // Shared now, after another worker reproduced it, or never (coord/verify);
                // this client gets its own result either way.
                verifier.offer(
                    a, key, outcome.with(outcome.workerId(), byDigest(outcome.outputs())));
              }
              ActionOutcome answered =
                  outcome.with(outcome.workerId(), trimInline(outcome.outputs()));
              return new ActionAnswer(answered, key, false, done.queueMicros(), done.attempts());
            });
    answer.whenComplete(
        (r, e) -> {
          if (answer.isCancelled()) {
            dispatcher.cancel(dispatched);
          }
        });
    return answer;
  }

  /** The toolchains seen in actions, for the counters. */
  public ToolchainLedger toolchains() {
    return toolchains;
  }

  public ActionCache actionCache() {
    return actionCache;
  }

  private void checkInputsStored(ActionSpec a) {
    List<Digest> missing = new ArrayList<>();
    for (Digest d : a.blobs()) {
      if (!cas.contains(d)) {
        missing.add(d);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    Map<Digest, String> pathOf = new HashMap<>();
    for (ActionSpec.InputFile f : a.inputs()) {
      pathOf.putIfAbsent(f.digest(), f.path());
    }
    for (ActionSpec.InputFile f : a.toolchain().files()) {
      pathOf.putIfAbsent(f.digest(), f.path());
    }
    StringBuilder b =
        new StringBuilder()
            .append(missing.size())
            .append(missing.size() == 1 ? " input is" : " inputs are")
            .append(" not in the coordinator's content store (upload, then retry): ");
    for (int i = 0; i < Math.min(NAMED_MISSING, missing.size()); i++) {
      Digest d = missing.get(i);
      b.append(i == 0 ? "" : ", ").append(pathOf.get(d)).append(" (").append(d).append(')');
    }
    if (missing.size() > NAMED_MISSING) {
      b.append(", ...");
    }
    throw new MissingBlobsException(missing, b.toString());
  }

  /** The toolchain {@code a} ships, for routing ({@link ShippedToolchain#NONE} when none). */
  static ShippedToolchain shippedToolchain(ActionSpec a) {
    return a.toolchain().isEmpty()
        ? ShippedToolchain.NONE
        : new ShippedToolchain(a.toolchain().digest(), a.toolchain().hostArch());
  }

  /** The inputs for affinity: every blob once. */
  public static InputSet inputSet(ActionSpec a) {
    List<Digest> blobs = a.blobs();
    long[] keys = new long[blobs.size()];
    long[] sizes = new long[blobs.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = InputSet.key(blobs.get(i).hash());
      sizes[i] = blobs.get(i).size();
    }
    return new InputSet(keys, sizes);
  }

  private static List<OutputFile> byDigest(List<OutputFile> outputs) {
    return outputs.stream().map(OutputFile::byDigest).toList();
  }

  /** Keeps inline bytes within the per-file and per-answer bounds. */
  private static List<OutputFile> trimInline(List<OutputFile> outputs) {
    List<OutputFile> out = new ArrayList<>(outputs.size());
    long total = 0;
    for (OutputFile f : outputs) {
      if (f.contents() != null
          && f.contents().length <= INLINE_FILE_BYTES
          && total + f.contents().length <= INLINE_TOTAL_BYTES) {
        total += f.contents().length;
        out.add(f);
      } else {
        out.add(f.byDigest());
      }
    }
    return out;
  }

  /** Reads small outputs from the store to send inline (a cache hit). */
  private List<OutputFile> inline(List<OutputFile> outputs) {
    List<OutputFile> out = new ArrayList<>(outputs.size());
    long total = 0;
    for (OutputFile f : outputs) {
      long size = f.digest().size();
      if (size <= INLINE_FILE_BYTES && total + size <= INLINE_TOTAL_BYTES) {
        Optional<byte[]> data;
        try {
          data = cas.read(f.digest());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (data.isPresent()) {
          total += size;
          out.add(f.inline(data.get()));
          continue;
        }
      }
      out.add(f.byDigest());
    }
    return out;
  }
}
