package io.hybridgrid.common.task;

/**
 * Why a worker did not return a compiler result for a task: the one list the worker raises, the
 * wire carries ({@code TaskRejection.Reason}, mapped by {@code WireTypes}) and the coordinator acts
 * on. Two questions are answered here and nowhere else:
 *
 * <ul>
 *   <li>{@link #retryable()}: may another worker succeed where this one did not? Only
 *       infrastructure failures are retried (ARCHITECTURE.md, decision 6): a malformed or forbidden
 *       task fails the same way everywhere.
 *   <li>{@link #workerFault()}: does it count against the worker's circuit breaker? Faults of the
 *       client's task do not; a worker that cannot run what it advertised does.
 * </ul>
 */
public enum Rejection {
  /** The worker has no compiler with the requested identity, although it advertised it. */
  UNKNOWN_COMPILER(false, true),
  /** The task carries an argument or environment variable workers never run. */
  FORBIDDEN_ARGUMENT(false, false),
  /** The task itself is malformed. */
  INVALID_TASK(false, false),
  /** The worker cannot take it now: its own breaker is open, it is full or draining. */
  UNAVAILABLE(true, true),
  /** The compiler could not run to completion there (crash, signal, timeout, disk). */
  INFRASTRUCTURE(true, true);

  private final boolean retryable;
  private final boolean workerFault;

  Rejection(boolean retryable, boolean workerFault) {
    this.retryable = retryable;
    this.workerFault = workerFault;
  }

  /** Whether another worker may succeed: the task is sent elsewhere. */
  public boolean retryable() {
    return retryable;
  }

  /** Whether it counts as a failure of the worker (for its circuit breaker and score). */
  public boolean workerFault() {
    return workerFault;
  }
}
