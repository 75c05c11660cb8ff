package io.hybridgrid.worker.session;

import com.google.protobuf.ByteString;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskRejection;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.worker.compiler.CompileJob;
import io.hybridgrid.worker.compiler.CompileOutput;
import io.hybridgrid.worker.compiler.CompilerRunner;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protocol translation for compile tasks: a {@code CompileTask} becomes a {@link CompileJob} for
 * the {@link CompilerRunner}; its output or refusal becomes a {@code TaskResult}. Cancellation
 * reaches the compiler through the thread interrupt the executor sends (the runner kills the
 * compiler's process tree on it).
 */
public final class CompileTaskRunner implements TaskRunner {
  private static final Logger log = LoggerFactory.getLogger(CompileTaskRunner.class);

  private final CompilerRunner compiler;
  private final String workerId;

  public CompileTaskRunner(CompilerRunner compiler, String workerId) {
    this.compiler = compiler;
    this.workerId = workerId;
  }

  @Override
  public TaskResult run(TaskAssignment assignment, Cancellation cancelled) {
    String id = assignment.getTaskId();
    if (!assignment.hasTask()) {
      return rejection(id, Rejection.INVALID_TASK, "assignment carries no compile task");
    }
    try {
      CompileOutput out = compiler.compile(fromProto(assignment.getTask()));
      return TaskResult.newBuilder()
          .setTaskId(id)
          .setResult(
              CompileResult.newBuilder()
                  .setExitCode(out.exitCode())
                  .setObject(ByteString.copyFrom(out.object()))
                  .setStdout(ByteString.copyFrom(out.stdout()))
                  .setStderr(ByteString.copyFrom(out.stderr()))
                  .setWorkerId(workerId)
                  .setCompileMicros(out.micros()))
          .build();
    } catch (TaskRefusedException e) {
      if (!cancelled.isCancelled()) {
        log.info("task {} refused: {}", id, e.getMessage());
      }
      return rejection(id, e.reason(), e.getMessage());
    } catch (IllegalArgumentException e) {
      return rejection(id, Rejection.INVALID_TASK, e.getMessage());
    } catch (RuntimeException e) {
      log.warn("task {} failed", id, e);
      return rejection(id, Rejection.INFRASTRUCTURE, e.toString());
    }
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

  static CompileJob fromProto(CompileTask task) {
    return new CompileJob(
        WireTypes.fromWire(task.getCompiler()),
        WireTypes.fromWire(task.getLanguage()),
        task.getArgsList(),
        task.getSourcePath(),
        task.getClientCwd(),
        task.getPreprocessed().toByteArray(),
        task.getEnvMap());
  }
}
