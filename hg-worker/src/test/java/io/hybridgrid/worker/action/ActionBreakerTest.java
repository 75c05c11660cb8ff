package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import io.hybridgrid.worker.metrics.TaskMeter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What opens the worker's circuit breaker: infrastructure failures, and nothing else. */
class ActionBreakerTest {
  /** An action that ran and failed to compile: exit 1, a diagnostic, no output. */
  private static final ActionOutcome COMPILE_ERROR =
      new ActionOutcome(1, List.of(), new byte[0], "x.c:1:1: error: nope\n".getBytes(), 10);

  /** A task that counts its calls and answers with a fixed outcome. */
  private static final class Fake implements TaskMeter.Task<ActionOutcome> {
    final AtomicInteger calls = new AtomicInteger();
    final ActionOutcome output;
    final TaskRefusedException refusal;

    Fake(ActionOutcome output) {
      this.output = output;
      this.refusal = null;
    }

    Fake(Rejection reason) {
      this.output = null;
      this.refusal = new TaskRefusedException(reason, "fake " + reason);
    }

    @Override
    public ActionOutcome run() throws TaskRefusedException {
      calls.incrementAndGet();
      if (refusal != null) {
        throw refusal;
      }
      return output;
    }
  }

  @Test
  void compileErrorsAreSuccessesForTheBreaker() throws Exception {
    Fake fake = new Fake(COMPILE_ERROR);
    ActionBreaker guarded = new ActionBreaker(ActionBreaker.defaultBreaker());
    for (int i = 0; i < 50; i++) {
      assertSame(COMPILE_ERROR, guarded.call(fake));
    }
    assertEquals(50, fake.calls.get());
    assertEquals(CircuitBreaker.State.CLOSED, guarded.breaker().getState());
    assertEquals(0, guarded.breaker().getMetrics().getNumberOfFailedCalls());
    assertEquals(20, guarded.breaker().getMetrics().getNumberOfSuccessfulCalls(), "window of 20");
  }

  @Test
  void repeatedInfrastructureFailuresOpenTheBreakerAndLaterTasksAreRefused() throws Exception {
    Fake fake = new Fake(Rejection.INFRASTRUCTURE);
    ActionBreaker guarded = new ActionBreaker(ActionBreaker.defaultBreaker());
    for (int i = 1; i <= 5; i++) {
      TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> guarded.call(fake));
      assertSame(fake.refusal, e, "the delegate's own refusal is passed on");
      CircuitBreaker.State expected =
          i < 5 ? CircuitBreaker.State.CLOSED : CircuitBreaker.State.OPEN;
      assertEquals(expected, guarded.breaker().getState(), "after failure " + i);
    }

    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> guarded.call(fake));
    assertEquals(Rejection.UNAVAILABLE, e.reason());
    assertTrue(e.reason().retryable());
    assertEquals("circuit breaker is OPEN after repeated infrastructure failures", e.getMessage());
    assertEquals(5, fake.calls.get(), "the delegate is not called while the breaker is open");
  }

  @Test
  void runtimeExceptionsCountAsFailures() {
    AtomicInteger calls = new AtomicInteger();
    ActionBreaker guarded = new ActionBreaker(ActionBreaker.defaultBreaker());
    TaskMeter.Task<ActionOutcome> diskFull =
        () -> {
          calls.incrementAndGet();
          throw new IllegalStateException("disk full");
        };
    for (int i = 0; i < 5; i++) {
      assertThrows(IllegalStateException.class, () -> guarded.call(diskFull));
    }
    assertEquals(CircuitBreaker.State.OPEN, guarded.breaker().getState());
    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> guarded.call(diskFull));
    assertEquals(Rejection.UNAVAILABLE, e.reason());
    assertEquals(5, calls.get());
  }

  @ParameterizedTest
  @EnumSource(
      value = Rejection.class,
      names = {"INFRASTRUCTURE"},
      mode = EnumSource.Mode.EXCLUDE)
  void otherRefusalsDoNotCountAsFailures(Rejection reason) {
    Fake fake = new Fake(reason);
    ActionBreaker guarded = new ActionBreaker(ActionBreaker.defaultBreaker());
    for (int i = 0; i < 30; i++) {
      TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> guarded.call(fake));
      assertEquals(reason, e.reason());
    }
    assertEquals(30, fake.calls.get());
    assertEquals(CircuitBreaker.State.CLOSED, guarded.breaker().getState());
    assertEquals(0, guarded.breaker().getMetrics().getNumberOfFailedCalls());
    assertEquals(0, guarded.breaker().getMetrics().getNumberOfBufferedCalls());
  }

  @Test
  void forbiddenArgumentsBetweenFailuresDoNotOpenTheBreaker() throws Exception {
    Fake broken = new Fake(Rejection.INFRASTRUCTURE);
    Fake forbidden = new Fake(Rejection.FORBIDDEN_ARGUMENT);
    Fake fine = new Fake(COMPILE_ERROR);
    CircuitBreaker breaker = ActionBreaker.defaultBreaker();
    // Six good compiles, refused tasks, then four infrastructure failures: 4 of 10 is below 50%.
    for (int i = 0; i < 6; i++) {
      assertSame(COMPILE_ERROR, new ActionBreaker(breaker).call(fine));
    }
    for (int i = 0; i < 20; i++) {
      assertThrows(TaskRefusedException.class, () -> new ActionBreaker(breaker).call(forbidden));
    }
    for (int i = 0; i < 4; i++) {
      assertThrows(TaskRefusedException.class, () -> new ActionBreaker(breaker).call(broken));
    }
    assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
    assertEquals(10, breaker.getMetrics().getNumberOfBufferedCalls());
    assertEquals(40.0f, breaker.getMetrics().getFailureRate());
  }

  @Test
  void halfOpenBreakerClosesAfterTwoGoodCompiles() throws Exception {
    Fake fine = new Fake(COMPILE_ERROR);
    ActionBreaker guarded = new ActionBreaker(ActionBreaker.defaultBreaker());
    guarded.breaker().transitionToOpenState();
    assertThrows(TaskRefusedException.class, () -> guarded.call(fine));
    assertEquals(0, fine.calls.get());
    // The wait in the open state is 30 s; move on without waiting for it.
    guarded.breaker().transitionToHalfOpenState();
    guarded.call(fine);
    assertEquals(CircuitBreaker.State.HALF_OPEN, guarded.breaker().getState());
    guarded.call(fine);
    assertEquals(CircuitBreaker.State.CLOSED, guarded.breaker().getState());
    assertEquals(2, fine.calls.get());
  }

  @Test
  void aCancelledActionIsRefusedAsUnavailableAndDoesNotCount() {
    Fake broken = new Fake(Rejection.INFRASTRUCTURE);
    ActionBreaker guarded = new ActionBreaker(ActionBreaker.defaultBreaker());
    for (int i = 0; i < 10; i++) {
      Thread.currentThread().interrupt(); // as the executor does when the coordinator cancels
      TaskRefusedException e;
      try {
        e = assertThrows(TaskRefusedException.class, () -> guarded.call(broken));
      } finally {
        Thread.interrupted();
      }
      assertEquals(Rejection.UNAVAILABLE, e.reason());
      assertEquals("cancelled", e.getMessage());
    }
    assertEquals(10, broken.calls.get());
    assertEquals(CircuitBreaker.State.CLOSED, guarded.breaker().getState());
    assertEquals(0, guarded.breaker().getMetrics().getNumberOfBufferedCalls());
  }
}
