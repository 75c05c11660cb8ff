package io.hybridgrid.coord.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.registry.SentInputs;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The affinity term of P2C and the per-worker memory of sent inputs behind it. */
class AffinityTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  /** Inputs with keys 1..n, each {@code size} bytes. */
  private static InputSet inputs(int from, int to, long size) {
    long[] keys = new long[to - from + 1];
    long[] sizes = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = from + i;
      sizes[i] = size;
    }
    return new InputSet(keys, sizes);
  }

  private static WorkerSnapshot worker(String id, int slots, int busy, Holdings holdings) {
    return new WorkerSnapshot(
        id,
        Set.of(GCC),
        "x86_64",
        slots,
        slots,
        busy,
        false,
        0,
        Double.NaN,
        Double.NaN,
        holdings,
        0);
  }

  @Test
  void scoreGrowsWithTheShareOfInputBytesHeld() {
    InputSet task = inputs(1, 4, 100);
    TaskRequest request = new TaskRequest(GCC, Set.of(), task);
    SentInputs half = new SentInputs(100);
    half.sent(inputs(1, 2, 100));
    SentInputs all = new SentInputs(100);
    all.sent(inputs(1, 10, 100));
    assertEquals(1.0, PowerOfTwoChoices.score(request, worker("cold", 4, 0, Holdings.NONE)));
    assertEquals(1.5, PowerOfTwoChoices.score(request, worker("half", 4, 0, half)), 1e-12);
    assertEquals(2.0, PowerOfTwoChoices.score(request, worker("warm", 4, 0, all)), 1e-12);
    // Weighted by bytes, not by count: one large held input outweighs three small missing ones.
    InputSet skewed = new InputSet(new long[] {1, 20, 21, 22}, new long[] {700, 100, 100, 100});
    assertEquals(
        1.7,
        PowerOfTwoChoices.score(new TaskRequest(GCC, Set.of(), skewed), worker("h", 4, 0, half)),
        1e-12);
    // A task without inputs is placed as before.
    assertEquals(1.0, PowerOfTwoChoices.score(TaskRequest.of(GCC), worker("warm", 4, 0, all)));
  }

  @Test
  void betweenTwoEquallyLoadedWorkersTheWarmOneWinsEveryTime() {
    SentInputs held = new SentInputs(100);
    held.sent(inputs(1, 50, 1000));
    List<WorkerSnapshot> pair =
        List.of(worker("cold", 8, 2, Holdings.NONE), worker("warm", 8, 2, held));
    TaskRequest request = new TaskRequest(GCC, Set.of(), inputs(1, 50, 1000));
    PowerOfTwoChoices p2c = new PowerOfTwoChoices(new SplittableRandom(3));
    for (int i = 0; i < 100; i++) {
      assertEquals("warm", p2c.pick(request, pair).orElseThrow().id());
    }
  }

  @Test
  void affinityDoesNotOverrideAMuchBusierWorker() {
    SentInputs held = new SentInputs(100);
    held.sent(inputs(1, 50, 1000));
    // warm: 1 of 8 slots free (0.125 × 2 = 0.25); cold: 6 of 8 free (0.75).
    List<WorkerSnapshot> pair =
        List.of(worker("cold", 8, 2, Holdings.NONE), worker("warm", 8, 7, held));
    TaskRequest request = new TaskRequest(GCC, Set.of(), inputs(1, 50, 1000));
    PowerOfTwoChoices p2c = new PowerOfTwoChoices(new SplittableRandom(3));
    for (int i = 0; i < 100; i++) {
      assertEquals("cold", p2c.pick(request, pair).orElseThrow().id());
    }
  }

  @Test
  void sentInputsForgetTheOldestBeyondTheirCapacity() {
    SentInputs s = new SentInputs(10);
    s.sent(inputs(1, 10, 1));
    assertEquals(10, s.bytesHeld(inputs(1, 10, 1)));
    s.sent(inputs(11, 15, 1));
    assertEquals(10, s.size());
    assertEquals(5, s.bytesHeld(inputs(1, 10, 1)), "keys 1-5 were the oldest");
    assertEquals(10, s.bytesHeld(inputs(6, 15, 1)));
  }

  @Test
  void keyIsTheHashPrefix() {
    assertEquals(0x0123456789abcdefL, InputSet.key("0123456789abcdef" + "0".repeat(48)));
    assertEquals(-1L, InputSet.key("f".repeat(64)));
  }
}
