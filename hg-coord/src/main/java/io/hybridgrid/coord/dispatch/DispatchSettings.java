package io.hybridgrid.coord.dispatch;

import io.hybridgrid.coord.health.WorkerBreakers;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits of the dispatcher.
 *
 * @param queueCapacity how many tasks may wait at once
 * @param queueTimeout how long a task may wait for a worker
 * @param taskTimeout how long a worker may take before the task is sent elsewhere
 * @param maxAttempts how many workers a task is tried on after infrastructure failures (hedges
 *     included)
 * @param heartbeatTimeout how long a worker may stay silent before it is dropped
 * @param hedgeFactor a running task is duplicated on another worker once it has taken this many
 *     times its worker's average for similar tasks ...
 * @param hedgeFloor ... but never before this long; zero turns hedging off
 * @param workerWait after the coordinator starts, how long a task for which no worker is connected
 *     yet waits for one (workers reconnecting after a restart) instead of failing at once
 * @param breaker the per-worker circuit breakers
 */
public record DispatchSettings(
    int queueCapacity,
    Duration queueTimeout,
    Duration taskTimeout,
    int maxAttempts,
    Duration heartbeatTimeout,
    double hedgeFactor,
    Duration hedgeFloor,
    Duration workerWait,
    WorkerBreakers.Settings breaker) {
  /** Default hedge factor: 3 × the worker's average for similar tasks. */
  public static final double DEFAULT_HEDGE_FACTOR = 3;

  /** Default hedge floor: 4 s (above the longest Lua/zstd compile on a loaded 2-core machine). */
  public static final Duration DEFAULT_HEDGE_FLOOR = Duration.ofSeconds(4);

  /** Default wait for workers after a start: 5 s (they are back within 2 s, see WorkerLink). */
  public static final Duration DEFAULT_WORKER_WAIT = Duration.ofSeconds(5);

  public DispatchSettings {
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue capacity must be at least 1");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be at least 1");
    }
    if (queueTimeout.isNegative()
        || taskTimeout.isNegative()
        || heartbeatTimeout.isNegative()
        || hedgeFloor.isNegative()
        || workerWait.isNegative()) {
      throw new IllegalArgumentException("timeouts must not be negative");
    }
    if (!(hedgeFactor >= 1) || !Double.isFinite(hedgeFactor)) {
      throw new IllegalArgumentException("hedge factor must be at least 1, not " + hedgeFactor);
    }
    Objects.requireNonNull(breaker, "breaker");
  }

  /** The five classic limits with default hedging, worker wait and breakers. */
  public DispatchSettings(
      int queueCapacity,
      Duration queueTimeout,
      Duration taskTimeout,
      int maxAttempts,
      Duration heartbeatTimeout) {
    this(
        queueCapacity,
        queueTimeout,
        taskTimeout,
        maxAttempts,
        heartbeatTimeout,
        DEFAULT_HEDGE_FACTOR,
        DEFAULT_HEDGE_FLOOR,
        DEFAULT_WORKER_WAIT,
        WorkerBreakers.Settings.defaults());
  }

  /** Defaults: 10,000 waiting tasks, 5 min in the queue, 10 min per task, 3 attempts, 10 s. */
  public static DispatchSettings defaults() {
    return new DispatchSettings(
        10_000, Duration.ofMinutes(5), Duration.ofMinutes(10), 3, Duration.ofSeconds(10));
  }

  /** These settings with other hedging parameters (floor zero = no hedging). */
  public DispatchSettings withHedging(double factor, Duration floor) {
    return new DispatchSettings(
        queueCapacity,
        queueTimeout,
        taskTimeout,
        maxAttempts,
        heartbeatTimeout,
        factor,
        floor,
        workerWait,
        breaker);
  }

  /** These settings with another wait for workers after start. */
  public DispatchSettings withWorkerWait(Duration wait) {
    return new DispatchSettings(
        queueCapacity,
        queueTimeout,
        taskTimeout,
        maxAttempts,
        heartbeatTimeout,
        hedgeFactor,
        hedgeFloor,
        wait,
        breaker);
  }

  /** These settings with other breaker settings. */
  public DispatchSettings withBreaker(WorkerBreakers.Settings b) {
    return new DispatchSettings(
        queueCapacity,
        queueTimeout,
        taskTimeout,
        maxAttempts,
        heartbeatTimeout,
        hedgeFactor,
        hedgeFloor,
        workerWait,
        b);
  }
}
