package io.hybridgrid.worker.compiler;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.hybridgrid.common.task.Rejection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Puts a Resilience4j circuit breaker in front of a {@link CompilerRunner}. Only infrastructure
 * failures (compiler missing, crashed, timed out, disk full) count against it; compile errors are
 * successes as far as the breaker is concerned. While it is open the worker refuses tasks with a
 * retryable reason, so the coordinator sends them elsewhere instead of to a broken machine.
 */
public final class GuardedCompiler implements CompilerRunner {

  private final CompilerRunner delegate;
  private final CircuitBreaker breaker;

  public GuardedCompiler(CompilerRunner delegate, CircuitBreaker breaker) {
    this.delegate = delegate;
    this.breaker = breaker;
  }

  /** The breaker settings the worker uses: open at 50% failures over 20 calls, for 30 s. */
  public static CircuitBreaker defaultBreaker() {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(5)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(30))
            .permittedNumberOfCallsInHalfOpenState(2)
            .build();
    return CircuitBreaker.of("compiler", config);
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  @Override
  public CompileOutput compile(CompileJob job) throws TaskRefusedException {
    if (!breaker.tryAcquirePermission()) {
      throw new TaskRefusedException(
          Rejection.UNAVAILABLE,
          "circuit breaker is " + breaker.getState() + " after repeated compiler failures");
    }
    long start = System.nanoTime();
    try {
      CompileOutput out = delegate.compile(job);
      breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      return out;
    } catch (TaskRefusedException e) {
      if (e.reason() == Rejection.INFRASTRUCTURE) {
        breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      } else {
        breaker.releasePermission();
      }
      throw e;
    } catch (RuntimeException e) {
      breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      throw e;
    }
  }
}
