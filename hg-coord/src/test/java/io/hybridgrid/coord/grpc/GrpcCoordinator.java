package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.BatchUpdateBlobsRequest;
import io.hybridgrid.proto.v1.BlobData;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompilerIdentity;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Priority;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import io.hybridgrid.proto.v1.WorkerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * An in-process coordinator with a given configuration, plus what tests of its RPCs share: a gcc
 * action (its source uploaded as a client would), fake workers, calls with deadlines and polling
 * with a deadline.
 */
final class GrpcCoordinator implements AutoCloseable {
  static final long WAIT_SECONDS = FakeWorker.WAIT_SECONDS;

  static final CompilerIdentity GCC =
      CompilerIdentity.newBuilder()
          .setFamily("gcc")
          .setVersion("12.2.0")
          .setTarget("x86_64-linux-gnu")
          .build();

  final CoordinatorServer server;
  final String name = InProcessServerBuilder.generateName();
  private final java.util.List<ManagedChannel> channels = new java.util.ArrayList<>();

  GrpcCoordinator(CoordinatorConfig config) throws Exception {
    server =
        new CoordinatorServer(
                InProcessServerBuilder.forName(name).directExecutor(),
                null,
                config,
                Clock.systemUTC())
            .start();
  }

  /** A new client connection (each test "client" may use its own). */
  ManagedChannel channel() {
    ManagedChannel c = InProcessChannelBuilder.forName(name).directExecutor().build();
    channels.add(c);
    return c;
  }

  /** The working directory of {@link #action}. */
  static final String CWD = "/home/dev/project";

  /** The one output path of {@link #action}. */
  static final String OUTPUT = CWD + "/src/hello.o";

  /** {@code gcc -O2 -c src/hello.c -o src/hello.o} over a source whose text is {@code text}. */
  static Action action(String text) {
    return Action.newBuilder()
        .addAllArgv(List.of("gcc", "-O2", "-c", "src/hello.c", "-o", "src/hello.o"))
        .setCwd(CWD)
        .putEnv("PATH", "/usr/bin:/bin")
        .addInputs(
            InputFile.newBuilder().setPath(CWD + "/src/hello.c").setDigest(digest(utf8(text))))
        .addDirectories(CWD)
        .addOutputPaths(OUTPUT)
        .setCompiler(GCC)
        .setCompilerPath("/usr/bin/gcc")
        .build();
  }

  /** {@link #action} of {@code text}, its source uploaded first over {@code channel}. */
  static Action uploaded(ManagedChannel channel, String text) {
    upload(channel, utf8(text));
    return action(text);
  }

  /** Uploads blobs through the content store API, as a client does before it sends an action. */
  static void upload(ManagedChannel channel, byte[]... blobs) {
    BatchUpdateBlobsRequest.Builder b = BatchUpdateBlobsRequest.newBuilder();
    for (byte[] blob : blobs) {
      b.addBlobs(BlobData.newBuilder().setDigest(digest(blob)).setData(ByteString.copyFrom(blob)));
    }
    var r =
        ContentStoreGrpc.newBlockingStub(channel)
            .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
            .batchUpdateBlobs(b.build());
    r.getStatusesList().forEach(s -> assertEquals(0, s.getCode(), s.getMessage()));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static io.hybridgrid.proto.v1.Digest digest(byte[] blob) {
    return ProtoMapping.toWire(Digest.of(blob));
  }

  static CompileRequest request(Action action) {
    return CompileRequest.newBuilder()
        .setAction(action)
        .setPriority(Priority.PRIORITY_INTERACTIVE)
        .setClientId("test")
        .build();
  }

  /**
   * What a worker answers: on success the object {@code object} inline at {@link #OUTPUT}, a
   * warning and 4242 µs; on failure an error and no output.
   */
  static ActionResult result(String workerId, int exitCode, String object) {
    ActionResult.Builder b =
        ActionResult.newBuilder()
            .setExitCode(exitCode)
            .setStderr(ByteString.copyFromUtf8(exitCode == 0 ? "warning: w\n" : "error: e\n"))
            .setWorkerId(workerId)
            .setCompileMicros(4242);
    if (exitCode == 0) {
      b.addOutputs(
          OutputFile.newBuilder()
              .setPath(OUTPUT)
              .setDigest(digest(utf8(object)))
              .setContents(ByteString.copyFromUtf8(object)));
    }
    return b.build();
  }

  /** The object an answer carries inline, as text ("" when it has none). */
  static String object(CompileResponse r) {
    return r.getActionResult().getOutputsCount() == 0
        ? ""
        : r.getActionResult().getOutputs(0).getContents().toStringUtf8();
  }

  static WorkerMessage register(String id, int slots) {
    return WorkerMessage.newBuilder()
        .setRegister(
            Register.newBuilder()
                .setWorkerId(id)
                .setHostname(id + ".lan")
                .setVersion("test")
                .setCapabilities(
                    Capabilities.newBuilder()
                        .setCores(slots)
                        .setMemoryBytes(8L << 30)
                        .setArch("amd64")
                        .setOs("linux")
                        .addAllCompilers(List.of(GCC))
                        .setMaxParallel(slots)))
        .build();
  }

  /** Connects a gcc worker and waits until the dispatcher has it. */
  FakeWorker connect(String id, int slots) throws Exception {
    int before = stats().getWorkers();
    FakeWorker w = new FakeWorker(channel());
    w.send(register(id, slots));
    CoordinatorMessage ack = w.next();
    assertEquals(CoordinatorMessage.KindCase.REGISTERED, ack.getKindCase(), ack::toString);
    await(() -> stats().getWorkers() == before + 1, "worker " + id + " registered");
    return w;
  }

  Stats stats() {
    return StatusServiceGrpc.newBlockingStub(channel())
        .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
        .getStats(GetStatsRequest.getDefaultInstance());
  }

  static CompileResponse compile(ManagedChannel channel, Action action) {
    return CompileServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
        .compile(request(action));
  }

  /** Polls {@code condition} every millisecond until it holds or the wait runs out. */
  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  @Override
  public void close() {
    server.close();
    channels.forEach(ManagedChannel::shutdownNow);
  }
}
