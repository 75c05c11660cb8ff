package io.hybridgrid.coord.registry;

/**
 * Delivers work to one connected worker (implemented by the session stream).
 *
 * @param <P> the task payload type
 */
public interface TaskSink<P> {
  /** Sends task {@code taskId} to the worker. Must not block. */
  void assign(String taskId, P payload, long timeoutMillis);

  /** Ends the worker's session (it is considered gone). */
  void disconnect(String reason);
}
