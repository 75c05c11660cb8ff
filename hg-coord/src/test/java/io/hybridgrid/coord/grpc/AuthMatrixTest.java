package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.auth.BearerToken;
import io.hybridgrid.common.auth.TokenStore;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.CoordinatorSecurity;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every role against every kind of call: without a token, with a wrong one and with the wrong role
 * a call is refused (UNAUTHENTICATED or PERMISSION_DENIED); HTTP writes likewise (401/403).
 */
class AuthMatrixTest {
  static final String CLIENT = "client-token-0123456789";
  static final String WORKER = "worker-token-0123456789";
  static final String ADMIN = "admin-token-01234567890";

  private CoordinatorServer server;
  private final String name = InProcessServerBuilder.generateName();
  private final List<io.grpc.ManagedChannel> channels = new java.util.ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    TokenStore tokens =
        TokenStore.of(
            List.of(
                "client " + CLIENT + " alice",
                "worker " + WORKER + " builder-1",
                "admin " + ADMIN + " root"));
    CoordinatorConfig config =
        CoordinatorConfig.inMemory(DispatchSettings.defaults(), Duration.ofSeconds(2))
            .withSecurity(
                new CoordinatorSecurity(tokens, null, CoordinatorSecurity.DEFAULT_REQUEST_BUDGET));
    server =
        new CoordinatorServer(
                InProcessServerBuilder.forName(name).directExecutor(),
                new InetSocketAddress("127.0.0.1", 0),
                config,
                Clock.systemUTC())
            .start();
  }

  @AfterEach
  void stop() {
    channels.forEach(io.grpc.ManagedChannel::shutdownNow);
    server.close();
  }

  private Channel channel(String token) {
    io.grpc.ManagedChannel c =
        io.grpc.inprocess.InProcessChannelBuilder.forName(name).directExecutor().build();
    channels.add(c);
    return token == null ? c : ClientInterceptors.intercept(c, new BearerToken(token));
  }

  private Status.Code compile(String token) {
    try {
      CompileServiceGrpc.newBlockingStub(channel(token))
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .compile(
              GrpcCoordinator.request(
                  GrpcCoordinator.action("int x;").toBuilder().setCwd("relative").build()));
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private Status.Code stats(String token) {
    try {
      StatusServiceGrpc.newBlockingStub(channel(token))
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .getStats(GetStatsRequest.getDefaultInstance());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** Opens a worker session and returns how it ended or what came first. */
  private String register(String token) throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    StreamObserver<WorkerMessage> up =
        WorkerServiceGrpc.newStub(channel(token))
            .session(
                new StreamObserver<>() {
                  @Override
                  public void onNext(CoordinatorMessage m) {
                    first.complete(m.getKindCase().name());
                  }

                  @Override
                  public void onError(Throwable t) {
                    first.complete(Status.fromThrowable(t).getCode().name());
                  }

                  @Override
                  public void onCompleted() {
                    first.complete("COMPLETED");
                  }
                });
    up.onNext(
        WorkerMessage.newBuilder()
            .setRegister(
                Register.newBuilder()
                    .setWorkerId("w-" + token)
                    .setCapabilities(
                        Capabilities.newBuilder()
                            .setCores(1)
                            .setMaxParallel(1)
                            .addCompilers(GrpcCoordinator.GCC)))
            .build());
    String result = first.get(5, TimeUnit.SECONDS);
    up.onCompleted();
    return result;
  }

  @Test
  void compileNeedsAClientToken() {
    assertEquals(Status.Code.UNAUTHENTICATED, compile(null));
    assertEquals(Status.Code.UNAUTHENTICATED, compile("wrong-token-0123456789"));
    assertEquals(Status.Code.PERMISSION_DENIED, compile(WORKER));
    // Past authentication: the (deliberately invalid) task itself is judged.
    assertEquals(Status.Code.INVALID_ARGUMENT, compile(CLIENT));
    assertEquals(Status.Code.INVALID_ARGUMENT, compile(ADMIN));
  }

  @Test
  void statusNeedsAClientToken() {
    assertEquals(Status.Code.UNAUTHENTICATED, stats(null));
    assertEquals(Status.Code.UNAUTHENTICATED, stats("wrong-token-0123456789"));
    assertEquals(Status.Code.PERMISSION_DENIED, stats(WORKER));
    assertEquals(Status.Code.OK, stats(CLIENT));
  }

  @Test
  void onlyWorkerTokensRegisterWorkers() throws Exception {
    assertEquals("UNAUTHENTICATED", register(null));
    assertEquals("UNAUTHENTICATED", register("wrong-token-0123456789"));
    assertEquals("PERMISSION_DENIED", register(CLIENT));
    assertEquals("REGISTERED", register(WORKER));
  }

  @Test
  void healthIsPublic() {
    assertNotNull(
        HealthGrpc.newBlockingStub(channel(null))
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()));
  }

  @Test
  void httpWritesNeedAnAdminToken() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/stats");
    assertEquals(
        200,
        http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString())
            .statusCode());
    assertEquals(401, post(http, uri, null));
    assertEquals(401, post(http, uri, "wrong-token-0123456789"));
    assertEquals(403, post(http, uri, WORKER));
    assertEquals(403, post(http, uri, CLIENT));
    // An admin passes the check and reaches the route (which has no POST: 405).
    assertEquals(405, post(http, uri, ADMIN));
  }

  @Test
  void drainingAWorkerNeedsTheAdminRole() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/workers/w9/drain");
    assertEquals(401, post(http, uri, null));
    assertEquals(403, post(http, uri, CLIENT));
    assertEquals(403, post(http, uri, WORKER));
    // The admin reaches the route: no worker w9 is connected.
    assertEquals(404, post(http, uri, ADMIN));
  }

  private static int post(HttpClient http, URI uri, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void remoteReadsNeedATokenAndLoopbackReadsDoNot() {
    var access =
        new io.hybridgrid.coord.http.HttpAccess(TokenStore.of(List.of("client " + CLIENT)));
    var lan = new InetSocketAddress("192.168.1.20", 40000);
    var loopback = new InetSocketAddress("127.0.0.1", 40000);
    assertTrue(access.check("GET", loopback, null).isEmpty());
    assertEquals(401, access.check("GET", lan, null).orElseThrow().status());
    assertTrue(access.check("GET", lan, "Bearer " + CLIENT).isEmpty());
    assertEquals(403, access.check("POST", lan, "Bearer " + CLIENT).orElseThrow().status());
    var open = io.hybridgrid.coord.http.HttpAccess.open();
    assertTrue(open.check("GET", lan, null).isEmpty());
    assertEquals(403, open.check("POST", lan, null).orElseThrow().status());
    assertTrue(open.check("POST", loopback, null).isEmpty());
    assertThrows(
        java.util.NoSuchElementException.class, () -> open.check("GET", lan, null).orElseThrow());
  }
}
