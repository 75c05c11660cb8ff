package io.hybridgrid.coord.dispatch;

import java.time.Duration;

/**
 * What the {@link Dispatcher} tells observers (metrics, the dashboard's task feed) about tasks.
 * {@code P} is the task payload. Called outside the dispatcher's lock; implementations must be
 * quick and thread-safe.
 */
public interface DispatchListener<P> {
  /** Listens to nothing. */
  @SuppressWarnings("rawtypes")
  DispatchListener NONE = new DispatchListener() {};

  /** Listens to nothing. */
  @SuppressWarnings("unchecked")
  static <P> DispatchListener<P> none() {
    return NONE;
  }

  /** Tells {@code a}, then {@code b}. */
  static <P> DispatchListener<P> both(
      DispatchListener<? super P> a, DispatchListener<? super P> b) {
    return new DispatchListener<P>() {
      @Override
      public void assigned(String taskId, P payload, String workerId, Duration waited) {
        a.assigned(taskId, payload, workerId, waited);
        b.assigned(taskId, payload, workerId, waited);
      }

      @Override
      public void completed(
          String taskId, String workerId, Duration ran, Duration queued, boolean compileError) {
        a.completed(taskId, workerId, ran, queued, compileError);
        b.completed(taskId, workerId, ran, queued, compileError);
      }

      @Override
      public void failed(String taskId, DispatchException.Kind kind) {
        a.failed(taskId, kind);
        b.failed(taskId, kind);
      }

      @Override
      public void retried(String taskId, String workerId) {
        a.retried(taskId, workerId);
        b.retried(taskId, workerId);
      }

      @Override
      public void hedged(String taskId, String workerId) {
        a.hedged(taskId, workerId);
        b.hedged(taskId, workerId);
      }

      @Override
      public void cancelled(String taskId) {
        a.cancelled(taskId);
        b.cancelled(taskId);
      }
    };
  }

  /** A task left the queue for {@code workerId} after waiting {@code waited} this time. */
  default void assigned(String taskId, P payload, String workerId, Duration waited) {}

  /**
   * A worker returned a result.
   *
   * @param ran from assignment to result
   * @param queued total time spent waiting for a worker
   * @param compileError whether the compiler failed (non-zero exit)
   */
  default void completed(
      String taskId, String workerId, Duration ran, Duration queued, boolean compileError) {}

  /** The task ended without a result. */
  default void failed(String taskId, DispatchException.Kind kind) {}

  /** The task goes to another worker after {@code workerId} failed it. */
  default void retried(String taskId, String workerId) {}

  /**
   * The task, still running where it was assigned, was past its progress deadline and a duplicate
   * went to {@code workerId} as well (the first result wins).
   */
  default void hedged(String taskId, String workerId) {}

  /** The client went away; the task was withdrawn from its workers. */
  default void cancelled(String taskId) {}
}
