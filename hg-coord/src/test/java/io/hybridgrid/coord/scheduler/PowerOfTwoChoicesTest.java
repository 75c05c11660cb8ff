package io.hybridgrid.coord.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PowerOfTwoChoicesTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);
  private static final CompilerIdentity CLANG =
      new CompilerIdentity("clang", "14.0.6", "x86_64-linux-gnu", false);
  private static final CompilerIdentity CROSS =
      new CompilerIdentity("gcc", "12.2.0", "aarch64-linux-gnu", false);
  private static final TaskRequest GCC_TASK = TaskRequest.of(GCC);
  private static final long MIB = 1L << 20;

  /** An x86_64 worker with one core per slot, {@code busy} slots running, nothing measured. */
  private static WorkerSnapshot worker(String id, int slots, int busy) {
    return new WorkerSnapshot(
        id, Set.of(GCC), "x86_64", slots, slots, busy, false, 0, Double.NaN, Double.NaN);
  }

  private static WorkerSnapshot measured(
      int slots, int busy, int cores, long freeMemory, double taskMs, double rttMs, String arch) {
    return new WorkerSnapshot(
        "m", Set.of(GCC, CROSS), arch, cores, slots, busy, false, freeMemory, taskMs, rttMs);
  }

  private static PowerOfTwoChoices scheduler(long seed) {
    return new PowerOfTwoChoices(new SplittableRandom(seed));
  }

  // --- the formula, pinned ---

  @Test
  void idleWorkerWithNothingMeasuredScoresOne() {
    assertEquals(1.0, PowerOfTwoChoices.score(GCC_TASK, worker("w", 8, 0)));
  }

  @Test
  void everyTermTogether() {
    // free 6/8 = 0.75, slotSpeed 4/8 = 0.5, time 1/(1 + 500/1000) = 2/3, rtt 1/(1 + 10/50) = 5/6,
    // memory 512 MiB / 1 GiB = 0.5, arch aarch64 worker for an x86_64 target = 0.9:
    // 0.75 × 0.5 × 2/3 × 5/6 × 0.5 × 0.9 = 0.09375
    WorkerSnapshot w = measured(8, 2, 4, 512 * MIB, 500, 10, "aarch64");
    assertEquals(0.09375, PowerOfTwoChoices.score(GCC_TASK, w), 1e-12);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // term,                 slots, busy, cores, freeMiB, taskMs, rttMs, arch,    score
    "'free slots 1 of 4',        4,    3,     4,       0,    NaN,   NaN, x86_64,  0.25",
    "'cores 2 for 4 slots',      4,    0,     2,       0,    NaN,   NaN, x86_64,  0.5",
    "'more cores than slots',    4,    0,    16,       0,    NaN,   NaN, x86_64,  1.0",
    "'task time 1 s',            4,    0,     4,       0,   1000,   NaN, x86_64,  0.5",
    "'task time 3 s',            4,    0,     4,       0,   3000,   NaN, x86_64,  0.25",
    "'task time 0',              4,    0,     4,       0,      0,   NaN, x86_64,  1.0",
    "'rtt 50 ms',                4,    0,     4,       0,    NaN,    50, x86_64,  0.5",
    "'rtt 150 ms',               4,    0,     4,       0,    NaN,   150, x86_64,  0.25",
    "'free memory 256 MiB',      4,    0,     4,     256,    NaN,   NaN, x86_64,  0.25",
    "'free memory 4 GiB',        4,    0,     4,    4096,    NaN,   NaN, x86_64,  1.0",
    "'free memory unknown',      4,    0,     4,       0,    NaN,   NaN, x86_64,  1.0",
    "'foreign arch',             4,    0,     4,       0,    NaN,   NaN, aarch64, 0.9",
  })
  void eachTermAlone(
      String term,
      int slots,
      int busy,
      int cores,
      long freeMiB,
      double taskMs,
      double rttMs,
      String arch,
      double expected) {
    WorkerSnapshot w = measured(slots, busy, cores, freeMiB * MIB, taskMs, rttMs, arch);
    assertEquals(expected, PowerOfTwoChoices.score(GCC_TASK, w), 1e-12, term);
  }

  @Test
  void archTermComparesTheWorkerWithTheTargetNotTheHost() {
    // A cross compile to aarch64 prefers an aarch64 worker; os.arch "amd64" is x86_64.
    TaskRequest cross = TaskRequest.of(CROSS);
    assertEquals(
        1.0,
        PowerOfTwoChoices.score(cross, measured(4, 0, 4, 0, Double.NaN, Double.NaN, "aarch64")));
    assertEquals(
        0.9,
        PowerOfTwoChoices.score(cross, measured(4, 0, 4, 0, Double.NaN, Double.NaN, "x86_64")));
    assertEquals("x86_64", MachineArch.normalize("amd64"));
    assertEquals("aarch64", MachineArch.normalize("arm64"));
  }

  // --- the choice ---

  @Test
  void noEligibleWorkerGivesNothing() {
    WorkerSnapshot full = worker("full", 2, 2);
    WorkerSnapshot clangOnly =
        new WorkerSnapshot(
            "clang", Set.of(CLANG), "x86_64", 4, 4, 0, false, 0, Double.NaN, Double.NaN);
    assertEquals(Optional.empty(), scheduler(1).pick(GCC_TASK, List.of()));
    assertEquals(Optional.empty(), scheduler(1).pick(GCC_TASK, List.of(full, clangOnly)));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void singleEligibleWorkerIsReturned(long seed) {
    WorkerSnapshot only = worker("only", 4, 3);
    List<WorkerSnapshot> fleet = List.of(worker("full", 2, 2), only, worker("full2", 1, 1));
    PowerOfTwoChoices s = scheduler(seed);
    for (int i = 0; i < 100; i++) {
      assertSame(only, s.pick(GCC_TASK, fleet).orElseThrow());
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void ofTwoEligibleTheHigherScoreWins(long seed) {
    WorkerSnapshot big = worker("big", 16, 12); // 0.25
    WorkerSnapshot small = worker("small", 2, 0); // 1.0
    PowerOfTwoChoices s = scheduler(seed);
    for (int i = 0; i < 100; i++) {
      assertSame(small, s.pick(GCC_TASK, List.of(big, small)).orElseThrow());
      assertSame(small, s.pick(GCC_TASK, List.of(small, big)).orElseThrow());
    }
  }

  @Test
  void equalScoresGoToMoreFreeSlots() {
    WorkerSnapshot big = worker("big", 16, 8); // 0.5, 8 free
    WorkerSnapshot small = worker("small", 2, 1); // 0.5, 1 free
    PowerOfTwoChoices s = scheduler(5);
    for (int i = 0; i < 100; i++) {
      assertSame(big, s.pick(GCC_TASK, List.of(big, small)).orElseThrow());
      assertSame(big, s.pick(GCC_TASK, List.of(small, big)).orElseThrow());
    }
  }

  @Test
  void slowerWorkerLosesToAnEquallyFreeFasterOne() {
    WorkerSnapshot fast = measured(4, 2, 4, 0, 200, 1, "x86_64");
    WorkerSnapshot slow = measured(4, 2, 4, 0, 800, 1, "x86_64");
    assertTrue(PowerOfTwoChoices.score(GCC_TASK, fast) > PowerOfTwoChoices.score(GCC_TASK, slow));
    assertSame(fast, scheduler(9).pick(GCC_TASK, List.of(slow, fast)).orElseThrow());
  }

  @Test
  void choicesSpreadOverTheEligibleByRank() {
    // Four eligible workers with distinct scores: a (1.0) > b (0.75) > c (0.5) > d (0.25), plus
    // three that may not be chosen. Each pick samples an unordered pair uniformly from the 6 pairs
    // of eligible workers and keeps the better one, so the k-th best (k = 1..4) wins 2(4 - k)/12
    // of picks: 1/2, 1/3, 1/6 and never the worst. Over 10,000 picks the standard deviation is at
    // most 50, so each count must be within 250 (5 sigma) of 5000, 3333 and 1667, and d's must be
    // 0. A least-loaded scheduler would give a all 10,000; a uniform one about 2,500 each.
    WorkerSnapshot a = worker("a", 8, 0);
    WorkerSnapshot b = worker("b", 4, 1);
    WorkerSnapshot c = worker("c", 16, 8);
    WorkerSnapshot d = worker("d", 4, 3);
    WorkerSnapshot full = worker("full", 4, 4);
    WorkerSnapshot draining =
        new WorkerSnapshot(
            "drain", Set.of(GCC), "x86_64", 8, 8, 0, true, 0, Double.NaN, Double.NaN);
    WorkerSnapshot clang =
        new WorkerSnapshot(
            "clang", Set.of(CLANG), "x86_64", 8, 8, 0, false, 0, Double.NaN, Double.NaN);
    List<WorkerSnapshot> fleet = List.of(c, full, a, draining, d, clang, b);
    PowerOfTwoChoices s = scheduler(20240501);
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(s.pick(GCC_TASK, fleet).orElseThrow().id(), 1, Integer::sum);
    }

    assertEquals(Set.of("a", "b", "c"), counts.keySet(), counts::toString);
    assertTrue(Math.abs(counts.get("a") - 5000) <= 250, counts::toString);
    assertTrue(Math.abs(counts.get("b") - 3333) <= 250, counts::toString);
    assertTrue(Math.abs(counts.get("c") - 1667) <= 250, counts::toString);
  }
}
