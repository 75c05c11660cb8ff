package io.hybridgrid.coord.scheduler;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.registry.Ewma;
import io.hybridgrid.coord.registry.WorkerState;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A discrete-event simulation of one coordinator placing a stream of compiles on a heterogeneous
 * fleet: Poisson arrivals, heavy-tailed (log-normal) compile times scaled by each worker's speed, a
 * FIFO queue when no slot is free, and the task-time average fed back as the coordinator does.
 * Deterministic for a seed; no threads, no clock.
 */
final class FleetSimulation {
  static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  /**
   * One simulated worker.
   *
   * @param slots its max_parallel (= cores)
   * @param slowness multiplier on every task's base time (2 = half as fast)
   */
  record Spec(int slots, double slowness) {}

  /** What a run produced, per worker in spec order. */
  record Outcome(
      long[] tasks,
      double[] busySlotSeconds,
      double makespan,
      double[] capacityShare,
      double meanResponseSeconds) {
    long total() {
      long n = 0;
      for (long t : tasks) {
        n += t;
      }
      return n;
    }

    double share(int i) {
      return (double) tasks[i] / total();
    }
  }

  /** Median base compile time in seconds, and the log-normal sigma (a long tail). */
  static final double MEDIAN_SECONDS = 0.3;

  static final double SIGMA = 1.0;

  private static final Set<CompilerIdentity> COMPILERS = Set.of(GCC);
  private static final TaskRequest TASK = TaskRequest.of(GCC);

  private record Event(double time, int worker) {}

  private FleetSimulation() {}

  /** Mean of the base compile time: median × exp(sigma² / 2). */
  static double meanSeconds() {
    return MEDIAN_SECONDS * Math.exp(SIGMA * SIGMA / 2);
  }

  /** Runs {@code tasks} arrivals at {@code load} × the fleet's capacity (tasks/s it can finish). */
  static Outcome run(Scheduler scheduler, List<Spec> specs, double load, int tasks, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = specs.size();
    double[] rate = new double[n];
    double capacity = 0;
    for (int i = 0; i < n; i++) {
      rate[i] = specs.get(i).slots() / (meanSeconds() * specs.get(i).slowness());
      capacity += rate[i];
    }
    double[] capacityShare = new double[n];
    for (int i = 0; i < n; i++) {
      capacityShare[i] = rate[i] / capacity;
    }
    int[] active = new int[n];
    Ewma[] taskMillis = new Ewma[n];
    for (int i = 0; i < n; i++) {
      taskMillis[i] = new Ewma(WorkerState.TASK_TIME_ALPHA);
    }
    WorkerSnapshot[] snaps = new WorkerSnapshot[n];
    for (int i = 0; i < n; i++) {
      snaps[i] = snapshot(specs, i, active, taskMillis);
    }
    List<WorkerSnapshot> view = Arrays.asList(snaps);
    long[] done = new long[n];
    double[] busy = new double[n];
    PriorityQueue<Event> completions =
        new PriorityQueue<>((a, b) -> Double.compare(a.time(), b.time()));
    Deque<double[]> queue = new ArrayDeque<>(); // {arrival time, base duration} of waiting tasks
    double responseSum = 0;
    double now = 0;
    double nextArrival = exponential(random, load * capacity);
    int arrived = 0;
    while (arrived < tasks || !completions.isEmpty() || !queue.isEmpty()) {
      boolean arrival =
          arrived < tasks && (completions.isEmpty() || nextArrival <= completions.peek().time());
      if (arrival) {
        now = nextArrival;
        arrived++;
        nextArrival = now + exponential(random, load * capacity);
        queue.addLast(new double[] {now, MEDIAN_SECONDS * Math.exp(SIGMA * random.nextGaussian())});
      } else {
        Event e = completions.poll();
        now = e.time();
        active[e.worker()]--;
        snaps[e.worker()] = snapshot(specs, e.worker(), active, taskMillis);
      }
      // place waiting tasks while the scheduler finds a worker
      while (!queue.isEmpty()) {
        Optional<WorkerSnapshot> pick = scheduler.pick(TASK, view);
        if (pick.isEmpty()) {
          break;
        }
        int w = Integer.parseInt(pick.get().id());
        double[] task = queue.removeFirst();
        double duration = task[1] * specs.get(w).slowness();
        responseSum += now + duration - task[0];
        active[w]++;
        done[w]++;
        busy[w] += duration;
        taskMillis[w].add(duration * 1000);
        snaps[w] = snapshot(specs, w, active, taskMillis);
        completions.add(new Event(now + duration, w));
      }
    }
    return new Outcome(done, busy, now, capacityShare, responseSum / tasks);
  }

  private static WorkerSnapshot snapshot(List<Spec> specs, int i, int[] active, Ewma[] taskMillis) {
    Spec s = specs.get(i);
    return new WorkerSnapshot(
        Integer.toString(i),
        COMPILERS,
        "x86_64",
        s.slots(),
        s.slots(),
        active[i],
        false,
        0,
        taskMillis[i].value(),
        Double.NaN);
  }

  private static double exponential(SplittableRandom random, double rate) {
    return -Math.log(1 - random.nextDouble()) / rate;
  }
}
