package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.CompilerIdentity;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.Language;
import io.hybridgrid.proto.v1.Priority;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import io.hybridgrid.proto.v1.WorkerMessage;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * An in-process coordinator with a given configuration, plus what tests of its RPCs share: a gcc
 * task, fake workers, calls with deadlines and polling with a deadline.
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

  /** A preprocessed gcc task whose unit is {@code text}. */
  static CompileTask task(String text) {
    return CompileTask.newBuilder()
        .setCompiler(GCC)
        .setLanguage(Language.LANGUAGE_C)
        .addArgs("-O2")
        .setSourcePath("src/hello.c")
        .setClientCwd("/home/dev/project")
        .setPreprocessed(ByteString.copyFromUtf8(text))
        .build();
  }

  static CompileRequest request(CompileTask task) {
    return CompileRequest.newBuilder()
        .setTask(task)
        .setPriority(Priority.PRIORITY_INTERACTIVE)
        .setClientId("test")
        .build();
  }

  static CompileResult result(String workerId, int exitCode, String object) {
    return CompileResult.newBuilder()
        .setExitCode(exitCode)
        .setObject(ByteString.copyFromUtf8(object))
        .setStderr(ByteString.copyFromUtf8(exitCode == 0 ? "warning: w\n" : "error: e\n"))
        .setWorkerId(workerId)
        .setCompileMicros(4242)
        .build();
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

  static CompileResponse compile(ManagedChannel channel, CompileTask task) {
    return CompileServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
        .compile(request(task));
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
