package io.hybridgrid.coord.grpc;

import static io.hybridgrid.coord.grpc.ActionGrpcTest.action;
import static io.hybridgrid.coord.grpc.ActionGrpcTest.digest;
import static io.hybridgrid.coord.grpc.ActionGrpcTest.input;
import static io.hybridgrid.coord.grpc.ActionGrpcTest.objectInline;
import static io.hybridgrid.coord.grpc.ActionGrpcTest.replyAction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hybridgrid.common.auth.BearerToken;
import io.hybridgrid.common.auth.TokenStore;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.CoordinatorSecurity;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.action.ActionLimits;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.cas.CasSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.hybridgrid.coord.verify.VerifySettings;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.BatchUpdateBlobsRequest;
import io.hybridgrid.proto.v1.BlobData;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Priority;
import io.hybridgrid.proto.v1.TaskAssignment;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verified shared cache over in-process gRPC with tokens: a lying {@code worker} and a lying
 * {@code trusted-worker} (sampling at 1) never get their object served to another client, are
 * quarantined (no tasks, shown in status, events and metrics, also after reconnecting) until an
 * admin lifts it, and what they wrote is purged.
 */
class VerifiedCacheGrpcTest {
  static final String CLIENT = "client-token-0123456789";
  static final String EVIL = "worker-token-evil-0123456789";
  static final String H1 = "worker-token-h1-0123456789";
  static final String H2 = "worker-token-h2-0123456789";
  static final String TRUSTED_EVIL = "trusted-token-evil-0123456789";
  static final String TRUSTED_H = "trusted-token-h-0123456789";
  static final String ADMIN = "admin-token-01234567890";

  static final String SOURCE = "#include \"hello.h\"\nint main(void) { return X; }\n";
  static final String HEADER = "#define X 0\n";
  static final String GOOD = "\u007fELF the right object";
  static final String BAD = "\u007fELF a poisoned object";

  @TempDir Path state;
  private CoordinatorServer server;
  private final String name = InProcessServerBuilder.generateName();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  void start(double sampleRate) throws Exception {
    TokenStore tokens =
        TokenStore.of(
            List.of(
                "client " + CLIENT + " alice",
                "worker " + EVIL + " evil-box",
                "worker " + H1 + " h1-box",
                "worker " + H2 + " h2-box",
                "trusted-worker " + TRUSTED_EVIL + " trusted-evil-box",
                "trusted-worker " + TRUSTED_H + " trusted-h-box",
                "admin " + ADMIN + " root"));
    CoordinatorConfig config =
        new CoordinatorConfig(
                DispatchSettings.defaults(),
                Duration.ofSeconds(3),
                SchedulerKind.P2C,
                state,
                new CacheSettings(true, 1 << 20, state.resolve("cache"), 1 << 20))
            .withCas(
                new CasSettings(1 << 20, state.resolve("cas"), 64L << 20, 32L << 20),
                ActionLimits.defaults(1 << 20))
            .withSecurity(
                new CoordinatorSecurity(
                    tokens,
                    null,
                    CoordinatorSecurity.DEFAULT_REQUEST_BUDGET,
                    new VerifySettings(sampleRate, VerifySettings.DEFAULT_MAX_PENDING)));
    server =
        new CoordinatorServer(
                InProcessServerBuilder.forName(name).directExecutor(),
                new InetSocketAddress("127.0.0.1", 0),
                config,
                Clock.systemUTC())
            .start();
    upload(SOURCE, HEADER, "int other(void) { return 1; }\n");
  }

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (server != null) {
      server.close();
    }
  }

  private Channel channel(String token) {
    ManagedChannel c = InProcessChannelBuilder.forName(name).directExecutor().build();
    channels.add(c);
    return ClientInterceptors.intercept(c, new BearerToken(token));
  }

  private void upload(String... texts) {
    BatchUpdateBlobsRequest.Builder b = BatchUpdateBlobsRequest.newBuilder();
    for (String t : texts) {
      b.addBlobs(BlobData.newBuilder().setDigest(digest(t)).setData(ByteString.copyFromUtf8(t)));
    }
    ContentStoreGrpc.newBlockingStub(channel(CLIENT))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .batchUpdateBlobs(b.build())
        .getStatusesList()
        .forEach(s -> assertEquals(0, s.getCode(), s.getMessage()));
  }

  private CompletableFuture<CompileResponse> compile(Action a) {
    Channel c = channel(CLIENT);
    return CompletableFuture.supplyAsync(
        () ->
            CompileServiceGrpc.newBlockingStub(c)
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .compile(
                    CompileRequest.newBuilder()
                        .setAction(a)
                        .setPriority(Priority.PRIORITY_INTERACTIVE)
                        .setClientId("test")
                        .build()));
  }

  private FakeWorker connect(String id, String token) throws Exception {
    FakeWorker w = new FakeWorker(channel(token));
    w.send(GrpcCoordinator.register(id, 2));
    CoordinatorMessage ack = w.next();
    assertEquals(CoordinatorMessage.KindCase.REGISTERED, ack.getKindCase(), ack::toString);
    GrpcCoordinator.await(() -> worker(id) != null, "worker " + id + " registered");
    return w;
  }

  private CoordinatorStatus.WorkerView worker(String id) {
    return server.status().workers().stream()
        .filter(w -> w.id().equals(id))
        .findFirst()
        .orElse(null);
  }

  /** The worker among {@code ws} that gets the next assignment, and the assignment. */
  private record Assigned(FakeWorker worker, TaskAssignment assignment) {}

  private static Assigned nextOf(FakeWorker... ws) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (FakeWorker w : ws) {
        CoordinatorMessage m = w.received.poll();
        if (m != null && m.getKindCase() == CoordinatorMessage.KindCase.ASSIGNMENT) {
          return new Assigned(w, m.getAssignment());
        }
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    throw new AssertionError("no assignment within 10 s");
  }

  private static String object(CompileResponse r) {
    return r.getActionResult().getOutputs(0).getContents().toStringUtf8();
  }

  private HttpResponse<String> post(String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private double metric(String line) {
    for (String l : server.scrapeMetrics().split("\n")) {
      if (l.startsWith(line + " ")) {
        return Double.parseDouble(l.substring(line.length() + 1));
      }
    }
    throw new AssertionError("no metric " + line);
  }

  @Test
  void aLyingWorkerNeverReachesAnotherClientIsQuarantinedAndStaysSoUntilAnAdminLiftsIt()
      throws Exception {
    start(0);
    FakeWorker evil = connect("evil", EVIL);
    CompletableFuture<CompileResponse> first = compile(action().build());
    TaskAssignment a = evil.nextAssignment();
    FakeWorker h1 = connect("h1", H1);
    FakeWorker h2 = connect("h2", H2);
    replyAction(evil, a.getTaskId(), objectInline(BAD));
    assertEquals(BAD, object(first.get(10, TimeUnit.SECONDS)), "the asker gets its own result");

    Assigned verify = nextOf(h1, h2, evil);
    assertTrue(verify.worker() != evil, "never verified on the producer");
    assertEquals(0, server.status().actionCacheStats().stores(), "nothing shared unverified");
    replyAction(verify.worker(), verify.assignment().getTaskId(), objectInline(GOOD));
    Assigned third = nextOf(h1, h2, evil);
    assertTrue(third.worker() != evil && third.worker() != verify.worker(), "a third worker");
    assertFalse(server.dispatcher().isQuarantined("evil"), "one untrusted word is not enough");
    replyAction(third.worker(), third.assignment().getTaskId(), objectInline(GOOD));
    GrpcCoordinator.await(() -> server.dispatcher().isQuarantined("evil"), "evil quarantined");
    // The verifier quarantines first and shares the reproduced result after: wait for both.
    GrpcCoordinator.await(
        () -> server.status().actionCacheStats().stores() >= 1, "the right result shared");

    CompileResponse second = compile(action().build()).get(10, TimeUnit.SECONDS);
    assertTrue(second.getCached());
    assertEquals(GOOD, object(second), "another client gets the reproduced object");

    // Shown everywhere, counted, and no more tasks for it.
    assertEquals("quarantined", worker("evil").state());
    assertEquals("active", worker("h1").state());
    assertTrue(get("/api/v1/workers").contains("\"state\":\"quarantined\""));
    assertTrue(get("/api/v1/quarantine").contains("\"worker\":\"evil\""));
    assertTrue(get("/api/v1/events").contains("\"type\":\"quarantine\""));
    assertEquals(1, metric("hybridgrid_quarantines_total"));
    assertEquals(1, metric("hybridgrid_verifications_total{outcome=\"mismatch\"}"));
    Action other =
        action()
            .clearInputs()
            .addInputs(input("/home/dev/p/hello.c", "int other(void) { return 1; }\n"))
            .build();
    CompletableFuture<CompileResponse> f = compile(other);
    Assigned next = nextOf(h1, h2, evil);
    assertTrue(next.worker() != evil, "a quarantined worker gets no tasks");
    replyAction(next.worker(), next.assignment().getTaskId(), objectInline(GOOD));
    f.get(10, TimeUnit.SECONDS);
    Assigned rerun = nextOf(h1, h2, evil);
    assertTrue(rerun.worker() != evil, "nor verification re-runs");

    // Reconnecting under the same identity does not lift it.
    evil.up.onCompleted();
    GrpcCoordinator.await(() -> worker("evil") == null, "evil gone");
    FakeWorker again = connect("evil", EVIL);
    assertEquals("quarantined", worker("evil").state());

    // Only an admin lifts it.
    assertEquals(403, post("/api/v1/admin/release?worker=evil", CLIENT).statusCode());
    assertEquals("quarantined", worker("evil").state());
    HttpResponse<String> lifted = post("/api/v1/admin/release?worker=evil", ADMIN);
    assertEquals(200, lifted.statusCode(), lifted.body());
    assertEquals("active", worker("evil").state());
    assertTrue(get("/api/v1/events").contains("\"type\":\"release\""));
    again.up.onCompleted();
  }

  @Test
  void aLyingVerifierIsQuarantinedAndTheHonestProducerIsNot() throws Exception {
    start(0);
    FakeWorker h1 = connect("h1", H1);
    CompletableFuture<CompileResponse> first = compile(action().build());
    TaskAssignment a = h1.nextAssignment();
    FakeWorker evil = connect("evil", EVIL);
    replyAction(h1, a.getTaskId(), objectInline(GOOD));
    first.get(10, TimeUnit.SECONDS);
    TaskAssignment verify = evil.nextAssignment(); // the only other worker
    FakeWorker h2 = connect("h2", H2);
    replyAction(evil, verify.getTaskId(), objectInline(BAD));
    replyAction(h2, h2.nextAssignment().getTaskId(), objectInline(GOOD));
    GrpcCoordinator.await(() -> server.dispatcher().isQuarantined("evil"), "evil quarantined");
    // The verifier quarantines first and shares the reproduced result after: wait for both.
    GrpcCoordinator.await(
        () -> server.status().actionCacheStats().stores() >= 1, "the right result shared");
    assertFalse(server.dispatcher().isQuarantined("h1"));
    CompileResponse second = compile(action().build()).get(10, TimeUnit.SECONDS);
    assertTrue(second.getCached());
    assertEquals(GOOD, object(second));
  }

  @Test
  void aLyingTrustedWorkerWithSamplingAtOneIsCaughtTheSameWay() throws Exception {
    start(1.0);
    FakeWorker evil = connect("trusted-evil", TRUSTED_EVIL);
    CompletableFuture<CompileResponse> first = compile(action().build());
    TaskAssignment a = evil.nextAssignment();
    FakeWorker honest = connect("trusted-h", TRUSTED_H);
    replyAction(evil, a.getTaskId(), objectInline(BAD));
    assertEquals(BAD, object(first.get(10, TimeUnit.SECONDS)));
    TaskAssignment verify = honest.nextAssignment();
    assertEquals(0, server.status().actionCacheStats().stores(), "sampled: not shared yet");
    replyAction(honest, verify.getTaskId(), objectInline(GOOD));
    GrpcCoordinator.await(
        () -> server.dispatcher().isQuarantined("trusted-evil"), "trusted-evil quarantined");
    GrpcCoordinator.await(
        () -> server.status().actionCacheStats().stores() >= 1, "the right result shared");
    CompileResponse second = compile(action().build()).get(10, TimeUnit.SECONDS);
    assertTrue(second.getCached(), "a trusted verifier decides alone");
    assertEquals(GOOD, object(second));
    assertEquals("quarantined", worker("trusted-evil").state());
  }

  @Test
  void anAdminQuarantineStopsTasksAndPurgesWhatTheWorkerWrote() throws Exception {
    start(0);
    FakeWorker t = connect("trusted-h", TRUSTED_H);
    CompletableFuture<CompileResponse> first = compile(action().build());
    replyAction(t, t.nextAssignment().getTaskId(), objectInline(GOOD));
    first.get(10, TimeUnit.SECONDS);
    assertTrue(compile(action().build()).get(10, TimeUnit.SECONDS).getCached());

    assertEquals(403, post("/api/v1/admin/quarantine?worker=trusted-h", CLIENT).statusCode());
    HttpResponse<String> q = post("/api/v1/admin/quarantine?worker=trusted-h", ADMIN);
    assertEquals(200, q.statusCode(), q.body());
    assertTrue(q.body().contains("\"purged\":1"), q.body());
    assertEquals("quarantined", worker("trusted-h").state());
    // The entry is gone, and with the only worker quarantined the client is told to go local.
    Throwable failed = assertThrowsCause(compile(action().build()));
    assertNotNull(failed);
    assertNull(t.received.poll(20, TimeUnit.MILLISECONDS), "no task for a quarantined worker");
  }

  private static Throwable assertThrowsCause(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the compile should have failed (no worker may run it)");
  }
}
