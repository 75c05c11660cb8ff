package io.hybridgrid.coord.scheduler;

import java.util.List;
import java.util.Optional;

/**
 * Least-loaded: the eligible worker with the lowest share of its slots busy; ties go to more free
 * slots, then to the earlier worker in the list. Looks at every worker on every decision.
 */
public final class LeastLoaded implements Scheduler {
  @Override
  public Optional<WorkerSnapshot> pick(TaskRequest task, List<WorkerSnapshot> workers) {
    WorkerSnapshot best = null;
    for (WorkerSnapshot w : workers) {
      if (task.canRunOn(w) && (best == null || lessLoaded(w, best))) {
        best = w;
      }
    }
    return Optional.ofNullable(best);
  }

  private static boolean lessLoaded(WorkerSnapshot w, WorkerSnapshot best) {
    // w.active / w.max < best.active / best.max, compared without division
    long lhs = (long) w.active() * best.maxParallel();
    long rhs = (long) best.active() * w.maxParallel();
    return lhs < rhs || (lhs == rhs && w.freeSlots() > best.freeSlots());
  }
}
