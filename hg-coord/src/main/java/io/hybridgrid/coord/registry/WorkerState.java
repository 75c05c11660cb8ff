package io.hybridgrid.coord.registry;

import java.time.Instant;

/**
 * The coordinator's live view of one connected worker. Mutated only under the dispatcher's lock,
 * except the heartbeat fields, which are volatile.
 *
 * @param <P> the task payload type
 */
public final class WorkerState<P> {
  private final WorkerDescriptor descriptor;
  private final TaskSink<P> sink;
  private final Instant connectedAt;

  private int active;
  private long completed;
  private long failed;
  private boolean draining;
  private volatile Instant lastHeartbeat;
  private volatile double loadAverage;

  public WorkerState(WorkerDescriptor descriptor, TaskSink<P> sink, Instant connectedAt) {
    this.descriptor = descriptor;
    this.sink = sink;
    this.connectedAt = connectedAt;
    this.lastHeartbeat = connectedAt;
  }

  public WorkerDescriptor descriptor() {
    return descriptor;
  }

  public String id() {
    return descriptor.id();
  }

  public TaskSink<P> sink() {
    return sink;
  }

  public Instant connectedAt() {
    return connectedAt;
  }

  public int active() {
    return active;
  }

  public int freeSlots() {
    return Math.max(0, descriptor.maxParallel() - active);
  }

  public long completed() {
    return completed;
  }

  public long failed() {
    return failed;
  }

  public boolean draining() {
    return draining;
  }

  public Instant lastHeartbeat() {
    return lastHeartbeat;
  }

  public double loadAverage() {
    return loadAverage;
  }

  /** A task was sent to this worker. */
  public void taskStarted() {
    active++;
  }

  /** A task sent to this worker ended; {@code success} when it returned a compiler result. */
  public void taskEnded(boolean success) {
    active = Math.max(0, active - 1);
    if (success) {
      completed++;
    } else {
      failed++;
    }
  }

  /** The worker asked for no more tasks. */
  public void setDraining() {
    draining = true;
  }

  /** Records a heartbeat. */
  public void heartbeat(Instant at, double load) {
    lastHeartbeat = at;
    loadAverage = load;
  }
}
