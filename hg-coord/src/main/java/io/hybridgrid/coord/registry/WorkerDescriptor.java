package io.hybridgrid.coord.registry;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.util.Set;

/**
 * What a worker said about itself when it registered.
 *
 * @param id the worker's id
 * @param hostname its host name
 * @param cores cores it may use
 * @param memoryBytes memory it may use
 * @param arch machine architecture (os.arch)
 * @param os operating system
 * @param compilers the compiler identities it can run
 * @param maxParallel how many tasks it runs at once
 * @param version the worker's version
 * @param runsOwnCompilers whether it runs its installed compilers ({@code --toolchains own|both})
 * @param acceptsShippedToolchains whether it runs toolchains clients ship ({@code shipped|both})
 */
public record WorkerDescriptor(
    String id,
    String hostname,
    int cores,
    long memoryBytes,
    String arch,
    String os,
    Set<CompilerIdentity> compilers,
    int maxParallel,
    String version,
    boolean runsOwnCompilers,
    boolean acceptsShippedToolchains) {
  public WorkerDescriptor {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("worker id must not be empty");
    }
    if (maxParallel < 1) {
      throw new IllegalArgumentException("max_parallel must be at least 1, not " + maxParallel);
    }
    compilers = Set.copyOf(compilers);
  }

  /** A worker that runs only its own compilers (one from before toolchain shipping). */
  public WorkerDescriptor(
      String id,
      String hostname,
      int cores,
      long memoryBytes,
      String arch,
      String os,
      Set<CompilerIdentity> compilers,
      int maxParallel,
      String version) {
    this(id, hostname, cores, memoryBytes, arch, os, compilers, maxParallel, version, true, false);
  }
}
