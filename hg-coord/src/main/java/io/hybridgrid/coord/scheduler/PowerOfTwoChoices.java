package io.hybridgrid.coord.scheduler;

import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Power-of-two-choices: among the workers that can run the task, sample two distinct ones at random
 * and keep the one with the better {@link #score}. Close to least-loaded in balance, without
 * herding every task onto the one momentarily best machine.
 *
 * <p>The score (higher is better; docs/design.md, "Scheduling") multiplies seven terms in (0, 1]
 * and an affinity bonus in [1, 1 + {@link #AFFINITY_WEIGHT}]:
 *
 * <pre>
 * score = free × slotSpeed × time × rtt × memory × arch × health × affinity
 *   free      = freeSlots / maxParallel
 *   slotSpeed = min(1, cores / maxParallel)
 *   time      = 1 / (1 + taskMillis / 1000)      (1 while not measured)
 *   rtt       = 1 / (1 + rttMillis / 50)         (1 while not measured)
 *   memory    = min(1, freeMemoryBytes / 1 GiB)  (1 while unknown)
 *   arch      = 1 when the worker's architecture is the compiler's target architecture, else 0.9
 *   health    = 1 - 0.9 × failureShare           (its breaker's recent outcomes; 1 when none failed)
 *   affinity  = 1 + AFFINITY_WEIGHT × (input bytes the worker already holds / the task's input bytes)
 * </pre>
 *
 * The health term is what keeps a worker whose compiler crashes from looking best: it answers at
 * once, so its slots are always free and its task time (measured on results only) never grows.
 *
 * <p>The affinity term prefers, among the two sampled workers, the one that already holds the
 * action's inputs (the coordinator remembers what it sent each worker), so its CAS fetches nothing;
 * with weight 1 a worker holding every input wins against one with up to twice its free-slot share.
 *
 * <p>Toolchains (docs/toolchains.md): when some eligible worker already holds what the task runs
 * (the shipped toolchain, or the same compiler installed), the two are sampled among those only: a
 * holder wins over a worker that would first fetch the toolchain's files. Only when no holder has a
 * free slot do the others that accept shipped toolchains of the right architecture compete.
 *
 * <p>Ties go to the worker with more free slots, then to the first sampled.
 */
public final class PowerOfTwoChoices implements Scheduler {
  /** Task time at which the time term is 1/2. */
  public static final double TASK_MILLIS_HALF = 1000;

  /** Round-trip time at which the RTT term is 1/2. */
  public static final double RTT_MILLIS_HALF = 50;

  /** Free memory from which the memory term is 1. */
  public static final long MEMORY_FULL_BYTES = 1L << 30;

  /** The arch term of a worker whose own architecture differs from the target's. */
  public static final double FOREIGN_ARCH = 0.9;

  /** The affinity bonus of a worker that holds all of a task's input bytes. */
  public static final double AFFINITY_WEIGHT = 1.0;

  /** How much a fully failing worker's score is cut: its health term is 1 - this. */
  public static final double FAILURE_WEIGHT = 0.9;

  private final RandomGenerator random;

  /**
   * @param random the sampling source (seeded in tests)
   */
  public PowerOfTwoChoices(RandomGenerator random) {
    this.random = random;
  }

  /** The documented score of {@code w} for {@code task}; see the class comment. */
  public static double score(TaskRequest task, WorkerSnapshot w) {
    return score(task.targetArch(), w) * affinity(task, w);
  }

  /** 1 plus {@link #AFFINITY_WEIGHT} times the share of the task's input bytes {@code w} holds. */
  static double affinity(TaskRequest task, WorkerSnapshot w) {
    if (task.inputs().size() == 0) {
      return 1.0;
    }
    long total = task.inputs().totalBytes();
    if (total <= 0) {
      return 1.0;
    }
    double share = (double) w.holdings().bytesHeld(task.inputs()) / total;
    return 1.0 + AFFINITY_WEIGHT * Math.min(1.0, share);
  }

  private static double score(String targetArch, WorkerSnapshot w) {
    double free = (double) w.freeSlots() / w.maxParallel();
    double slotSpeed = Math.min(1.0, (double) w.cores() / w.maxParallel());
    double time =
        Double.isNaN(w.taskMillis()) ? 1.0 : 1.0 / (1.0 + w.taskMillis() / TASK_MILLIS_HALF);
    double rtt = Double.isNaN(w.rttMillis()) ? 1.0 : 1.0 / (1.0 + w.rttMillis() / RTT_MILLIS_HALF);
    double memory =
        w.freeMemoryBytes() <= 0
            ? 1.0
            : Math.min(1.0, (double) w.freeMemoryBytes() / MEMORY_FULL_BYTES);
    double arch = w.arch().equals(targetArch) ? 1.0 : FOREIGN_ARCH;
    double health = 1.0 - FAILURE_WEIGHT * Math.min(1.0, Math.max(0.0, w.failureShare()));
    return free * slotSpeed * time * rtt * memory * arch * health;
  }

  /**
   * One pass collects the eligible workers (the benchmark in bench/scheduler showed the former
   * count-then-scan-twice version at three passes over 500 workers per decision); the two samples
   * are the same k-th eligible workers as before for the same random draws.
   */
  @Override
  public Optional<WorkerSnapshot> pick(TaskRequest task, List<WorkerSnapshot> workers) {
    WorkerSnapshot[] eligible = new WorkerSnapshot[workers.size()];
    int n = 0;
    int holders = 0;
    for (WorkerSnapshot w : workers) {
      if (task.canRunOn(w)) {
        // Holders first, in their order; the rest after them.
        if (task.held(w)) {
          if (holders < n) {
            eligible[n] = eligible[holders];
          }
          eligible[holders++] = w;
          n++;
        } else {
          eligible[n++] = w;
        }
      }
    }
    if (holders > 0) {
      n = holders;
    }
    if (n == 0) {
      return Optional.empty();
    }
    if (n == 1) {
      return Optional.of(eligible[0]);
    }
    int a = random.nextInt(n);
    int b = random.nextInt(n - 1);
    if (b >= a) {
      b++;
    }
    return Optional.of(better(task, eligible[a], eligible[b]));
  }

  private static WorkerSnapshot better(TaskRequest task, WorkerSnapshot x, WorkerSnapshot y) {
    int c = Double.compare(score(task, x), score(task, y));
    if (c != 0) {
      return c > 0 ? x : y;
    }
    return y.freeSlots() > x.freeSlots() ? y : x;
  }
}
