package io.hybridgrid.worker.compiler;

import io.hybridgrid.common.task.Rejection;

/**
 * The worker will not (or cannot) run a task; {@link #reason()} says why, and whether another
 * worker may succeed ({@link Rejection#retryable()}).
 */
public final class TaskRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Rejection reason;

  public TaskRefusedException(Rejection reason, String message) {
    super(message);
    this.reason = reason;
  }

  public TaskRefusedException(Rejection reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Rejection reason() {
    return reason;
  }
}
