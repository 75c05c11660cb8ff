package io.hybridgrid.coord.scheduler;

import io.hybridgrid.coord.registry.WorkerState;
import java.util.List;
import java.util.Optional;

/** Chooses a worker for a task among workers that are capable and have a free slot. */
public interface Scheduler {
  /**
   * Picks one of {@code candidates} (all capable, all with a free slot).
   *
   * @return the chosen worker, or empty when {@code candidates} is empty
   */
  <P> Optional<WorkerState<P>> pick(List<WorkerState<P>> candidates);
}
