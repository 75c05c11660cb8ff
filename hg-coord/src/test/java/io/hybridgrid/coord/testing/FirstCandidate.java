package io.hybridgrid.coord.testing;

import io.hybridgrid.coord.scheduler.Scheduler;
import io.hybridgrid.coord.scheduler.TaskRequest;
import io.hybridgrid.coord.scheduler.WorkerSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * A deterministic scheduler: always the first eligible worker, i.e. the earliest-registered capable
 * worker with a free slot (the registry keeps registration order).
 */
public final class FirstCandidate implements Scheduler {
  @Override
  public Optional<WorkerSnapshot> pick(TaskRequest task, List<WorkerSnapshot> workers) {
    return workers.stream().filter(task::canRunOn).findFirst();
  }
}
