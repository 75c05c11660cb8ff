package io.hybridgrid.coord.scheduler;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round-robin: each decision starts one position further along the worker list than the last and
 * takes the first eligible worker from there, ignoring load and speed.
 */
public final class RoundRobin implements Scheduler {
  private final AtomicLong cursor = new AtomicLong();

  @Override
  public Optional<WorkerSnapshot> pick(TaskRequest task, List<WorkerSnapshot> workers) {
    int n = workers.size();
    if (n == 0) {
      return Optional.empty();
    }
    int start = (int) Math.floorMod(cursor.getAndIncrement(), (long) n);
    for (int i = 0; i < n; i++) {
      WorkerSnapshot w = workers.get((start + i) % n);
      if (task.canRunOn(w)) {
        return Optional.of(w);
      }
    }
    return Optional.empty();
  }
}
