package io.hybridgrid.worker.session;

import io.grpc.ManagedChannel;
import io.hybridgrid.common.compiler.ActionPolicy;
import io.hybridgrid.common.compiler.ArgParser;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskRejection;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.worker.action.ActionExecutor;
import io.hybridgrid.worker.action.ActionOutcome;
import io.hybridgrid.worker.cas.GrpcCasClient;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's {@link TaskRunner}: an action (hermetic replay of the client's exact command) runs
 * in the {@link ActionExecutor}'s sandbox with its inputs fetched over the session's channel. A
 * cancelled task's thread is interrupted by the {@link TaskExecutor}; the sandbox then kills the
 * command's whole process tree (bubblewrap, the compiler and what it started) and the slot frees
 * up.
 */
final class WorkTaskRunner implements TaskRunner {
  private static final Logger log = LoggerFactory.getLogger(WorkTaskRunner.class);

  /** Longest one call to the coordinator's content store may take. */
  static final Duration CAS_CALL_DEADLINE = Duration.ofMinutes(5);

  private final ActionExecutor actions;
  private final Supplier<ManagedChannel> channel;
  private final String workerId;

  /**
   * @param actions runs actions; null refuses them as UNAVAILABLE
   * @param channel the current session's channel (the coordinator's content store)
   * @param workerId named in results
   */
  WorkTaskRunner(ActionExecutor actions, Supplier<ManagedChannel> channel, String workerId) {
    this.actions = actions;
    this.channel = channel;
    this.workerId = workerId;
  }

  @Override
  public TaskResult run(TaskAssignment assignment, Cancellation cancelled) {
    String id = assignment.getTaskId();
    if (!assignment.hasAction()) {
      return rejection(id, Rejection.INVALID_TASK, "assignment carries no action");
    }
    try {
      ActionOutcome out = runAction(assignment);
      return TaskResult.newBuilder()
          .setTaskId(id)
          .setActionResult(ActionWire.toProto(out, workerId))
          .build();
    } catch (TaskRefusedException e) {
      if (!cancelled.isCancelled()) {
        log.info("task {} refused: {}", id, e.getMessage());
      }
      return rejection(id, e.reason(), e.getMessage());
    } catch (IllegalArgumentException e) {
      return rejection(id, Rejection.INVALID_TASK, e.getMessage());
    } catch (RuntimeException e) {
      if (cancelled.isCancelled()) {
        return rejection(id, Rejection.UNAVAILABLE, "cancelled");
      }
      log.warn("task {} failed", id, e);
      return rejection(id, Rejection.INFRASTRUCTURE, e.toString());
    }
  }

  private ActionOutcome runAction(TaskAssignment assignment) throws TaskRefusedException {
    if (actions == null) {
      throw new TaskRefusedException(Rejection.UNAVAILABLE, "this worker does not run actions");
    }
    // Defence in depth behind the sandbox: the one argument policy (aliases and abbreviations
    // included), which the coordinator applied before dispatch too.
    List<String> argv = assignment.getAction().getArgvList();
    Optional<String> refused =
        argv.isEmpty()
            ? Optional.empty()
            : ActionPolicy.firstLocalReason(ArgParser.parse(argv.subList(1, argv.size())));
    if (refused.isPresent()) {
      throw new TaskRefusedException(
          Rejection.FORBIDDEN_ARGUMENT, "argument refused: " + refused.get());
    }
    ManagedChannel ch = channel.get();
    if (ch == null) {
      throw new TaskRefusedException(Rejection.UNAVAILABLE, "not connected to a coordinator");
    }
    return actions.execute(
        ActionWire.fromProto(assignment.getAction()),
        Duration.ofMillis(assignment.getTimeoutMs()),
        new GrpcCasClient(ch, CAS_CALL_DEADLINE));
  }

  /** A rejection of {@code taskId}. */
  static TaskResult rejection(String taskId, Rejection reason, String message) {
    return TaskResult.newBuilder()
        .setTaskId(taskId)
        .setRejection(
            TaskRejection.newBuilder()
                .setReason(WireTypes.toWire(reason))
                .setMessage(message == null ? "" : message))
        .build();
  }
}
