package io.hybridgrid.coord.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Properties of the schedulers over many seeded random cases (deterministic: a failure names the
 * seed that reproduces it).
 *
 * <p>The load-spread bound held, from {@link FleetSimulation}: on ten random heterogeneous fleets
 * (4 to 40 workers, 1 to 16 slots, speeds ×0.5/×1/×2) fed a Poisson stream at 75% of capacity with
 * log-normal compile times, every worker's share of tasks is within {@code 0.5 × its capacity share
 * + 0.01} of its capacity share (capacity = slots / mean task time). Measured, P2C needs +0.0016;
 * always-the-first-worker needs +0.067 and round-robin +0.028, so the bound tells them apart.
 */
class SchedulerPropertiesTest {
  private static final List<CompilerIdentity> POOL =
      List.of(
          new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false),
          new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", true),
          new CompilerIdentity("gcc", "13.2.0", "x86_64-linux-gnu", false),
          new CompilerIdentity("clang", "14.0.6", "x86_64-linux-gnu", false),
          new CompilerIdentity("gcc", "12.2.0", "aarch64-linux-gnu", false));
  private static final double LOAD = 0.75;

  /** A random fleet: 0-20 workers with random compilers, slots, load, draining and measures. */
  private static List<WorkerSnapshot> randomFleet(SplittableRandom r) {
    int n = r.nextInt(21);
    List<WorkerSnapshot> fleet = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Set<CompilerIdentity> compilers = new HashSet<>();
      for (CompilerIdentity c : POOL) {
        if (r.nextInt(3) == 0) {
          compilers.add(c);
        }
      }
      int slots = 1 + r.nextInt(16);
      fleet.add(
          new WorkerSnapshot(
              "w" + i,
              compilers,
              r.nextBoolean() ? "x86_64" : "aarch64",
              1 + r.nextInt(32),
              slots,
              r.nextInt(slots + 1),
              r.nextInt(10) == 0,
              r.nextInt(3) == 0 ? 0 : r.nextLong(8L << 30),
              r.nextBoolean() ? Double.NaN : r.nextDouble() * 5000,
              r.nextBoolean() ? Double.NaN : r.nextDouble() * 200));
    }
    return fleet;
  }

  @ParameterizedTest
  @EnumSource(SchedulerKind.class)
  void neverPicksAnIncapableFullDrainingOrExcludedWorker(SchedulerKind kind) {
    for (long seed = 0; seed < 3000; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      List<WorkerSnapshot> fleet = randomFleet(r);
      Set<String> excluded = new HashSet<>();
      for (WorkerSnapshot w : fleet) {
        if (r.nextInt(5) == 0) {
          excluded.add(w.id());
        }
      }
      TaskRequest task = new TaskRequest(POOL.get(r.nextInt(POOL.size())), excluded);
      Scheduler s = kind.create(new SplittableRandom(seed));
      long seedForMessage = seed;

      Optional<WorkerSnapshot> pick = s.pick(task, fleet);

      boolean anyEligible = fleet.stream().anyMatch(task::canRunOn);
      assertEquals(anyEligible, pick.isPresent(), () -> kind + " seed " + seedForMessage);
      pick.ifPresent(
          w -> {
            assertTrue(fleet.contains(w), () -> kind + " seed " + seedForMessage);
            assertTrue(
                w.compilers().contains(task.compiler()), () -> "incapable, seed " + seedForMessage);
            assertTrue(w.freeSlots() > 0, () -> "full, seed " + seedForMessage);
            assertTrue(!w.draining(), () -> "draining, seed " + seedForMessage);
            assertTrue(!excluded.contains(w.id()), () -> "excluded, seed " + seedForMessage);
          });
    }
  }

  @ParameterizedTest
  @EnumSource(SchedulerKind.class)
  void crossCompileGoesOnlyToWorkersWithThatTarget(SchedulerKind kind) {
    CompilerIdentity native12 = POOL.get(0);
    CompilerIdentity cross = POOL.get(4);
    List<WorkerSnapshot> fleet = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Set<CompilerIdentity> compilers = i == 4 ? Set.of(native12, cross) : Set.of(native12);
      fleet.add(
          new WorkerSnapshot(
              "w" + i, compilers, "x86_64", 8, 8, 0, false, 0, Double.NaN, Double.NaN));
    }
    Scheduler s = kind.create(new SplittableRandom(3));
    for (int i = 0; i < 50; i++) {
      assertEquals("w4", s.pick(TaskRequest.of(cross), fleet).orElseThrow().id());
    }
  }

  /** Ten heterogeneous fleets, fixed by their seeds. */
  private static List<List<FleetSimulation.Spec>> fleets() {
    List<List<FleetSimulation.Spec>> out = new ArrayList<>();
    for (int f = 0; f < 10; f++) {
      SplittableRandom r = new SplittableRandom(1000 + f);
      int size = 4 + r.nextInt(37);
      List<FleetSimulation.Spec> fleet = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        fleet.add(
            new FleetSimulation.Spec(1 << r.nextInt(5), new double[] {0.5, 1, 2}[r.nextInt(3)]));
      }
      out.add(fleet);
    }
    return out;
  }

  /** The largest excess over the bound {@code |share - cap| <= 0.5 cap + 0.01}; <= 0 holds. */
  private static double worstExcess(LongFunction<Scheduler> scheduler) {
    double worst = Double.NEGATIVE_INFINITY;
    List<List<FleetSimulation.Spec>> fleets = fleets();
    for (List<FleetSimulation.Spec> fleet : fleets) {
      for (long seed = 1; seed <= 5; seed++) {
        FleetSimulation.Outcome o =
            FleetSimulation.run(scheduler.apply(seed), fleet, LOAD, 10_000, seed);
        for (int i = 0; i < fleet.size(); i++) {
          double cap = o.capacityShare()[i];
          worst = Math.max(worst, Math.abs(o.share(i) - cap) - (0.5 * cap + 0.01));
        }
      }
    }
    return worst;
  }

  @Test
  void p2cSpreadsTasksInProportionToCapacity() {
    double excess = worstExcess(seed -> new PowerOfTwoChoices(new SplittableRandom(seed)));
    System.out.printf("spread: P2C's worst excess over the bound %.4f%n", excess);
    assertTrue(excess <= 0, () -> "a worker's share strays " + excess + " beyond the bound");
  }

  @Test
  void theSpreadBoundCatchesASchedulerThatPilesOntoTheFirstWorker() {
    Scheduler first = (task, workers) -> workers.stream().filter(task::canRunOn).findFirst();
    double excess = worstExcess(seed -> first);
    double rr = worstExcess(seed -> new RoundRobin());
    System.out.printf(
        "spread: worst excess over the bound: first-fit %.4f, round-robin %.4f%n", excess, rr);
    assertTrue(excess > 0.03, () -> "first-fit should break the bound, excess " + excess);
  }

  @Test
  void p2cResponseTimeIsCloseToLeastLoadedAndBetterThanRoundRobin() {
    double p2c = 0;
    double leastLoaded = 0;
    double roundRobin = 0;
    for (List<FleetSimulation.Spec> fleet : fleets()) {
      for (long seed = 1; seed <= 5; seed++) {
        p2c +=
            FleetSimulation.run(
                    new PowerOfTwoChoices(new SplittableRandom(seed)), fleet, LOAD, 10_000, seed)
                .meanResponseSeconds();
        leastLoaded +=
            FleetSimulation.run(new LeastLoaded(), fleet, LOAD, 10_000, seed).meanResponseSeconds();
        roundRobin +=
            FleetSimulation.run(new RoundRobin(), fleet, LOAD, 10_000, seed).meanResponseSeconds();
      }
    }
    double p = p2c / 50;
    double ll = leastLoaded / 50;
    double rr = roundRobin / 50;
    System.out.printf(
        "mean response time: P2C %.4f s, least-loaded %.4f s, round-robin %.4f s%n", p, ll, rr);
    // Measured: P2C within 1% of least-loaded (which scans every worker), 5% better than
    // round-robin. Held with margin: within 3%, and at least 3% better.
    assertTrue(p <= 1.03 * ll, () -> "P2C " + p + " vs least-loaded " + ll);
    assertTrue(p <= 0.97 * rr, () -> "P2C " + p + " vs round-robin " + rr);
  }
}
