package io.hybridgrid.bench.scheduler;

import com.google.protobuf.ByteString;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.Language;
import java.nio.charset.StandardCharsets;

/**
 * The benchmark's compile tasks: small, unique units (so the shared cache could never answer one,
 * even if it were on) that carry their reference cost and their send time as {@code -D} arguments,
 * which the coordinator passes to the worker untouched.
 */
final class BenchTasks {
  static final String COST_ARG = "-DHG_BENCH_COST_US=";
  static final String SENT_ARG = "-DHG_BENCH_SENT_NS=";

  private BenchTasks() {}

  /** The cost and send time a task carries. */
  record Stamp(long costMicros, long sentNanos) {}

  static CompileTask task(long runId, long index, long costMicros, long sentNanos) {
    String source = "int bench_" + runId + "_" + index + "(void) { return " + index + "; }\n";
    return CompileTask.newBuilder()
        .setCompiler(WireTypes.toWire(WorkerProfile.GCC))
        .setLanguage(Language.LANGUAGE_C)
        .addArgs("-O2")
        .addArgs(COST_ARG + costMicros)
        .addArgs(SENT_ARG + sentNanos)
        .setSourcePath("bench/u" + index + ".c")
        .setClientCwd("/bench")
        .setPreprocessed(ByteString.copyFrom(source, StandardCharsets.UTF_8))
        .build();
  }

  static Stamp stamp(CompileTask task) {
    long cost = -1;
    long sent = -1;
    for (String arg : task.getArgsList()) {
      if (arg.startsWith(COST_ARG)) {
        cost = Long.parseLong(arg.substring(COST_ARG.length()));
      } else if (arg.startsWith(SENT_ARG)) {
        sent = Long.parseLong(arg.substring(SENT_ARG.length()));
      }
    }
    if (cost < 0 || sent < 0) {
      throw new IllegalArgumentException("not a benchmark task: " + task.getArgsList());
    }
    return new Stamp(cost, sent);
  }
}
