package io.hybridgrid.coord.dispatch;

import java.time.Duration;

/**
 * Limits of the dispatcher.
 *
 * @param queueCapacity how many tasks may wait at once
 * @param queueTimeout how long a task may wait for a worker
 * @param taskTimeout how long a worker may take before the task is sent elsewhere
 * @param maxAttempts how many workers a task is tried on after infrastructure failures
 * @param heartbeatTimeout how long a worker may stay silent before it is dropped
 */
public record DispatchSettings(
    int queueCapacity,
    Duration queueTimeout,
    Duration taskTimeout,
    int maxAttempts,
    Duration heartbeatTimeout) {
  public DispatchSettings {
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue capacity must be at least 1");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be at least 1");
    }
    if (queueTimeout.isNegative() || taskTimeout.isNegative() || heartbeatTimeout.isNegative()) {
      throw new IllegalArgumentException("timeouts must not be negative");
    }
  }

  /** Defaults: 10,000 waiting tasks, 5 min in the queue, 10 min per task, 3 attempts, 10 s. */
  public static DispatchSettings defaults() {
    return new DispatchSettings(
        10_000, Duration.ofMinutes(5), Duration.ofMinutes(10), 3, Duration.ofSeconds(10));
  }
}
