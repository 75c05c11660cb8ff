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
 * @param toolchain the toolchain the action ships, or {@link ShippedToolchain#NONE}
 */
public record TaskRequest(
    CompilerIdentity compiler, Set<String> excluded, InputSet inputs, ShippedToolchain toolchain) {
  public TaskRequest {
    Objects.requireNonNull(compiler, "compiler");
    Objects.requireNonNull(excluded, "excluded");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(toolchain, "toolchain");
  }

  /** A task that ships no toolchain. */
  public TaskRequest(CompilerIdentity compiler, Set<String> excluded, InputSet inputs) {
    this(compiler, excluded, inputs, ShippedToolchain.NONE);
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
   * Whether {@code w} may get this task: it can run it ({@link #capable}), is not draining, has a
   * free slot and has not failed this task before.
   */
  public boolean canRunOn(WorkerSnapshot w) {
    return !w.draining()
        && w.active() < w.maxParallel()
        && capable(w)
        && !excluded.contains(w.id());
  }

  /**
   * Whether {@code w} can run this task at all, load aside: it runs its own compilers and has this
   * identity, or the task ships a toolchain and {@code w} accepts shipped toolchains on a machine
   * of the toolchain's architecture. A toolchain built for another architecture is never placed on
   * a worker that cannot execute it.
   */
  public boolean capable(WorkerSnapshot w) {
    if (w.runsOwnCompilers() && w.compilers().contains(compiler)) {
      return true;
    }
    return toolchain.shipped()
        && w.acceptsShippedToolchains()
        && !toolchain.arch().isEmpty()
        && toolchain.arch().equals(w.arch());
  }

  /**
   * Whether {@code w} already has what this task runs: the shipped toolchain (it ran it before, so
   * its store holds the files) or, for a task that ships none or for a worker that would use its
   * own files, the installed compiler of the same identity. Such a worker fetches no toolchain.
   */
  public boolean held(WorkerSnapshot w) {
    if (toolchain.shipped() && w.toolchains().contains(toolchain.digest())) {
      return true;
    }
    return w.runsOwnCompilers() && w.compilers().contains(compiler);
  }

  /** The architecture the compiler generates code for, normalized (from the target triple). */
  public String targetArch() {
    String target = compiler.target();
    int dash = target.indexOf('-');
    return MachineArch.normalize(dash < 0 ? target : target.substring(0, dash));
  }
}
