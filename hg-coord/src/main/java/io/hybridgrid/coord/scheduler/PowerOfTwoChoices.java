package io.hybridgrid.coord.scheduler;

import io.hybridgrid.coord.registry.WorkerState;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Power-of-two-choices: sample two distinct candidates at random and keep the one with the better
 * {@link #score}. Close to least-loaded in balance, without scanning every worker or herding all
 * tasks onto the same momentarily-idle machine.
 *
 * <p>Score (higher is better): the fraction of the worker's slots that are free, so a 16-slot
 * worker with 8 busy slots (0.5) and a 2-slot worker with 1 busy slot (0.5) are equal; ties go to
 * the worker with more free slots in absolute terms.
 */
public final class PowerOfTwoChoices implements Scheduler {
  private final RandomGenerator random;

  public PowerOfTwoChoices(RandomGenerator random) {
    this.random = random;
  }

  /** The documented score: free slots as a fraction of the worker's slots. */
  public static double score(WorkerState<?> w) {
    return (double) w.freeSlots() / w.descriptor().maxParallel();
  }

  @Override
  public <P> Optional<WorkerState<P>> pick(List<WorkerState<P>> candidates) {
    int n = candidates.size();
    if (n == 0) {
      return Optional.empty();
    }
    if (n == 1) {
      return Optional.of(candidates.get(0));
    }
    int a = random.nextInt(n);
    int b = random.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    WorkerState<P> x = candidates.get(a);
    WorkerState<P> y = candidates.get(b);
    return Optional.of(better(x, y));
  }

  private static <P> WorkerState<P> better(WorkerState<P> x, WorkerState<P> y) {
    int c = Double.compare(score(x), score(y));
    if (c != 0) {
      return c > 0 ? x : y;
    }
    return y.freeSlots() > x.freeSlots() ? y : x;
  }
}
