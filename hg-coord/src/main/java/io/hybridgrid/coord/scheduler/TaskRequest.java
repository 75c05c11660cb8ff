package io.hybridgrid.coord.scheduler;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.util.Objects;
import java.util.Set;

/**
 * What a task needs from a worker.
 *
 * @param compiler the exact compiler identity (family, version, target triple, driver); a cross
 *     compiler is matched by its target like any other identity
 * @param excluded workers that already failed this task
 * @param inputs the task's input blobs, for affinity ({@link InputSet#NONE} when not known)
 */
public record TaskRequest(CompilerIdentity compiler, Set<String> excluded, InputSet inputs) {
  public TaskRequest {
    Objects.requireNonNull(compiler, "compiler");
    Objects.requireNonNull(excluded, "excluded");
    Objects.requireNonNull(inputs, "inputs");
  }

  /** A task whose inputs play no part in placement. */
  public TaskRequest(CompilerIdentity compiler, Set<String> excluded) {
    this(compiler, excluded, InputSet.NONE);
  }

  /** A first attempt: no worker excluded. */
  public static TaskRequest of(CompilerIdentity compiler) {
    return new TaskRequest(compiler, Set.of());
  }

  /**
   * Whether {@code w} may get this task: it runs the compiler identity, is not draining, has a free
   * slot and has not failed this task before.
   */
  public boolean canRunOn(WorkerSnapshot w) {
    return !w.draining()
        && w.active() < w.maxParallel()
        && w.compilers().contains(compiler)
        && !excluded.contains(w.id());
  }

  /** The architecture the compiler generates code for, normalized (from the target triple). */
  public String targetArch() {
    String target = compiler.target();
    int dash = target.indexOf('-');
    return MachineArch.normalize(dash < 0 ? target : target.substring(0, dash));
  }
}
