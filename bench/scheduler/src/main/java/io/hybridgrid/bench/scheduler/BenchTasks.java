package io.hybridgrid.bench.scheduler;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.BatchUpdateBlobsRequest;
import io.hybridgrid.proto.v1.BatchUpdateBlobsResponse;
import io.hybridgrid.proto.v1.BlobData;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.InputFile;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's compile tasks: small, unique actions (so the shared cache could never answer one,
 * even if it were on) that carry their reference cost and their send time as {@code -D} arguments,
 * which the coordinator passes to the worker untouched. Every action reads the same small source
 * blob, uploaded once per run as a client uploads a file once ({@link #upload}).
 */
final class BenchTasks {
  static final String COST_ARG = "-DHG_BENCH_COST_US=";
  static final String SENT_ARG = "-DHG_BENCH_SENT_NS=";
  static final String RUN_ARG = "-DHG_BENCH_RUN=";

  /** The working directory of every action. */
  static final String CWD = "/bench";

  /** The source every action compiles. */
  static final byte[] SOURCE = "int bench(void) { return 0; }\n".getBytes(StandardCharsets.UTF_8);

  private static final io.hybridgrid.proto.v1.Digest SOURCE_DIGEST = wire(Digest.of(SOURCE));

  private BenchTasks() {}

  /** The cost and send time a task carries. */
  record Stamp(long costMicros, long sentNanos) {}

  static Action action(long runId, long index, long costMicros, long sentNanos) {
    String unit = "u" + index;
    return Action.newBuilder()
        .addAllArgv(
            List.of(
                "gcc",
                "-O2",
                RUN_ARG + runId,
                COST_ARG + costMicros,
                SENT_ARG + sentNanos,
                "-c",
                unit + ".c",
                "-o",
                unit + ".o"))
        .setCwd(CWD)
        .putEnv("PATH", "/usr/bin:/bin")
        .addInputs(InputFile.newBuilder().setPath(CWD + "/" + unit + ".c").setDigest(SOURCE_DIGEST))
        .addOutputPaths(CWD + "/" + unit + ".o")
        .setCompiler(WireTypes.toWire(WorkerProfile.GCC))
        .setCompilerPath("/usr/bin/gcc")
        .build();
  }

  static Stamp stamp(Action action) {
    long cost = -1;
    long sent = -1;
    for (String arg : action.getArgvList()) {
      if (arg.startsWith(COST_ARG)) {
        cost = Long.parseLong(arg.substring(COST_ARG.length()));
      } else if (arg.startsWith(SENT_ARG)) {
        sent = Long.parseLong(arg.substring(SENT_ARG.length()));
      }
    }
    if (cost < 0 || sent < 0) {
      throw new IllegalArgumentException("not a benchmark action: " + action.getArgvList());
    }
    return new Stamp(cost, sent);
  }

  /** Puts {@link #SOURCE} into the coordinator's content store, as a client would. */
  static void upload(Channel channel) {
    BatchUpdateBlobsResponse r =
        ContentStoreGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .batchUpdateBlobs(
                BatchUpdateBlobsRequest.newBuilder()
                    .addBlobs(
                        BlobData.newBuilder()
                            .setDigest(SOURCE_DIGEST)
                            .setData(ByteString.copyFrom(SOURCE)))
                    .build());
    r.getStatusesList()
        .forEach(
            s -> {
              if (s.getCode() != 0) {
                throw new IllegalStateException("cannot upload the bench source: " + s);
              }
            });
  }

  static io.hybridgrid.proto.v1.Digest wire(Digest d) {
    return io.hybridgrid.proto.v1.Digest.newBuilder()
        .setHash(d.hash())
        .setSizeBytes(d.size())
        .build();
  }
}
