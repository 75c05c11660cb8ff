package io.hybridgrid.worker.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.Language;
import io.hybridgrid.common.task.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GuardedCompilerTest {

  private static final CompileJob JOB =
      new CompileJob(
          new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false),
          Language.C,
          List.of("-O2"),
          "x.c",
          "/src",
          new byte[0],
          Map.of());

  private static final CompileOutput COMPILE_ERROR =
      new CompileOutput(
          1,
          new byte[0],
          new byte[0],
          "x.c:1:1: error: nope\n".getBytes(StandardCharsets.UTF_8),
          10);

  /** A delegate that counts its calls and answers with a fixed outcome. */
  private static final class Fake implements CompilerRunner {
    final AtomicInteger calls = new AtomicInteger();
    final CompileOutput output;
    final TaskRefusedException refusal;

    Fake(CompileOutput output) {
      this.output = output;
      this.refusal = null;
    }

    Fake(Rejection reason) {
      this.output = null;
      this.refusal = new TaskRefusedException(reason, "fake " + reason);
    }

    @Override
    public CompileOutput compile(CompileJob job) throws TaskRefusedException {
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
    GuardedCompiler guarded = new GuardedCompiler(fake, GuardedCompiler.defaultBreaker());
    for (int i = 0; i < 50; i++) {
      assertSame(COMPILE_ERROR, guarded.compile(JOB));
    }
    assertEquals(50, fake.calls.get());
    assertEquals(CircuitBreaker.State.CLOSED, guarded.breaker().getState());
    assertEquals(0, guarded.breaker().getMetrics().getNumberOfFailedCalls());
    assertEquals(20, guarded.breaker().getMetrics().getNumberOfSuccessfulCalls(), "window of 20");
  }

  @Test
  void repeatedInfrastructureFailuresOpenTheBreakerAndLaterTasksAreRefused() throws Exception {
    Fake fake = new Fake(Rejection.INFRASTRUCTURE);
    GuardedCompiler guarded = new GuardedCompiler(fake, GuardedCompiler.defaultBreaker());
    for (int i = 1; i <= 5; i++) {
      TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> guarded.compile(JOB));
      assertSame(fake.refusal, e, "the delegate's own refusal is passed on");
      CircuitBreaker.State expected =
          i < 5 ? CircuitBreaker.State.CLOSED : CircuitBreaker.State.OPEN;
      assertEquals(expected, guarded.breaker().getState(), "after failure " + i);
    }

    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> guarded.compile(JOB));
    assertEquals(Rejection.UNAVAILABLE, e.reason());
    assertTrue(e.reason().retryable());
    assertEquals("circuit breaker is OPEN after repeated compiler failures", e.getMessage());
    assertEquals(5, fake.calls.get(), "the delegate is not called while the breaker is open");
  }

  @Test
  void runtimeExceptionsCountAsFailures() {
    AtomicInteger calls = new AtomicInteger();
    GuardedCompiler guarded =
        new GuardedCompiler(
            job -> {
              calls.incrementAndGet();
              throw new IllegalStateException("disk full");
            },
            GuardedCompiler.defaultBreaker());
    for (int i = 0; i < 5; i++) {
      assertThrows(IllegalStateException.class, () -> guarded.compile(JOB));
    }
    assertEquals(CircuitBreaker.State.OPEN, guarded.breaker().getState());
    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> guarded.compile(JOB));
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
    GuardedCompiler guarded = new GuardedCompiler(fake, GuardedCompiler.defaultBreaker());
    for (int i = 0; i < 30; i++) {
      TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> guarded.compile(JOB));
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
    CircuitBreaker breaker = GuardedCompiler.defaultBreaker();
    // Six good compiles, refused tasks, then four infrastructure failures: 4 of 10 is below 50%.
    for (int i = 0; i < 6; i++) {
      assertSame(COMPILE_ERROR, new GuardedCompiler(fine, breaker).compile(JOB));
    }
    for (int i = 0; i < 20; i++) {
      assertThrows(
          TaskRefusedException.class, () -> new GuardedCompiler(forbidden, breaker).compile(JOB));
    }
    for (int i = 0; i < 4; i++) {
      assertThrows(
          TaskRefusedException.class, () -> new GuardedCompiler(broken, breaker).compile(JOB));
    }
    assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
    assertEquals(10, breaker.getMetrics().getNumberOfBufferedCalls());
    assertEquals(40.0f, breaker.getMetrics().getFailureRate());
  }

  @Test
  void halfOpenBreakerClosesAfterTwoGoodCompiles() throws Exception {
    Fake fine = new Fake(COMPILE_ERROR);
    GuardedCompiler guarded = new GuardedCompiler(fine, GuardedCompiler.defaultBreaker());
    guarded.breaker().transitionToOpenState();
    assertThrows(TaskRefusedException.class, () -> guarded.compile(JOB));
    assertEquals(0, fine.calls.get());
    // The wait in the open state is 30 s; move on without waiting for it.
    guarded.breaker().transitionToHalfOpenState();
    guarded.compile(JOB);
    assertEquals(CircuitBreaker.State.HALF_OPEN, guarded.breaker().getState());
    guarded.compile(JOB);
    assertEquals(CircuitBreaker.State.CLOSED, guarded.breaker().getState());
    assertEquals(2, fine.calls.get());
  }
}
