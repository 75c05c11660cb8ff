package io.hybridgrid.coord.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.registry.WorkerState;
import io.hybridgrid.coord.testing.RecordingSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PowerOfTwoChoicesTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  /** A worker with {@code slots} slots of which {@code busy} are running tasks. */
  private static WorkerState<String> worker(String id, int slots, int busy) {
    WorkerState<String> w =
        new WorkerState<>(
            new WorkerDescriptor(
                id, id, slots, 1L << 30, "amd64", "linux", Set.of(GCC), slots, "test"),
            new RecordingSink(),
            Instant.EPOCH);
    for (int i = 0; i < busy; i++) {
      w.taskStarted();
    }
    return w;
  }

  private static PowerOfTwoChoices scheduler(long seed) {
    return new PowerOfTwoChoices(new SplittableRandom(seed));
  }

  @Test
  void emptyCandidatesGiveNothing() {
    assertEquals(Optional.empty(), scheduler(1).pick(List.<WorkerState<String>>of()));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void singleCandidateIsReturned(long seed) {
    WorkerState<String> only = worker("only", 4, 3);
    PowerOfTwoChoices s = scheduler(seed);
    for (int i = 0; i < 100; i++) {
      assertSame(only, s.pick(List.of(only)).orElseThrow());
    }
  }

  @Test
  void neverPicksOutsideTheCandidates() {
    List<WorkerState<String>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(worker("w" + i, 4, i % 4)); // w0, w4 idle; w1, w5 one busy; ...; w3, w7 three busy
    }
    // The best-scoring workers (the idle w0 and w4) are not candidates.
    List<WorkerState<String>> candidates = List.of(all.get(1), all.get(2), all.get(3), all.get(5));
    PowerOfTwoChoices s = scheduler(7);
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < 5_000; i++) {
      WorkerState<String> w = s.pick(candidates).orElseThrow();
      assertTrue(candidates.stream().anyMatch(c -> c == w), () -> "picked " + w.id());
      seen.merge(w.id(), 1, Integer::sum);
    }
    // w3 (3 of 4 busy) is strictly the worst candidate, so it never wins a pair; the others do.
    assertEquals(Set.of("w1", "w2", "w5"), seen.keySet(), seen::toString);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void prefersTheHigherFreeSlotFraction(long seed) {
    // Two candidates are always both sampled, so the choice is the better score every time.
    WorkerState<String> big = worker("big", 16, 12); // 4 free slots, 0.25
    WorkerState<String> small = worker("small", 2, 0); // 2 free slots, 1.0
    PowerOfTwoChoices s = scheduler(seed);
    for (int i = 0; i < 100; i++) {
      assertSame(small, s.pick(List.of(big, small)).orElseThrow());
      assertSame(small, s.pick(List.of(small, big)).orElseThrow());
    }
  }

  @Test
  void equalFractionsGoToMoreFreeSlots() {
    WorkerState<String> big = worker("big", 16, 8); // 0.5, 8 free
    WorkerState<String> small = worker("small", 2, 1); // 0.5, 1 free
    PowerOfTwoChoices s = scheduler(5);
    for (int i = 0; i < 100; i++) {
      assertSame(big, s.pick(List.of(big, small)).orElseThrow());
      assertSame(big, s.pick(List.of(small, big)).orElseThrow());
    }
  }

  @Test
  void choicesSpreadOverTheCandidatesByRank() {
    // Four workers of different sizes with distinct scores: a (1.0) > b (0.75) > c (0.5) > d
    // (0.25). Each pick samples an unordered pair uniformly from the 6 pairs and keeps the better
    // one, so the k-th best (k = 1..4) wins 2(4 - k)/12 of picks: 1/2, 1/3, 1/6 and never the
    // worst. Over 10,000 picks the standard deviation is at most 50, so each count must be within
    // 250 (5 sigma) of 5000, 3333 and 1667, and d's must be 0. A least-loaded scheduler would give
    // a all 10,000; a uniform one about 2,500 each, including d.
    WorkerState<String> a = worker("a", 8, 0);
    WorkerState<String> b = worker("b", 4, 1);
    WorkerState<String> c = worker("c", 16, 8);
    WorkerState<String> d = worker("d", 4, 3);
    List<WorkerState<String>> candidates = List.of(c, a, d, b);
    PowerOfTwoChoices s = scheduler(20240501);
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(s.pick(candidates).orElseThrow().id(), 1, Integer::sum);
    }

    assertEquals(Set.of("a", "b", "c"), counts.keySet(), counts::toString);
    assertTrue(Math.abs(counts.get("a") - 5000) <= 250, counts::toString);
    assertTrue(Math.abs(counts.get("b") - 3333) <= 250, counts::toString);
    assertTrue(Math.abs(counts.get("c") - 1667) <= 250, counts::toString);
  }
}
