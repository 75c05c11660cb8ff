package io.hybridgrid.coord.scheduler;

import java.util.List;
import java.util.Optional;

/**
 * Chooses a worker for a task. Implementations are pure decisions over a snapshot: no I/O, no
 * locks, no gRPC; their only state is randomness or a rotation cursor.
 */
public interface Scheduler {
  /**
   * Picks a worker for {@code task} among {@code workers}. Only a worker for which {@link
   * TaskRequest#canRunOn} holds may be returned.
   *
   * @return the chosen worker, or empty when none can run the task now
   */
  Optional<WorkerSnapshot> pick(TaskRequest task, List<WorkerSnapshot> workers);
}
