package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompilerIdentity;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.Heartbeat;
import io.hybridgrid.proto.v1.ListWorkersRequest;
import io.hybridgrid.proto.v1.ListWorkersResponse;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Priority;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.RegisterAck;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskRejection;
import io.hybridgrid.proto.v1.WorkerInfo;
import io.hybridgrid.proto.v1.WorkerMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The coordinator over in-process gRPC, with fake workers speaking the session protocol. */
class CoordinatorGrpcTest {
  private static final long WAIT_SECONDS = 10;
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(3);

  private static final CompilerIdentity GCC =
      CompilerIdentity.newBuilder()
          .setFamily("gcc")
          .setVersion("12.2.0")
          .setTarget("x86_64-linux-gnu")
          .build();
  private static final CompilerIdentity CLANG =
      CompilerIdentity.newBuilder()
          .setFamily("clang")
          .setVersion("14.0.6")
          .setTarget("x86_64-linux-gnu")
          .build();

  private static final String SOURCE = "int main(void) { return 0; }\n";

  /** gcc -O2 -Wall -c src/hello.c -o src/hello.o; its source is uploaded before each test. */
  private static final Action ACTION =
      GrpcCoordinator.action(SOURCE).toBuilder()
          .clearArgv()
          .addAllArgv(List.of("gcc", "-O2", "-Wall", "-c", "src/hello.c", "-o", "src/hello.o"))
          .putEnv("SOURCE_DATE_EPOCH", "0")
          .build();

  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  private CoordinatorServer coord;
  private ManagedChannel channel;

  @BeforeEach
  void startCoordinator() throws Exception {
    String name = InProcessServerBuilder.generateName();
    coord =
        grpc.register(
                new CoordinatorServer(
                    InProcessServerBuilder.forName(name).directExecutor(),
                    null,
                    DispatchSettings.defaults(),
                    HEARTBEAT_INTERVAL,
                    Clock.systemUTC()))
            .start();
    channel = grpc.register(InProcessChannelBuilder.forName(name).directExecutor().build());
    GrpcCoordinator.upload(channel, GrpcCoordinator.utf8(SOURCE));
  }

  private static WorkerMessage register(String id, CompilerIdentity... compilers) {
    return WorkerMessage.newBuilder()
        .setRegister(
            Register.newBuilder()
                .setWorkerId(id)
                .setHostname(id + ".lan")
                .setVersion("0.1.0-test")
                .setCapabilities(
                    Capabilities.newBuilder()
                        .setCores(4)
                        .setMemoryBytes(8L << 30)
                        .setArch("amd64")
                        .setOs("linux")
                        .addAllCompilers(List.of(compilers))
                        .setMaxParallel(2)))
        .build();
  }

  /** Connects a worker with gcc 12.2.0 and waits until the dispatcher has it. */
  private FakeWorker connect(String id) throws Exception {
    int before = coord.status().stats().workers();
    FakeWorker w = new FakeWorker(channel);
    w.send(register(id, GCC));
    CoordinatorMessage ack = w.next();
    assertEquals(CoordinatorMessage.KindCase.REGISTERED, ack.getKindCase(), ack::toString);
    assertEquals(id, ack.getRegistered().getWorkerId());
    // The ack is sent just before the dispatcher adds the worker: wait for that.
    awaitWorkers(before + 1);
    return w;
  }

  private void awaitWorkers(int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (coord.status().stats().workers() != n) {
      assertTrue(
          System.nanoTime() < deadline,
          () -> "expected " + n + " workers, have " + coord.status().stats().workers());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private ListenableFuture<CompileResponse> compileAsync(CompileRequest request) {
    return CompileServiceGrpc.newFutureStub(channel)
        .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
        .compile(request);
  }

  private static CompileRequest request(Action action) {
    return CompileRequest.newBuilder()
        .setAction(action)
        .setPriority(Priority.PRIORITY_INTERACTIVE)
        .setClientId("test-client")
        .build();
  }

  private static CompileResponse await(ListenableFuture<CompileResponse> f) throws Exception {
    return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static Status awaitError(ListenableFuture<CompileResponse> f) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, TimeUnit.SECONDS));
    return assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus();
  }

  private Status compileError(CompileRequest request) {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                CompileServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
                    .compile(request));
    return e.getStatus();
  }

  private Stats stats() {
    return StatusServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
        .getStats(GetStatsRequest.getDefaultInstance());
  }

  private static ActionResult objectResult(String workerId) {
    byte[] object = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    return ActionResult.newBuilder()
        .setExitCode(0)
        .addOutputs(
            OutputFile.newBuilder()
                .setPath(GrpcCoordinator.OUTPUT)
                .setDigest(GrpcCoordinator.digest(object))
                .setContents(ByteString.copyFrom(object)))
        .setWorkerId(workerId)
        .setCompileMicros(12_345)
        .build();
  }

  // --- tests ---

  @Test
  void registerIsAcknowledgedWithTheHeartbeatInterval() throws Exception {
    FakeWorker w = new FakeWorker(channel);
    w.send(register("w-a", GCC));

    RegisterAck ack = w.next().getRegistered();

    assertEquals("w-a", ack.getWorkerId());
    assertEquals(HEARTBEAT_INTERVAL.toMillis(), ack.getHeartbeatIntervalMs());
    awaitWorkers(1);
  }

  @Test
  void compileIsDeliveredToTheWorkerAndItsResultReturned() throws Exception {
    FakeWorker w = connect("w-a");

    ListenableFuture<CompileResponse> call = compileAsync(request(ACTION));
    TaskAssignment a = w.nextAssignment();

    assertEquals(ACTION, a.getAction());
    assertEquals(DispatchSettings.defaults().taskTimeout().toMillis(), a.getTimeoutMs());
    assertTrue(!a.getTaskId().isEmpty(), "assignment has a task id");
    w.reply(a.getTaskId(), objectResult("w-a"));
    CompileResponse response = await(call);
    assertEquals(objectResult("w-a"), response.getActionResult());
    assertEquals(1, response.getAttempts());
    assertTrue(response.getQueueMicros() >= 0, () -> "queue micros " + response.getQueueMicros());
  }

  @Test
  void compileErrorIsANormalResponse() throws Exception {
    FakeWorker w = connect("w-a");
    ActionResult error =
        ActionResult.newBuilder()
            .setExitCode(1)
            .setStderr(ByteString.copyFromUtf8("src/hello.c:1:1: error: expected ';'\n"))
            .setWorkerId("w-a")
            .build();

    ListenableFuture<CompileResponse> call = compileAsync(request(ACTION));
    w.reply(w.nextAssignment().getTaskId(), error);

    CompileResponse response = await(call);
    assertEquals(error, response.getActionResult());
    assertEquals(1, response.getAttempts());
    Stats s = stats();
    assertEquals(1, s.getTasksCompleted());
    assertEquals(1, s.getCompileErrors());
    assertEquals(0, s.getTasksFailed());
  }

  @Test
  void unknownCompilerRejectionIsFailedPrecondition() throws Exception {
    FakeWorker w = connect("w-a");

    ListenableFuture<CompileResponse> call = compileAsync(request(ACTION));
    w.reject(
        w.nextAssignment().getTaskId(),
        TaskRejection.Reason.UNKNOWN_COMPILER,
        "no gcc 12.2.0 x86_64-linux-gnu on this worker");

    Status s = awaitError(call);
    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertEquals(
        "worker w-a refused the task: no gcc 12.2.0 x86_64-linux-gnu on this worker",
        s.getDescription());
    assertEquals(1, stats().getTasksFailed());
  }

  static Stream<Arguments> malformedRequests() {
    return Stream.of(
        Arguments.of(
            "no action", CompileRequest.newBuilder().setClientId("c").build(), "no action"),
        Arguments.of(
            "no compiler", request(ACTION.toBuilder().clearCompiler().build()), "no compiler"),
        Arguments.of(
            "compiler without version",
            request(ACTION.toBuilder().setCompiler(GCC.toBuilder().clearVersion()).build()),
            "needs a version and a target"),
        Arguments.of(
            "unknown family tcc",
            request(ACTION.toBuilder().setCompiler(GCC.toBuilder().setFamily("tcc")).build()),
            "compiler family must be gcc or clang, not 'tcc'"),
        Arguments.of("empty argv", request(ACTION.toBuilder().clearArgv().build()), "empty argv"),
        Arguments.of(
            "relative cwd",
            request(ACTION.toBuilder().setCwd("home/dev/project").build()),
            "cwd 'home/dev/project' is not an absolute path"),
        Arguments.of(
            "empty cwd",
            request(ACTION.toBuilder().setCwd("").build()),
            "cwd '' is not an absolute path"),
        Arguments.of(
            "cwd with ..",
            request(ACTION.toBuilder().setCwd("/home/dev/../project").build()),
            "is not normalised"),
        Arguments.of(
            "file name past 255 bytes",
            request(
                ACTION.toBuilder()
                    .setInputs(
                        0,
                        ACTION.getInputs(0).toBuilder()
                            .setPath("/home/dev/project/" + "x".repeat(300) + ".h"))
                    .build()),
            "has a file name longer than 255 bytes"),
        Arguments.of(
            "input without digest",
            request(
                ACTION.toBuilder()
                    .setInputs(0, ACTION.getInputs(0).toBuilder().clearDigest())
                    .build()),
            "has no digest"),
        Arguments.of(
            "forbidden argument",
            request(ACTION.toBuilder().addArgv("-fplugin=/tmp/evil.so").build()),
            "argument refused"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedRequests")
  void malformedRequestIsInvalidArgument(String name, CompileRequest request, String reason)
      throws Exception {
    // A connected gcc worker: a request that slipped through validation would reach it.
    FakeWorker w = connect("w-a");

    Status s = compileError(request);

    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s::toString);
    assertTrue(s.getDescription().contains(reason), s::toString);
    assertTrue(w.received.isEmpty(), () -> "the worker got " + w.received);
    // The coordinator is still serving.
    ListenableFuture<CompileResponse> call = compileAsync(request(ACTION));
    w.reply(w.nextAssignment().getTaskId(), objectResult("w-a"));
    assertEquals(0, await(call).getActionResult().getExitCode());
  }

  @Test
  void compileWithNoWorkerIsFailedPrecondition() {
    Status s = compileError(request(ACTION));

    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertEquals(
        "no connected worker has gcc 12.2.0 x86_64-linux-gnu (0 workers connected)",
        s.getDescription());
  }

  @Test
  void compileForACompilerNoWorkerHasIsFailedPrecondition() throws Exception {
    FakeWorker w = connect("w-a");

    Status s = compileError(request(ACTION.toBuilder().setCompiler(CLANG).build()));

    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertEquals(
        "no connected worker has clang 14.0.6 x86_64-linux-gnu (1 workers connected)",
        s.getDescription());
    assertTrue(w.received.isEmpty(), () -> "the worker got " + w.received);
  }

  @Test
  void sessionNotStartingWithRegisterIsClosedWithAnError() throws Exception {
    FakeWorker w = new FakeWorker(channel);
    w.send(
        WorkerMessage.newBuilder()
            .setHeartbeat(Heartbeat.newBuilder().setActiveTasks(0).setLoadAverage(0.1))
            .build());

    Status s = w.awaitEnd();

    assertEquals(Status.Code.UNAVAILABLE, s.getCode());
    assertEquals("first message must be register", s.getDescription());
    assertTrue(w.received.isEmpty(), () -> "got " + w.received);
    assertEquals(0, coord.status().stats().workers());
  }

  @Test
  void invalidRegisterIsClosedWithAnError() throws Exception {
    FakeWorker w = new FakeWorker(channel);
    WorkerMessage bad = register("w-a", GCC);
    w.send(
        bad.toBuilder()
            .setRegister(
                bad.getRegister().toBuilder()
                    .setCapabilities(
                        bad.getRegister().getCapabilities().toBuilder().setMaxParallel(0)))
            .build());

    Status s = w.awaitEnd();

    assertEquals(Status.Code.UNAVAILABLE, s.getCode());
    assertEquals("invalid register: max_parallel must be at least 1, not 0", s.getDescription());
    assertEquals(0, coord.status().stats().workers());
  }

  @Test
  void taskOfACancelledWorkerStreamIsResentToAnotherWorker() throws Exception {
    FakeWorker first = connect("w-a");
    ListenableFuture<CompileResponse> call = compileAsync(request(ACTION));
    TaskAssignment a = first.nextAssignment();
    FakeWorker second = connect("w-b");

    first.up.onError(new IllegalStateException("worker crashed")); // cancels the stream

    TaskAssignment resent = second.nextAssignment();
    assertEquals(a.getTaskId(), resent.getTaskId());
    assertEquals(ACTION, resent.getAction());
    second.reply(resent.getTaskId(), objectResult("w-b"));
    CompileResponse response = await(call);
    assertEquals("w-b", response.getActionResult().getWorkerId());
    assertEquals(2, response.getAttempts());
    Stats s = stats();
    assertEquals(1, s.getWorkers());
    assertEquals(1, s.getTasksRetried());
  }

  @Test
  void taskOfAClosedWorkerStreamIsResentToAnotherWorker() throws Exception {
    FakeWorker first = connect("w-a");
    ListenableFuture<CompileResponse> call = compileAsync(request(ACTION));
    TaskAssignment a = first.nextAssignment();
    FakeWorker second = connect("w-b");

    first.up.onCompleted();

    assertEquals(Status.Code.OK, first.awaitEnd().getCode(), "the coordinator ends the session");
    TaskAssignment resent = second.nextAssignment();
    assertEquals(a.getTaskId(), resent.getTaskId());
    second.reply(resent.getTaskId(), objectResult("w-b"));
    CompileResponse response = await(call);
    assertEquals("w-b", response.getActionResult().getWorkerId());
    assertEquals(2, response.getAttempts());
  }

  @Test
  void statusServiceReflectsWorkersAndCounts() throws Exception {
    FakeWorker w = connect("w-a");
    ListenableFuture<CompileResponse> ok = compileAsync(request(ACTION));
    w.reply(w.nextAssignment().getTaskId(), objectResult("w-a"));
    await(ok);
    ListenableFuture<CompileResponse> running = compileAsync(request(ACTION));
    TaskAssignment runningTask = w.nextAssignment();

    Stats s = stats();
    assertEquals(1, s.getWorkers());
    assertEquals(1, s.getTasksCompleted());
    assertEquals(0, s.getTasksFailed());
    assertEquals(0, s.getTasksQueued());
    assertEquals(1, s.getActiveTasks());
    assertEquals(0, s.getCompileErrors());
    assertEquals(0, s.getTasksRetried());

    ListWorkersResponse list =
        StatusServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
            .listWorkers(ListWorkersRequest.getDefaultInstance());
    assertEquals(1, list.getWorkersCount());
    WorkerInfo info = list.getWorkers(0);
    assertEquals("w-a", info.getWorkerId());
    assertEquals("w-a.lan", info.getHostname());
    assertEquals("active", info.getState());
    assertEquals(1, info.getActiveTasks());
    assertEquals(1, info.getTasksCompleted());
    assertEquals(0, info.getTasksFailed());
    assertEquals(2, info.getCapabilities().getMaxParallel());
    assertEquals(4, info.getCapabilities().getCores());
    assertEquals(List.of(GCC), info.getCapabilities().getCompilersList());
    assertTrue(info.getConnectedAtUnixMillis() > 0);

    w.reply(runningTask.getTaskId(), objectResult("w-a"));
    await(running);
    assertEquals(2, stats().getTasksCompleted());
  }

  @Test
  void healthServiceReportsServing() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(WAIT_SECONDS, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());

    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }
}
