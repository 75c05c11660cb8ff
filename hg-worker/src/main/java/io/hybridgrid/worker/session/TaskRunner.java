package io.hybridgrid.worker.session;

import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;

/**
 * Runs one assigned task and says what to send back: the seam between the session (connection,
 * heartbeats, slots) and what a task is. {@link WorkTaskRunner} runs an action; tests plug in their
 * own.
 */
@FunctionalInterface
public interface TaskRunner {
  /**
   * Runs {@code assignment}. Must not throw for a task it cannot run: it returns a rejection.
   *
   * @param cancelled signalled when the coordinator cancels the task; the runner should stop its
   *     work (kill the process tree) and return soon; what it returns then is not sent
   * @return the result or rejection for {@code assignment.getTaskId()}
   */
  TaskResult run(TaskAssignment assignment, Cancellation cancelled);
}
