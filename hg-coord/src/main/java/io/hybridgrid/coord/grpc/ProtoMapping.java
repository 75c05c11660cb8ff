package io.hybridgrid.coord.grpc;

import com.google.protobuf.ByteString;
import io.hybridgrid.common.compiler.ArgParser;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.RemotePolicy;
import io.hybridgrid.common.grpc.FieldLimits;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.cache.CachedResult;
import io.hybridgrid.coord.cache.CompileKey;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.Register;
import java.util.stream.Collectors;

/** Checks incoming messages and converts them to domain values; bad input is IllegalArgument. */
final class ProtoMapping {
  /** The worker id a response served from the shared cache carries. */
  static final String CACHE_WORKER_ID = "cache";

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
    // Client faults are refused here, before a worker could be blamed for them.
    FieldLimits.checkPath("source_path", task.getSourcePath());
    FieldLimits.checkPath("client_cwd", task.getClientCwd());
    FieldLimits.checkArgs(task.getArgsList());
    FieldLimits.checkEnv(task.getEnvMap());
    RemotePolicy.firstForbidden(ArgParser.parse(task.getArgsList()))
        .ifPresent(
            reason -> {
              throw new IllegalArgumentException("argument refused: " + reason);
            });
    return id;
  }

  /** The coordinator's own key for a (validated) task. */
  static CacheKey cacheKey(CompileTask task) {
    return CompileKey.of(
        WireTypes.fromWire(task.getCompiler()),
        WireTypes.fromWire(task.getLanguage()),
        task.getArgsList(),
        task.getSourcePath(),
        task.getClientCwd(),
        task.getPreprocessed().asReadOnlyByteBuffer(),
        task.getEnvMap());
  }

  /** What the cache keeps of a successful worker result. */
  static CachedResult toCached(CompileResult r) {
    return new CachedResult(
        r.getObject().toByteArray(),
        r.getStdout().toByteArray(),
        r.getStderr().toByteArray(),
        r.getCompileMicros());
  }

  /** A cache hit as a result: exit code 0, answered by "cache". */
  static CompileResult fromCached(CachedResult r) {
    return CompileResult.newBuilder()
        .setExitCode(0)
        .setObject(ByteString.copyFrom(r.object()))
        .setStdout(ByteString.copyFrom(r.stdout()))
        .setStderr(ByteString.copyFrom(r.stderr()))
        .setWorkerId(CACHE_WORKER_ID)
        .setCompileMicros(r.compileMicros())
        .build();
  }

  static WorkerDescriptor descriptor(Register r) {
    if (!r.hasCapabilities()) {
      throw new IllegalArgumentException("register has no capabilities");
    }
    var caps = r.getCapabilities();
    FieldLimits.checkId("worker_id", r.getWorkerId());
    FieldLimits.check("hostname", r.getHostname(), FieldLimits.MAX_NAME);
    FieldLimits.check("version", r.getVersion(), FieldLimits.MAX_LABEL);
    FieldLimits.check("arch", caps.getArch(), FieldLimits.MAX_LABEL);
    FieldLimits.check("os", caps.getOs(), FieldLimits.MAX_LABEL);
    if (caps.getCompilersCount() > FieldLimits.MAX_ENTRIES) {
      throw new IllegalArgumentException(
          caps.getCompilersCount() + " compilers; the limit is " + FieldLimits.MAX_ENTRIES);
    }
    for (var c : caps.getCompilersList()) {
      FieldLimits.check("compiler family", c.getFamily(), FieldLimits.MAX_LABEL);
      FieldLimits.check("compiler version", c.getVersion(), FieldLimits.MAX_LABEL);
      FieldLimits.check("compiler target", c.getTarget(), FieldLimits.MAX_LABEL);
    }
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
