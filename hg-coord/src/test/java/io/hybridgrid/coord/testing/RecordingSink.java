package io.hybridgrid.coord.testing;

import io.hybridgrid.coord.registry.TaskSink;
import java.util.ArrayList;
import java.util.List;

/** A worker session that records what the dispatcher sent it. */
public final class RecordingSink implements TaskSink<String> {
  /** One task sent to this worker. */
  public record Assignment(String taskId, String payload, long timeoutMillis) {}

  private final List<Assignment> assignments = new ArrayList<>();
  private final List<String> disconnects = new ArrayList<>();
  private final List<String> cancels = new ArrayList<>();

  @Override
  public synchronized void cancel(String taskId) {
    cancels.add(taskId);
  }

  /** Task ids the dispatcher told this worker to stop. */
  public synchronized List<String> cancels() {
    return List.copyOf(cancels);
  }

  @Override
  public synchronized void assign(String taskId, String payload, long timeoutMillis) {
    assignments.add(new Assignment(taskId, payload, timeoutMillis));
  }

  @Override
  public synchronized void disconnect(String reason) {
    disconnects.add(reason);
  }

  public synchronized List<Assignment> assignments() {
    return List.copyOf(assignments);
  }

  /** Payloads in the order they were assigned. */
  public synchronized List<String> payloads() {
    return assignments.stream().map(Assignment::payload).toList();
  }

  /** The most recent assignment; fails when there is none. */
  public synchronized Assignment last() {
    if (assignments.isEmpty()) {
      throw new AssertionError("no task was assigned to this worker");
    }
    return assignments.get(assignments.size() - 1);
  }

  public synchronized List<String> disconnects() {
    return List.copyOf(disconnects);
  }
}
