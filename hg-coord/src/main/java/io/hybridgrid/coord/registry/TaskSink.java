package io.hybridgrid.coord.registry;

/**
 * Delivers work to one connected worker (implemented by the session stream).
 *
 * @param <P> the task payload type
 */
public interface TaskSink<P> {
  /** Sends task {@code taskId} to the worker. Must not block. */
  void assign(String taskId, P payload, long timeoutMillis);

  /**
   * Tells the worker to stop task {@code taskId} (its result is no longer wanted: the client went
   * away or another worker answered first). Must not block. Sinks that cannot cancel ignore it; the
   * dispatcher ignores a late result either way.
   */
  default void cancel(String taskId) {}

  /** Ends the worker's session (it is considered gone). */
  void disconnect(String reason);
}
