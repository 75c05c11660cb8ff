package io.hybridgrid.worker.compiler;

/** The worker will not (or cannot) run a task; {@link #reason()} says whether to try elsewhere. */
public final class TaskRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a task was refused. */
  public enum Reason {
    /** Final: no compiler with the requested identity here. */
    UNKNOWN_COMPILER(false),
    /** Final: an argument the worker never runs. */
    FORBIDDEN_ARGUMENT(false),
    /** Final: the task itself is malformed. */
    INVALID_TASK(false),
    /** Retry elsewhere: the circuit breaker is open or the worker is draining. */
    UNAVAILABLE(true),
    /** Retry elsewhere: the compiler could not run to completion here. */
    INFRASTRUCTURE(true);

    private final boolean retryable;

    Reason(boolean retryable) {
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }

  private final Reason reason;

  public TaskRefusedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public TaskRefusedException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
