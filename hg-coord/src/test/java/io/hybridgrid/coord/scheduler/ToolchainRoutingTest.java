package io.hybridgrid.coord.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Routing by toolchain digest inside power-of-two-choices (docs/toolchains.md). */
class ToolchainRoutingTest {
  private static final CompilerIdentity GCC12 =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);
  private static final CompilerIdentity GCC11 =
      new CompilerIdentity("gcc", "11.3.0", "x86_64-linux-gnu", false);
  private static final String TC = "a".repeat(64);
  private static final TaskRequest SHIPPED =
      new TaskRequest(GCC12, Set.of(), InputSet.NONE, new ShippedToolchain(TC, "amd64"));

  private static WorkerSnapshot worker(
      String id,
      Set<CompilerIdentity> compilers,
      String arch,
      boolean own,
      boolean shipped,
      Set<String> held) {
    return new WorkerSnapshot(
        id,
        compilers,
        MachineArch.normalize(arch),
        4,
        4,
        0,
        false,
        0,
        Double.NaN,
        Double.NaN,
        Holdings.NONE,
        0,
        own,
        shipped,
        held);
  }

  @Test
  void aWorkerWithoutTheCompilerRunsAShippedToolchainOfItsArchitecture() {
    WorkerSnapshot gcc11 = worker("w11", Set.of(GCC11), "amd64", true, true, Set.of());
    WorkerSnapshot none = worker("bare", Set.of(), "x86_64", false, true, Set.of());
    assertTrue(SHIPPED.canRunOn(gcc11));
    assertTrue(SHIPPED.canRunOn(none));
    // Without a toolchain, the same task needs the compiler installed.
    assertFalse(TaskRequest.of(GCC12).canRunOn(gcc11));
    assertFalse(TaskRequest.of(GCC12).canRunOn(none));
  }

  @Test
  void neverOnAWorkerThatCannotExecuteIt() {
    WorkerSnapshot arm = worker("arm", Set.of(GCC11), "aarch64", true, true, Set.of());
    WorkerSnapshot own = worker("own", Set.of(GCC11), "amd64", true, false, Set.of());
    assertFalse(SHIPPED.canRunOn(arm), "an x86_64 toolchain on an aarch64 worker");
    assertFalse(SHIPPED.canRunOn(own), "a worker with --toolchains own");
    PowerOfTwoChoices p2c = new PowerOfTwoChoices(new SplittableRandom(1));
    assertEquals(Optional.empty(), p2c.pick(SHIPPED, List.of(arm, own)));
    // An empty architecture is never taken for "any".
    TaskRequest noArch =
        new TaskRequest(GCC12, Set.of(), InputSet.NONE, new ShippedToolchain(TC, ""));
    assertFalse(noArch.canRunOn(worker("x", Set.of(), "amd64", false, true, Set.of())));
  }

  @Test
  void aShippedOnlyWorkerDoesNotRunItsOwnCompilers() {
    WorkerSnapshot shippedOnly = worker("s", Set.of(GCC12), "amd64", false, true, Set.of());
    assertFalse(TaskRequest.of(GCC12).canRunOn(shippedOnly));
    assertTrue(SHIPPED.canRunOn(shippedOnly));
  }

  @Test
  void theWorkerHoldingTheToolchainWinsWheneverItHasAFreeSlot() {
    List<WorkerSnapshot> fleet =
        List.of(
            worker("a", Set.of(GCC11), "amd64", true, true, Set.of()),
            worker("b", Set.of(), "amd64", false, true, Set.of()),
            worker("holder", Set.of(GCC11), "amd64", true, true, Set.of(TC)),
            worker("c", Set.of(GCC11), "amd64", true, true, Set.of()));
    Map<String, Integer> picks = new HashMap<>();
    for (long seed = 0; seed < 200; seed++) {
      String id = new PowerOfTwoChoices(new SplittableRandom(seed)).pick(SHIPPED, fleet).get().id();
      picks.merge(id, 1, Integer::sum);
    }
    assertEquals(Map.of("holder", 200), picks);
  }

  @Test
  void anInstalledCompilerOfTheSameIdentityCountsAsHolding() {
    WorkerSnapshot native12 = worker("n", Set.of(GCC12), "amd64", true, true, Set.of());
    WorkerSnapshot other = worker("o", Set.of(GCC11), "amd64", true, true, Set.of());
    for (long seed = 0; seed < 50; seed++) {
      assertEquals(
          "n",
          new PowerOfTwoChoices(new SplittableRandom(seed))
              .pick(SHIPPED, List.of(other, native12))
              .get()
              .id());
    }
  }

  @Test
  void whenTheHolderIsFullTheOthersShare() {
    WorkerSnapshot fullHolder =
        new WorkerSnapshot(
            "holder",
            Set.of(),
            "x86_64",
            2,
            2,
            2,
            false,
            0,
            Double.NaN,
            Double.NaN,
            Holdings.NONE,
            0,
            false,
            true,
            Set.of(TC));
    List<WorkerSnapshot> fleet =
        List.of(
            fullHolder,
            worker("a", Set.of(GCC11), "amd64", true, true, Set.of()),
            worker("b", Set.of(), "amd64", false, true, Set.of()));
    Map<String, Integer> picks = new HashMap<>();
    for (long seed = 0; seed < 100; seed++) {
      picks.merge(
          new PowerOfTwoChoices(new SplittableRandom(seed)).pick(SHIPPED, fleet).get().id(),
          1,
          Integer::sum);
    }
    assertEquals(Set.of("a", "b"), picks.keySet());
  }
}
