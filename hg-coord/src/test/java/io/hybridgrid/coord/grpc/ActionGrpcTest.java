package io.hybridgrid.coord.grpc;

import static io.hybridgrid.coord.grpc.GrpcCoordinator.GCC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.action.ActionLimits;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.cas.CasSettings;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.BatchUpdateBlobsRequest;
import io.hybridgrid.proto.v1.BlobData;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.MissingBlobs;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Priority;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Actions through the Compile RPC: missing blobs, the action cache, bounds, worker outputs. */
class ActionGrpcTest {
  private static final String SOURCE = "#include \"hello.h\"\nint main(void) { return X; }\n";
  private static final String HEADER = "#define X 0\n";
  private static final String OBJECT = "\u007fELF object bytes";
  private static final long INPUT_ROOT_BOUND = 1 << 20;

  @TempDir Path state;
  private GrpcCoordinator coord;
  private ManagedChannel client;

  @BeforeEach
  void start() throws Exception {
    coord =
        new GrpcCoordinator(
            new CoordinatorConfig(
                    DispatchSettings.defaults(),
                    Duration.ofSeconds(3),
                    SchedulerKind.P2C,
                    state,
                    new CacheSettings(true, 1 << 20, state.resolve("cache"), 1 << 20))
                .withCas(
                    new CasSettings(1 << 20, state.resolve("cas"), 64L << 20, 32L << 20),
                    ActionLimits.defaults(INPUT_ROOT_BOUND)));
    client = coord.channel();
  }

  @AfterEach
  void stop() {
    coord.close();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static io.hybridgrid.proto.v1.Digest digest(String text) {
    return ProtoMapping.toWire(Digest.of(utf8(text)));
  }

  static InputFile input(String path, String text) {
    return InputFile.newBuilder().setPath(path).setDigest(digest(text)).build();
  }

  /** gcc -c hello.c -o hello.o over hello.c and hello.h. */
  static Action.Builder action() {
    return Action.newBuilder()
        .addAllArgv(List.of("gcc", "-c", "hello.c", "-o", "hello.o"))
        .setCwd("/home/dev/p")
        .putEnv("PATH", "/usr/bin:/bin")
        .addInputs(input("/home/dev/p/hello.c", SOURCE))
        .addInputs(input("/home/dev/p/hello.h", HEADER))
        .addOutputPaths("/home/dev/p/hello.o")
        .setCompiler(GCC)
        .setCompilerPath("/usr/bin/gcc");
  }

  void upload(String... texts) {
    BatchUpdateBlobsRequest.Builder b = BatchUpdateBlobsRequest.newBuilder();
    for (String t : texts) {
      b.addBlobs(BlobData.newBuilder().setDigest(digest(t)).setData(ByteString.copyFromUtf8(t)));
    }
    var r =
        ContentStoreGrpc.newBlockingStub(client)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .batchUpdateBlobs(b.build());
    r.getStatusesList().forEach(s -> assertEquals(0, s.getCode(), s.getMessage()));
  }

  CompileResponse compile(Action a) {
    return CompileServiceGrpc.newBlockingStub(client)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .compile(
            CompileRequest.newBuilder()
                .setAction(a)
                .setPriority(Priority.PRIORITY_INTERACTIVE)
                .setClientId("test")
                .build());
  }

  CompletableFuture<CompileResponse> compileAsync(Action a) {
    return CompletableFuture.supplyAsync(() -> compile(a));
  }

  static void replyAction(FakeWorker w, String taskId, ActionResult r) {
    w.send(
        WorkerMessage.newBuilder()
            .setResult(TaskResult.newBuilder().setTaskId(taskId).setActionResult(r))
            .build());
  }

  static ActionResult objectInline(String object) {
    return ActionResult.newBuilder()
        .setExitCode(0)
        .addOutputs(
            OutputFile.newBuilder()
                .setPath("/home/dev/p/hello.o")
                .setDigest(digest(object))
                .setContents(ByteString.copyFromUtf8(object)))
        .setStderr(ByteString.copyFromUtf8("hello.c:1: warning: w\n"))
        .setWorkerId("whatever the worker claims")
        .setCompileMicros(1234)
        .build();
  }

  @Test
  void missingInputsAnswerFailedPreconditionWithTheDigestsAndAPath() {
    upload(SOURCE);
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> compile(action().build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("/home/dev/p/hello.h"), e.getMessage());
    com.google.rpc.Status detail = StatusProto.fromThrowable(e);
    assertEquals(1, detail.getDetailsCount());
    Any any = detail.getDetails(0);
    assertTrue(any.is(MissingBlobs.class));
    assertEquals(List.of(digest(HEADER)), unpack(any).getDigestsList());
  }

  private static MissingBlobs unpack(Any any) {
    try {
      return any.unpack(MissingBlobs.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aWorkerRunsTheActionThenTheActionCacheAnswersWithoutAnyWorker() throws Exception {
    upload(SOURCE, HEADER);
    FakeWorker w = coord.connect("w1", 2);
    CompletableFuture<CompileResponse> f = compileAsync(action().build());
    TaskAssignment a = w.nextAssignment();
    assertTrue(a.hasAction());
    assertEquals(action().build().getArgvList(), a.getAction().getArgvList());
    assertEquals(2, a.getAction().getInputsCount());
    replyAction(w, a.getTaskId(), objectInline(OBJECT));
    CompileResponse first = f.get(10, TimeUnit.SECONDS);
    assertFalse(first.getCached());
    assertEquals("w1", first.getActionResult().getWorkerId(), "the session's id, not the claim");
    assertEquals(OBJECT, first.getActionResult().getOutputs(0).getContents().toStringUtf8());
    assertEquals(64, first.getActionDigest().length());
    assertTrue(coord.server.cas().contains(Digest.of(utf8(OBJECT))), "inline output stored");

    // The same action with inputs and environment in another order: same digest, a cache hit.
    Action reordered =
        action()
            .clearInputs()
            .addInputs(input("/home/dev/p/hello.h", HEADER))
            .addInputs(input("/home/dev/p/hello.c", SOURCE))
            .build();
    CompileResponse second = compile(reordered);
    assertTrue(second.getCached());
    assertEquals(first.getActionDigest(), second.getActionDigest());
    assertEquals("cache", second.getActionResult().getWorkerId());
    assertEquals(0, second.getAttempts());
    assertEquals(OBJECT, second.getActionResult().getOutputs(0).getContents().toStringUtf8());
    assertEquals(first.getActionResult().getStderr(), second.getActionResult().getStderr());
    assertNull(w.received.poll(50, TimeUnit.MILLISECONDS), "no second assignment");
    assertEquals(1, coord.stats().getActionCacheHits());
  }

  @Test
  void aCachedResultWhoseOutputBlobIsGoneIsAMiss() throws Exception {
    upload(SOURCE, HEADER);
    FakeWorker w = coord.connect("w1", 2);
    CompletableFuture<CompileResponse> f = compileAsync(action().build());
    TaskAssignment a = w.nextAssignment();
    replyAction(w, a.getTaskId(), objectInline(OBJECT));
    f.get(10, TimeUnit.SECONDS);

    coord.server.cas().delete(Digest.of(utf8(OBJECT)));
    CompletableFuture<CompileResponse> again = compileAsync(action().build());
    TaskAssignment rerun = w.nextAssignment();
    replyAction(w, rerun.getTaskId(), objectInline(OBJECT));
    CompileResponse r = again.get(10, TimeUnit.SECONDS);
    assertFalse(r.getCached());
    assertEquals(1, coord.stats().getActionCacheStale());
    assertTrue(coord.server.cas().contains(Digest.of(utf8(OBJECT))));
  }

  @Test
  void aCompileErrorIsReturnedAndNotCached() throws Exception {
    upload(SOURCE, HEADER);
    FakeWorker w = coord.connect("w1", 2);
    ActionResult error =
        ActionResult.newBuilder()
            .setExitCode(1)
            .setStderr(ByteString.copyFromUtf8("hello.c:1: error: e\n"))
            .build();
    for (int i = 0; i < 2; i++) {
      CompletableFuture<CompileResponse> f = compileAsync(action().build());
      TaskAssignment a = w.nextAssignment();
      replyAction(w, a.getTaskId(), error);
      CompileResponse r = f.get(10, TimeUnit.SECONDS);
      assertEquals(1, r.getActionResult().getExitCode());
      assertFalse(r.getCached());
    }
  }

  @Test
  void anOutputThatCameByDigestButIsNotStoredIsAWorkerFailureRetriedElsewhere() throws Exception {
    upload(SOURCE, HEADER);
    FakeWorker w1 = coord.connect("w1", 1);
    FakeWorker w2 = coord.connect("w2", 1);
    CompletableFuture<CompileResponse> f = compileAsync(action().build());
    // Whichever worker gets it first answers with an output it never uploaded.
    FakeWorker first = null;
    TaskAssignment a = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (a == null && System.nanoTime() < deadline) {
      for (FakeWorker w : List.of(w1, w2)) {
        var m = w.received.poll(5, TimeUnit.MILLISECONDS);
        if (m != null && m.hasAssignment()) {
          first = w;
          a = m.getAssignment();
          break;
        }
      }
    }
    assertTrue(a != null, "an assignment");
    String big = "x".repeat(100);
    replyAction(
        first,
        a.getTaskId(),
        ActionResult.newBuilder()
            .setExitCode(0)
            .addOutputs(
                OutputFile.newBuilder().setPath("/home/dev/p/hello.o").setDigest(digest(big)))
            .build());
    FakeWorker second = first == w1 ? w2 : w1;
    TaskAssignment retry = nextAssignmentSkippingPings(second);
    replyAction(second, retry.getTaskId(), objectInline(OBJECT));
    CompileResponse r = f.get(10, TimeUnit.SECONDS);
    assertEquals(2, r.getAttempts());
    assertEquals(OBJECT, r.getActionResult().getOutputs(0).getContents().toStringUtf8());
  }

  private static TaskAssignment nextAssignmentSkippingPings(FakeWorker w) throws Exception {
    while (true) {
      var m = w.next();
      if (m.hasAssignment()) {
        return m.getAssignment();
      }
    }
  }

  @Test
  void anInlineOutputThatDoesNotMatchItsDigestIsRefusedAndNotStored() throws Exception {
    upload(SOURCE, HEADER);
    FakeWorker w = coord.connect("w1", 1);
    CompletableFuture<CompileResponse> f = compileAsync(action().build());
    TaskAssignment a = w.nextAssignment();
    replyAction(
        w,
        a.getTaskId(),
        ActionResult.newBuilder()
            .addOutputs(
                OutputFile.newBuilder()
                    .setPath("/home/dev/p/hello.o")
                    .setDigest(digest(OBJECT))
                    .setContents(ByteString.copyFromUtf8("tampered")))
            .build());
    StatusRuntimeException e =
        assertThrows(
                        java.util.concurrent.ExecutionException.class,
                        () -> f.get(10, TimeUnit.SECONDS))
                    .getCause()
                instanceof StatusRuntimeException sre
            ? sre
            : null;
    assertTrue(e != null);
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getMessage());
    assertFalse(coord.server.cas().contains(Digest.of(utf8(OBJECT))));
    assertFalse(coord.server.cas().contains(Digest.of(utf8("tampered"))));
  }

  @Test
  void anActionWhoseInputsAWorkerAlreadyHoldsGoesToThatWorker() throws Exception {
    upload(SOURCE, HEADER, "int other;\n");
    FakeWorker w1 = coord.connect("w1", 4);
    FakeWorker w2 = coord.connect("w2", 4);
    for (int round = 0; round < 5; round++) {
      // A different action (another -D) over the same inputs each round.
      Action a = action().addArgv("-DROUND=" + round).build();
      CompletableFuture<CompileResponse> f = compileAsync(a);
      String got = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (got == null && System.nanoTime() < deadline) {
        for (FakeWorker w : List.of(w1, w2)) {
          var m = w.received.poll(5, TimeUnit.MILLISECONDS);
          if (m != null && m.hasAssignment()) {
            got = w == w1 ? "w1" : "w2";
            replyAction(w, m.getAssignment().getTaskId(), objectInline(OBJECT + round));
          }
        }
      }
      assertEquals(got, f.get(10, TimeUnit.SECONDS).getActionResult().getWorkerId());
      if (round > 0) {
        assertEquals(
            firstWorker, got, "round " + round + " went to the worker that holds the inputs");
      }
      firstWorker = got;
    }
  }

  private String firstWorker;

  @Test
  void boundsAndMalformedActionsAreInvalidArgumentNamingTheProblem() {
    upload(SOURCE, HEADER);
    record Case(Action action, String says) {}
    String huge = "h".repeat(8);
    List<Case> cases =
        List.of(
            new Case(action().clearArgv().build(), "empty argv"),
            new Case(action().setCwd("home/dev/p").build(), "not an absolute path"),
            new Case(
                action().addInputs(input("/home/dev/p/../etc/x.h", HEADER + " ")).build(),
                "not normalised"),
            new Case(action().addOutputPaths("/home/dev/p/./hello.d").build(), "not normalised"),
            new Case(action().addArgv("-DX=\0").build(), "NUL"),
            new Case(
                action()
                    .addInputs(
                        InputFile.newBuilder()
                            .setPath("/home/dev/p/big.h")
                            .setDigest(
                                io.hybridgrid.proto.v1.Digest.newBuilder()
                                    .setHash("c".repeat(64))
                                    .setSizeBytes(INPUT_ROOT_BOUND + 1)))
                    .build(),
                "--max-input-root"),
            new Case(action().addInputs(input("/home/dev/p/hello.c", huge)).build(), "twice"),
            new Case(action().clearCompiler().build(), "no compiler"));
    for (Case c : cases) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> compile(c.action()), c.says());
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
      assertTrue(
          e.getStatus().getDescription().contains(c.says()),
          c.says() + " in " + e.getStatus().getDescription());
    }
    assertNotEquals(0, coord.server.cas().stats().heldBlobs());
  }

  @Test
  void aliasesAndAbbreviationsOfForbiddenOptionsAreRefusedBeforeDispatch() throws Exception {
    upload(SOURCE, HEADER);
    FakeWorker w = coord.connect("w1", 2);
    // --prefix= is -B (load programs from a directory), --spec the specs file, --for-as= is -Wa,
    // (an assembler listing written anywhere): each in a long, abbreviated or alias spelling.
    for (List<String> bad :
        List.of(
            List.of("--prefix=/tmp/evil/"),
            List.of("--pref", "/tmp/evil/"),
            List.of("--specs=/tmp/evil.specs"),
            List.of("-specs=/tmp/evil.specs"),
            List.of("--for-assembler=-adhln=/tmp/listing"),
            List.of("-Wa,-adhln=/tmp/listing"),
            List.of("-fplugin=/tmp/evil.so"))) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> compile(action().addAllArgv(bad).build()),
              bad.toString());
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), bad.toString());
      assertTrue(
          e.getStatus().getDescription().contains("argument refused"),
          e.getStatus().getDescription());
    }
    assertTrue(
        w.received.stream().noneMatch(io.hybridgrid.proto.v1.CoordinatorMessage::hasAssignment),
        "nothing reached the worker");
  }

  @Test
  void aLargeOutputIsAnsweredByDigestAndReadableFromTheStore() throws Exception {
    upload(SOURCE, HEADER);
    FakeWorker w = coord.connect("w1", 1);
    byte[] big = new byte[5 << 20];
    new java.util.SplittableRandom(5).nextBytes(big);
    Digest d = Digest.of(big);
    coord.server.cas().put(d, big, true); // as the worker's WriteBlob would
    CompletableFuture<CompileResponse> f = compileAsync(action().build());
    TaskAssignment a = w.nextAssignment();
    replyAction(
        w,
        a.getTaskId(),
        ActionResult.newBuilder()
            .addOutputs(
                OutputFile.newBuilder()
                    .setPath("/home/dev/p/hello.o")
                    .setDigest(ProtoMapping.toWire(d)))
            .build());
    CompileResponse r = f.get(10, TimeUnit.SECONDS);
    assertTrue(r.getActionResult().getOutputs(0).getContents().isEmpty());
    assertEquals(ProtoMapping.toWire(d), r.getActionResult().getOutputs(0).getDigest());
    CompileResponse hit = compile(action().build());
    assertTrue(hit.getCached());
    assertTrue(hit.getActionResult().getOutputs(0).getContents().isEmpty(), "over 4 MiB");
    assertArrayEquals(big, coord.server.cas().read(d).orElseThrow());
  }

  /** What a client does per action: ask what is missing, upload exactly that, compile. */
  private void uploadMissing(String... texts) {
    var req = io.hybridgrid.proto.v1.FindMissingBlobsRequest.newBuilder();
    for (String t : texts) {
      req.addDigests(digest(t));
    }
    var missing =
        ContentStoreGrpc.newBlockingStub(client)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .findMissingBlobs(req.build())
            .getMissingList();
    List<String> toSend =
        java.util.Arrays.stream(texts).filter(t -> missing.contains(digest(t))).toList();
    if (!toSend.isEmpty()) {
      upload(toSend.toArray(String[]::new));
    }
  }

  @Test
  void afterEditingOneHeaderTheRebuildUploadsThatHeaderAndNothingElse() {
    String common = "#define COMMON 1\n";
    String a = "#include \"common.h\"\nint a;\n";
    String b = "#include \"common.h\"\nint b;\n";
    uploadMissing(a, common);
    uploadMissing(b, common);
    var before = coord.stats();
    assertEquals(3, before.getCasUploadedBlobs());
    assertEquals(a.length() + b.length() + common.length(), before.getCasUploadedBytes());
    assertEquals(3, before.getCasStoredBlobs());
    assertEquals(3, before.getCasHeldBlobs());

    String edited = "#define COMMON 2 /* edited */\n";
    uploadMissing(a, edited);
    uploadMissing(b, edited);
    var after = coord.stats();
    assertEquals(1, after.getCasUploadedBlobs() - before.getCasUploadedBlobs());
    assertEquals(edited.length(), after.getCasUploadedBytes() - before.getCasUploadedBytes());
    assertEquals(4, after.getCasHeldBlobs());
    // Four lookups of two digests each: the first build missed 3 of 4, the rebuild 1 of 4.
    assertEquals(4, after.getCasFindMissingMisses());
    assertEquals(4, after.getCasFindMissingHits());
  }
}
