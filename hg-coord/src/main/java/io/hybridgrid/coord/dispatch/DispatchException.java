package io.hybridgrid.coord.dispatch;

/** Why the coordinator could not get a task compiled. {@link #kind()} decides the gRPC status. */
public final class DispatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The failure classes the error mapper knows. */
  public enum Kind {
    /** No connected worker has the compiler: the client should compile locally at once. */
    NO_CAPABLE_WORKER,
    /** The queue is full. */
    QUEUE_FULL,
    /** The task waited in the queue past its deadline. */
    QUEUE_TIMEOUT,
    /** A worker refused the task for a reason that another worker would share. */
    REJECTED,
    /** The task itself is malformed (as a worker found). */
    INVALID_TASK,
    /** Every attempt failed for infrastructure reasons. */
    RETRIES_EXHAUSTED,
    /** The coordinator is shutting down. */
    SHUTTING_DOWN
  }

  private final Kind kind;

  public DispatchException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
