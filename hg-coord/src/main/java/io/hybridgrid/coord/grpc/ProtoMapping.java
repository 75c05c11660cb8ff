package io.hybridgrid.coord.grpc;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.Register;
import java.util.stream.Collectors;

/** Checks incoming messages and converts them to domain values; bad input is IllegalArgument. */
final class ProtoMapping {
  private ProtoMapping() {}

  /** Validates a client's task and returns the compiler it needs. */
  static CompilerIdentity validateTask(CompileTask task) {
    if (!task.hasCompiler()) {
      throw new IllegalArgumentException("task has no compiler identity");
    }
    CompilerIdentity id = WireTypes.fromWire(task.getCompiler());
    WireTypes.fromWire(task.getLanguage());
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
        caps.getCompilersList().stream().map(WireTypes::fromWire).collect(Collectors.toSet()),
        caps.getMaxParallel(),
        r.getVersion());
  }
}
