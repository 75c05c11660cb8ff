package io.hybridgrid.coord.grpc;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.Language;
import io.hybridgrid.proto.v1.Register;
import java.util.stream.Collectors;

/** Checks incoming messages and converts them to domain values; bad input is IllegalArgument. */
final class ProtoMapping {
  private ProtoMapping() {}

  static CompilerIdentity identity(io.hybridgrid.proto.v1.CompilerIdentity c) {
    if (c.getVersion().isEmpty() || c.getTarget().isEmpty()) {
      throw new IllegalArgumentException("compiler identity needs a version and a target");
    }
    return new CompilerIdentity(c.getFamily(), c.getVersion(), c.getTarget(), c.getCxxDriver());
  }

  /** Validates a client's task and returns the compiler it needs. */
  static CompilerIdentity validateTask(CompileTask task) {
    if (!task.hasCompiler()) {
      throw new IllegalArgumentException("task has no compiler identity");
    }
    CompilerIdentity id = identity(task.getCompiler());
    if (task.getLanguage() == Language.LANGUAGE_UNSPECIFIED
        || task.getLanguage() == Language.UNRECOGNIZED) {
      throw new IllegalArgumentException("task has no language");
    }
    if (task.getSourcePath().isEmpty()) {
      throw new IllegalArgumentException("task has no source path");
    }
    if (!task.getClientCwd().startsWith("/")) {
      throw new IllegalArgumentException("client_cwd must be an absolute path");
    }
    if (task.getPreprocessed().isEmpty()) {
      throw new IllegalArgumentException("task has no preprocessed source");
    }
    return id;
  }

  static WorkerDescriptor descriptor(Register r) {
    if (!r.hasCapabilities()) {
      throw new IllegalArgumentException("register has no capabilities");
    }
    var caps = r.getCapabilities();
    return new WorkerDescriptor(
        r.getWorkerId(),
        r.getHostname(),
        caps.getCores(),
        caps.getMemoryBytes(),
        caps.getArch(),
        caps.getOs(),
        caps.getCompilersList().stream().map(ProtoMapping::identity).collect(Collectors.toSet()),
        caps.getMaxParallel(),
        r.getVersion());
  }
}
