package io.hybridgrid.coord.grpc;

import com.google.protobuf.ByteString;
import io.hybridgrid.common.compiler.CompilerIdentity;
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

  /** A wire digest as a checked domain digest. */
  static io.hybridgrid.coord.cas.Digest digest(io.hybridgrid.proto.v1.Digest d) {
    return new io.hybridgrid.coord.cas.Digest(d.getHash(), d.getSizeBytes());
  }

  static io.hybridgrid.proto.v1.Digest toWire(io.hybridgrid.coord.cas.Digest d) {
    return io.hybridgrid.proto.v1.Digest.newBuilder()
        .setHash(d.hash())
        .setSizeBytes(d.size())
        .build();
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
