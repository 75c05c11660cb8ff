package io.hybridgrid.bench.scheduler;

import io.hybridgrid.coord.scheduler.Scheduler;
import io.hybridgrid.coord.scheduler.TaskRequest;
import io.hybridgrid.coord.scheduler.WorkerSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * Times every decision of the coordinator's real scheduler with {@link System#nanoTime}: the pick()
 * call on the dispatcher's live registry view, under the dispatcher's lock, exactly as placed.
 */
final class TimedScheduler implements Scheduler {
  private final Scheduler delegate;
  private final LatencySamples decisions;

  TimedScheduler(Scheduler delegate, LatencySamples decisions) {
    this.delegate = delegate;
    this.decisions = decisions;
  }

  @Override
  public Optional<WorkerSnapshot> pick(TaskRequest task, List<WorkerSnapshot> workers) {
    long start = System.nanoTime();
    Optional<WorkerSnapshot> pick = delegate.pick(task, workers);
    decisions.add(System.nanoTime() - start);
    return pick;
  }
}
