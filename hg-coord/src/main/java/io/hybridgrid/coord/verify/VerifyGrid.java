package io.hybridgrid.coord.verify;

import io.hybridgrid.coord.action.ActionOutcome;
import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.cache.CacheKey;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** What the verifier needs of the rest of the coordinator (the dispatcher; a fake in tests). */
public interface VerifyGrid {
  /**
   * Runs {@code action} again, at the lowest priority, on a worker not in {@code excluded}.
   *
   * @return its outcome (naming the worker that ran it), or a failure when no such worker could
   */
  CompletableFuture<ActionOutcome> rerun(ActionSpec action, CacheKey digest, Set<String> excluded);

  /**
   * Quarantines {@code workerId}.
   *
   * @return whether it was not quarantined before
   */
  boolean quarantine(String workerId, String reason);

  boolean isQuarantined(String workerId);

  /** Records a verification event about {@code workerId} in the event log. */
  void event(String workerId, String reason);
}
