package io.hybridgrid.coord.scheduler;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.util.Objects;
import java.util.Set;

/**
 * What a scheduler knows about one worker at decision time: a plain value, so a decision can be
 * made (and timed) without a registry, a network or a lock.
 *
 * @param id the worker's id
 * @param compilers the compiler identities it runs
 * @param arch its machine architecture, normalized by {@link MachineArch#normalize}
 * @param cores cores it may use
 * @param maxParallel its slots
 * @param active tasks the coordinator has running on it
 * @param draining whether it takes no new tasks
 * @param freeMemoryBytes memory available to new compiles from its last heartbeat; 0 = unknown
 * @param taskMillis moving average of its task time (assignment to result); NaN = not measured
 * @param rttMillis moving average of its round-trip time; NaN = not measured
 * @param holdings what the coordinator believes it already holds in its CAS (read under the
 *     dispatcher's lock, like the rest of a decision)
 * @param failureShare share of its recent task outcomes that were worker faults (its circuit
 *     breaker's window), in [0, 1]; 0 = none or not known
 * @param runsOwnCompilers whether it runs its installed compilers ({@code --toolchains own|both})
 * @param acceptsShippedToolchains whether it runs toolchains clients ship ({@code shipped|both})
 * @param toolchains digests of shipped toolchains the coordinator has seen it run
 */
public record WorkerSnapshot(
    String id,
    Set<CompilerIdentity> compilers,
    String arch,
    int cores,
    int maxParallel,
    int active,
    boolean draining,
    long freeMemoryBytes,
    double taskMillis,
    double rttMillis,
    Holdings holdings,
    double failureShare,
    boolean runsOwnCompilers,
    boolean acceptsShippedToolchains,
    Set<String> toolchains) {
  public WorkerSnapshot {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(toolchains, "toolchains");
    Objects.requireNonNull(holdings, "holdings");
    Objects.requireNonNull(compilers, "compilers");
    Objects.requireNonNull(arch, "arch");
    if (maxParallel < 1) {
      throw new IllegalArgumentException("max_parallel must be at least 1, not " + maxParallel);
    }
    if (active < 0) {
      throw new IllegalArgumentException("active tasks must not be negative, not " + active);
    }
  }

  /** A worker that runs only its own compilers (as before toolchain shipping). */
  public WorkerSnapshot(
      String id,
      Set<CompilerIdentity> compilers,
      String arch,
      int cores,
      int maxParallel,
      int active,
      boolean draining,
      long freeMemoryBytes,
      double taskMillis,
      double rttMillis,
      Holdings holdings,
      double failureShare) {
    this(
        id,
        compilers,
        arch,
        cores,
        maxParallel,
        active,
        draining,
        freeMemoryBytes,
        taskMillis,
        rttMillis,
        holdings,
        failureShare,
        true,
        false,
        Set.of());
  }

  /** A healthy worker that runs only its own compilers. */
  public WorkerSnapshot(
      String id,
      Set<CompilerIdentity> compilers,
      String arch,
      int cores,
      int maxParallel,
      int active,
      boolean draining,
      long freeMemoryBytes,
      double taskMillis,
      double rttMillis,
      Holdings holdings) {
    this(
        id,
        compilers,
        arch,
        cores,
        maxParallel,
        active,
        draining,
        freeMemoryBytes,
        taskMillis,
        rttMillis,
        holdings,
        0);
  }

  /** A worker the coordinator knows no holdings of. */
  public WorkerSnapshot(
      String id,
      Set<CompilerIdentity> compilers,
      String arch,
      int cores,
      int maxParallel,
      int active,
      boolean draining,
      long freeMemoryBytes,
      double taskMillis,
      double rttMillis) {
    this(
        id,
        compilers,
        arch,
        cores,
        maxParallel,
        active,
        draining,
        freeMemoryBytes,
        taskMillis,
        rttMillis,
        Holdings.NONE,
        0);
  }

  /** Slots not running a task. */
  public int freeSlots() {
    return Math.max(0, maxParallel - active);
  }
}
