package io.hybridgrid.coord.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One Resilience4j circuit breaker per worker id, fed by task outcomes: infrastructure failures,
 * timeouts and lost hedges count against a worker; compiler results (compile errors included) and
 * faults of the client's task count for it. An open breaker takes the worker out of scheduling;
 * after the wait (growing on each re-open) one half-open probe task decides whether it comes back.
 *
 * <p>Breakers are kept by id across reconnects, so a worker that crashes and restarts under the
 * same id does not start with a clean record. Not thread-safe: the dispatcher calls it under its
 * lock.
 */
public final class WorkerBreakers {
  /** Settings of every worker's breaker. */
  public record Settings(
      int windowSize,
      int minimumCalls,
      float failureRatePercent,
      Duration firstOpenWait,
      Duration maxOpenWait) {
    public Settings {
      if (windowSize < 1 || minimumCalls < 1 || minimumCalls > windowSize) {
        throw new IllegalArgumentException(
            "breaker window must be at least 1 and hold the minimum calls: "
                + windowSize
                + ", "
                + minimumCalls);
      }
      if (!(failureRatePercent > 0 && failureRatePercent <= 100)) {
        throw new IllegalArgumentException(
            "breaker failure rate must be in (0, 100]: " + failureRatePercent);
      }
      if (firstOpenWait.isNegative()
          || firstOpenWait.isZero()
          || maxOpenWait.compareTo(firstOpenWait) < 0) {
        throw new IllegalArgumentException(
            "breaker open waits must be positive, the maximum not below the first");
      }
    }

    /**
     * Defaults: over the last 10 outcomes, open at 50 % failures once 3 are known; stay open 10 s,
     * doubling on every re-open up to 120 s. With two failing outcomes out of three a worker is
     * out, so a worker whose compiler crashes costs a build a handful of quick retries, not dozens.
     */
    public static Settings defaults() {
      return new Settings(10, 3, 50, Duration.ofSeconds(10), Duration.ofSeconds(120));
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final CircuitBreakerConfig config;
  private final Map<String, CircuitBreaker> breakers = new HashMap<>();

  public WorkerBreakers(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(settings.windowSize())
            .minimumNumberOfCalls(settings.minimumCalls())
            .failureRateThreshold(settings.failureRatePercent())
            .waitIntervalFunctionInOpenState(
                IntervalFunction.ofExponentialBackoff(
                    settings.firstOpenWait(), 2.0, settings.maxOpenWait()))
            .permittedNumberOfCallsInHalfOpenState(1)
            .currentTimestampFunction(c -> c.millis(), TimeUnit.MILLISECONDS)
            .recordExceptions(Throwable.class)
            .build();
  }

  /** The breaker of {@code workerId}, created closed on first use. */
  public CircuitBreaker of(String workerId) {
    return breakers.computeIfAbsent(
        workerId, id -> new CircuitBreakerStateMachine("worker-" + id, config, clock));
  }

  /**
   * Whether {@code workerId} may be offered a task now, taking a permission when it may: always for
   * a closed breaker; for an open one whose wait has passed, the single half-open probe. A
   * permission not then used must be given back with {@link #release}.
   */
  public boolean tryAcquire(String workerId) {
    return of(workerId).tryAcquirePermission();
  }

  /** Gives back a permission that was not used for a task. */
  public void release(String workerId) {
    of(workerId).releasePermission();
  }

  /** The worker returned a compiler result, or refused a task for the task's own fault. */
  public void success(String workerId, Duration took) {
    of(workerId).onSuccess(took.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The worker failed a task for infrastructure reasons, lost it, or did not answer in time. */
  public void failure(String workerId, Duration took, String why) {
    of(workerId).onError(took.toNanos(), TimeUnit.NANOSECONDS, new WorkerFault(why));
  }

  /** Whether the breaker lets no task through (open, and not yet probing). */
  public boolean isOpen(String workerId) {
    CircuitBreaker.State s = of(workerId).getState();
    return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
  }

  /**
   * Share of recent outcomes that were failures, in [0, 1]; 0 before any outcome. Used by the
   * scheduler's score so a failing worker ranks below a healthy one before its breaker opens.
   */
  public double failureShare(String workerId) {
    CircuitBreaker.Metrics m = of(workerId).getMetrics();
    int n = m.getNumberOfBufferedCalls();
    return n == 0 ? 0 : (double) m.getNumberOfFailedCalls() / n;
  }

  /** The state name (CLOSED, OPEN, HALF_OPEN …) for status pages and metrics. */
  public String state(String workerId) {
    return of(workerId).getState().name();
  }

  /** Forgets the breakers of workers not in {@code keep} once there are many (bounded memory). */
  public void prune(Set<String> keep) {
    if (breakers.size() > 4 * keep.size() + 64) {
      breakers.keySet().retainAll(keep);
    }
  }

  public Settings settings() {
    return settings;
  }

  /** What a breaker records for a failed outcome. */
  static final class WorkerFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkerFault(String message) {
      super(message, null, false, false);
    }
  }
}
