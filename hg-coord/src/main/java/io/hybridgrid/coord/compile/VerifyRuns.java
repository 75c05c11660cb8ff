package io.hybridgrid.coord.compile;

import io.hybridgrid.coord.action.ActionOutcome;
import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.coord.events.ConnectivityEvent;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.verify.VerifyGrid;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The verifier's view of the grid: re-runs through the dispatcher at {@link Priority#VERIFY}. */
public final class VerifyRuns implements VerifyGrid {
  private final Dispatcher<Work, WorkResult> dispatcher;
  private final EventLog events;
  private final Clock clock;

  public VerifyRuns(Dispatcher<Work, WorkResult> dispatcher, EventLog events, Clock clock) {
    this.dispatcher = dispatcher;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public CompletableFuture<ActionOutcome> rerun(
      ActionSpec action, CacheKey digest, Set<String> excluded) {
    return dispatcher
        .submit(
            action.compiler(),
            Priority.VERIFY,
            new Work.Run(action, digest),
            CompileService.inputSet(action),
            CompileService.shippedToolchain(action),
            excluded)
        .thenApply(done -> ((WorkResult.ActionDone) done.result()).outcome());
  }

  @Override
  public boolean quarantine(String workerId, String reason) {
    return dispatcher.quarantine(workerId, reason);
  }

  @Override
  public boolean isQuarantined(String workerId) {
    return dispatcher.isQuarantined(workerId);
  }

  @Override
  public void event(String workerId, String reason) {
    events.record(
        new ConnectivityEvent(
            clock.instant(), ConnectivityEvent.Type.VERIFY, workerId, "", reason));
  }
}
