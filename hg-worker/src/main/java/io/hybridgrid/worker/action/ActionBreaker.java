package io.hybridgrid.worker.action;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import io.hybridgrid.worker.metrics.TaskMeter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Puts a Resilience4j circuit breaker in front of the actions a worker runs. Only infrastructure
 * failures (sandbox or compiler could not run, crashed, timed out, disk full) count against it; a
 * compile error is a success as far as the breaker is concerned, and so is a refusal that is the
 * client's fault (malformed action, forbidden argument) or a cancellation. While it is open the
 * worker refuses actions with a retryable reason, so the coordinator sends them elsewhere instead
 * of to a broken machine.
 */
public final class ActionBreaker {
  private final CircuitBreaker breaker;

  public ActionBreaker(CircuitBreaker breaker) {
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
    return CircuitBreaker.of("actions", config);
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  /**
   * Runs {@code task} unless the breaker is open.
   *
   * @throws TaskRefusedException UNAVAILABLE while the breaker is open or when the running thread
   *     was interrupted (cancelled, or the worker is stopping); else whatever the task threw
   */
  public <T> T call(TaskMeter.Task<T> task) throws TaskRefusedException {
    if (!breaker.tryAcquirePermission()) {
      throw new TaskRefusedException(
          Rejection.UNAVAILABLE,
          "circuit breaker is " + breaker.getState() + " after repeated infrastructure failures");
    }
    long start = System.nanoTime();
    try {
      T out = task.run();
      breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      return out;
    } catch (TaskRefusedException e) {
      if (Thread.currentThread().isInterrupted()) {
        // Cancelled (the coordinator no longer wants it) or the worker is stopping: the sandbox
        // killed the command's tree; that is no fault of this machine.
        breaker.releasePermission();
        throw new TaskRefusedException(Rejection.UNAVAILABLE, "cancelled", e);
      }
      if (e.reason() == Rejection.INFRASTRUCTURE) {
        breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      } else {
        breaker.releasePermission();
      }
      throw e;
    } catch (RuntimeException e) {
      if (Thread.currentThread().isInterrupted()) {
        breaker.releasePermission();
        throw new TaskRefusedException(Rejection.UNAVAILABLE, "cancelled", e);
      }
      breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      throw e;
    }
  }
}
