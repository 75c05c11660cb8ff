package io.hybridgrid.coord.testing;

import io.hybridgrid.coord.registry.WorkerState;
import io.hybridgrid.coord.scheduler.Scheduler;
import java.util.List;
import java.util.Optional;

/**
 * A deterministic scheduler: always the first candidate, i.e. the earliest-registered capable
 * worker with a free slot (the registry keeps registration order).
 */
public final class FirstCandidate implements Scheduler {
  @Override
  public <P> Optional<WorkerState<P>> pick(List<WorkerState<P>> candidates) {
    return candidates.stream().findFirst();
  }
}
