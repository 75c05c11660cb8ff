package io.hybridgrid.coord.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.registry.WorkerLoad;
import io.hybridgrid.coord.registry.WorkerState;
import io.hybridgrid.coord.scheduler.PowerOfTwoChoices;
import io.hybridgrid.coord.scheduler.Scheduler;
import io.hybridgrid.coord.testing.FirstCandidate;
import io.hybridgrid.coord.testing.MutableClock;
import io.hybridgrid.coord.testing.RecordingSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Circuit breakers, hedging, cancellation and the wait for workers after a start. */
class DispatcherReliabilityTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));

  private Dispatcher<String, Integer> dispatcher(
      Scheduler scheduler, Duration hedgeFloor, Duration workerWait) {
    return new Dispatcher<>(
        new DispatchSettings(
                100, Duration.ofSeconds(30), Duration.ofMinutes(10), 3, Duration.ofSeconds(10))
            .withHedging(3, hedgeFloor)
            .withWorkerWait(workerWait),
        scheduler,
        clock,
        r -> r != 0,
        EventLog.inMemory(100));
  }

  private static WorkerDescriptor descriptor(String id, int slots) {
    return new WorkerDescriptor(
        id, id + ".lan", 8, 16L << 30, "amd64", "linux", Set.of(GCC), slots, "test");
  }

  private static RecordingSink register(Dispatcher<String, Integer> d, String id, int slots) {
    RecordingSink sink = new RecordingSink();
    d.register(descriptor(id, slots), sink);
    return sink;
  }

  private static WorkerState<String> state(Dispatcher<String, Integer> d, String id) {
    return d.workers(w -> w).stream().filter(w -> w.id().equals(id)).findFirst().orElseThrow();
  }

  /**
   * A worker whose compiler crashes answers at once, so its slots always look free: without the
   * breaker and the health term it would get most tasks. Four tasks at a time on 2 + 2 slots (so
   * the healthy worker alone cannot take them all): the crashing one gets at most 5 of 34 (3 to
   * open its breaker, plus what its two slots held meanwhile), then none while open.
   */
  @Test
  void crashingWorkerIsRankedDownThenTakenOutOfScheduling() {
    Dispatcher<String, Integer> d =
        dispatcher(new PowerOfTwoChoices(new SplittableRandom(7)), Duration.ZERO, Duration.ZERO);
    RecordingSink bad = register(d, "bad", 2);
    RecordingSink good = register(d, "good", 2);
    List<CompletableFuture<Completed<Integer>>> futures = new ArrayList<>();
    Set<String> answered = new java.util.HashSet<>();
    for (int i = 0; i < 34; i++) {
      futures.add(d.submit(GCC, Priority.INTERACTIVE, "unit-" + i));
      if (i % 4 != 3 && i != 33) {
        continue;
      }
      while (futures.stream().anyMatch(f -> !f.isDone())) {
        for (var a : bad.assignments()) {
          if (answered.add("bad/" + a.taskId())) {
            d.rejected("bad", a.taskId(), Rejection.INFRASTRUCTURE, "killed by signal 11");
          }
        }
        for (var a : good.assignments()) {
          if (answered.add("good/" + a.taskId())) {
            d.result("good", a.taskId(), 0);
          }
        }
      }
    }
    futures.forEach(f -> assertEquals(0, f.join().result()));
    assertTrue(bad.assignments().size() <= 5, "sent to the crashing worker: " + bad.assignments());
    assertTrue(bad.assignments().size() >= 3, "it does get tasks while the good one is full");
    assertEquals("OPEN", state(d, "bad").circuitState());
    assertFalse(d.schedulable("bad"));
    assertTrue(d.schedulable("good"));
  }

  @Test
  void openBreakerLetsOneProbeThroughAfterItsWaitAndClosesOnSuccess() {
    Dispatcher<String, Integer> d = dispatcher(new FirstCandidate(), Duration.ZERO, Duration.ZERO);
    RecordingSink w1 = register(d, "w1", 4);
    RecordingSink w2 = register(d, "w2", 4);
    for (int i = 0; i < 3; i++) {
      var unused = d.submit(GCC, Priority.INTERACTIVE, "u" + i);
      d.rejected("w1", w1.last().taskId(), Rejection.INFRASTRUCTURE, "crash");
      d.result("w2", w2.last().taskId(), 0);
    }
    assertFalse(d.schedulable("w1"));
    int before = w1.assignments().size();
    var unused = d.submit(GCC, Priority.INTERACTIVE, "while-open");
    assertEquals(before, w1.assignments().size(), "an open breaker takes w1 out of scheduling");
    d.result("w2", w2.last().taskId(), 0);

    clock.advance(Duration.ofSeconds(11)); // past the first open wait (10 s)
    d.heartbeat("w1", new WorkerLoad(0, 0, 0));
    d.heartbeat("w2", new WorkerLoad(0, 0, 0));
    var probe = d.submit(GCC, Priority.INTERACTIVE, "probe");
    var second = d.submit(GCC, Priority.INTERACTIVE, "second");
    assertEquals(before + 1, w1.assignments().size(), "exactly one probe while half-open");
    assertEquals("probe", w1.last().payload());
    assertEquals("second", w2.last().payload());
    d.result("w1", w1.last().taskId(), 0);
    assertTrue(probe.isDone());
    assertEquals("CLOSED", state(d, "w1").circuitState());
    assertTrue(d.schedulable("w1"));
    d.result("w2", w2.last().taskId(), 0);
    assertTrue(second.isDone());
  }

  @Test
  void compileErrorsAndClientFaultsDoNotOpenTheBreaker() {
    Dispatcher<String, Integer> d = dispatcher(new FirstCandidate(), Duration.ZERO, Duration.ZERO);
    RecordingSink w1 = register(d, "w1", 1);
    for (int i = 0; i < 10; i++) {
      var unused = d.submit(GCC, Priority.INTERACTIVE, "u" + i);
      if (i % 2 == 0) {
        d.result("w1", w1.last().taskId(), 1);
      } else {
        d.rejected("w1", w1.last().taskId(), Rejection.FORBIDDEN_ARGUMENT, "-fplugin");
      }
    }
    assertEquals("CLOSED", state(d, "w1").circuitState());
    assertEquals(0.0, state(d, "w1").failureShare());
  }

  @Test
  void overdueTaskIsHedgedFirstResultWinsAndTheOtherIsCancelled() {
    Dispatcher<String, Integer> d =
        dispatcher(new FirstCandidate(), Duration.ofSeconds(4), Duration.ZERO);
    RecordingSink slow = register(d, "slow", 2);
    CompletableFuture<Completed<Integer>> f = d.submit(GCC, Priority.INTERACTIVE, "u");
    RecordingSink fast = register(d, "fast", 2);
    String id = slow.last().taskId();

    clock.advance(Duration.ofSeconds(3));
    d.heartbeat("slow", new WorkerLoad(1, 0, 0));
    d.heartbeat("fast", new WorkerLoad(0, 0, 0));
    d.sweep();
    assertTrue(fast.assignments().isEmpty(), "not hedged before the floor");

    clock.advance(Duration.ofSeconds(2));
    d.heartbeat("slow", new WorkerLoad(1, 0, 0));
    d.heartbeat("fast", new WorkerLoad(0, 0, 0));
    d.sweep();
    assertEquals(1, fast.assignments().size(), "hedged after the floor");
    assertEquals(id, fast.last().taskId());
    assertEquals(1, d.stats().tasksHedged());

    d.result("fast", id, 0);
    assertEquals("fast", f.join().workerId());
    assertEquals(List.of(id), slow.cancels(), "the losing attempt is cancelled on its worker");
    assertEquals(0, state(d, "slow").active(), "its slot is free again");
    assertEquals(1, d.stats().hedgesWon());
    assertTrue(state(d, "slow").failureShare() > 0, "the overdue loser counts as a failure");

    d.result("slow", id, 0); // late: ignored
    assertEquals(1, d.stats().tasksCompleted());
  }

  @Test
  void hedgeDeadlineFollowsTheWorkersAverageForSimilarTasks() {
    Dispatcher<String, Integer> d =
        dispatcher(new FirstCandidate(), Duration.ofSeconds(1), Duration.ZERO);
    RecordingSink w1 = register(d, "w1", 1);
    var first = d.submit(GCC, Priority.INTERACTIVE, "warm-up");
    clock.advance(Duration.ofSeconds(2));
    d.result("w1", w1.last().taskId(), 0); // w1's average: 2 s, so its deadline is 6 s
    assertTrue(first.isDone());
    var unused = d.submit(GCC, Priority.INTERACTIVE, "u");
    RecordingSink w2 = register(d, "w2", 1);
    clock.advance(Duration.ofSeconds(5));
    d.heartbeat("w1", new WorkerLoad(1, 0, 0));
    d.heartbeat("w2", new WorkerLoad(0, 0, 0));
    d.sweep();
    assertTrue(w2.assignments().isEmpty(), "5 s < 3 × 2 s");
    clock.advance(Duration.ofSeconds(2));
    d.heartbeat("w1", new WorkerLoad(1, 0, 0));
    d.heartbeat("w2", new WorkerLoad(0, 0, 0));
    d.sweep();
    assertEquals(1, w2.assignments().size(), "7 s > 3 × 2 s");
  }

  @Test
  void clientGoneCancelsTheRunningTaskAndIgnoresItsLateResult() {
    Dispatcher<String, Integer> d = dispatcher(new FirstCandidate(), Duration.ZERO, Duration.ZERO);
    RecordingSink w1 = register(d, "w1", 1);
    CompletableFuture<Completed<Integer>> f = d.submit(GCC, Priority.INTERACTIVE, "u");
    CompletableFuture<Completed<Integer>> waiting = d.submit(GCC, Priority.INTERACTIVE, "next");
    String id = w1.last().taskId();

    d.cancel(f);

    assertEquals(List.of(id), w1.cancels());
    assertTrue(f.isCancelled() || f.isCompletedExceptionally());
    assertEquals("next", w1.last().payload(), "the freed slot takes the next task");
    assertEquals(1, d.stats().tasksCancelled());
    d.result("w1", id, 0);
    assertEquals(0, d.stats().tasksCompleted(), "late result ignored");
    assertFalse(waiting.isDone());
    assertEquals("CLOSED", state(d, "w1").circuitState());
  }

  @Test
  void justAfterStartATaskWaitsForAWorkerInsteadOfFailing() {
    Dispatcher<String, Integer> d =
        dispatcher(new FirstCandidate(), Duration.ZERO, Duration.ofSeconds(5));
    CompletableFuture<Completed<Integer>> f = d.submit(GCC, Priority.INTERACTIVE, "u");
    clock.advance(Duration.ofSeconds(1));
    d.sweep();
    assertFalse(f.isDone(), "waits while workers may be reconnecting");
    RecordingSink w1 = register(d, "w1", 1);
    assertEquals("u", w1.last().payload());
    d.result("w1", w1.last().taskId(), 0);
    assertEquals(0, f.join().result());
  }

  @Test
  void afterTheWorkerWaitATaskWithNoWorkerFails() {
    Dispatcher<String, Integer> d =
        dispatcher(new FirstCandidate(), Duration.ZERO, Duration.ofSeconds(5));
    CompletableFuture<Completed<Integer>> f = d.submit(GCC, Priority.INTERACTIVE, "u");
    clock.advance(Duration.ofSeconds(6));
    d.sweep();
    assertTrue(f.isCompletedExceptionally());
    CompletableFuture<Completed<Integer>> g = d.submit(GCC, Priority.INTERACTIVE, "v");
    assertTrue(g.isCompletedExceptionally(), "no wait once the coordinator has been up a while");
  }

  @Test
  void drainTakesTheWorkerOutOfSchedulingAndReportsUnknownIds() {
    Dispatcher<String, Integer> d = dispatcher(new FirstCandidate(), Duration.ZERO, Duration.ZERO);
    RecordingSink w1 = register(d, "w1", 2);
    RecordingSink w2 = register(d, "w2", 2);
    assertTrue(d.drain("w1"));
    assertFalse(d.drain("nope"));
    var unused = d.submit(GCC, Priority.INTERACTIVE, "u");
    assertTrue(w1.assignments().isEmpty());
    assertEquals(1, w2.assignments().size());
  }
}
