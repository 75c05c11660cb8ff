package io.hybridgrid.worker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.grpc.WireCompression;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Heartbeat;
import io.hybridgrid.proto.v1.Ping;
import io.hybridgrid.proto.v1.Pong;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.RegisterAck;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The worker's session against a scripted coordinator on 127.0.0.1. */
class WorkerSessionTest {
  private final CompletableFuture<Register> registered = new CompletableFuture<>();
  private final CompletableFuture<Heartbeat> heartbeat = new CompletableFuture<>();
  private final CompletableFuture<Pong> pong = new CompletableFuture<>();
  private Server server;
  private WorkerSession session;

  /** Acknowledges the register with a 20 ms interval and answers the first heartbeat's ping. */
  private final class ScriptedCoordinator extends WorkerServiceGrpc.WorkerServiceImplBase {
    @Override
    public StreamObserver<WorkerMessage> session(StreamObserver<CoordinatorMessage> out) {
      return new StreamObserver<>() {
        @Override
        public synchronized void onNext(WorkerMessage m) {
          switch (m.getKindCase()) {
            case REGISTER -> {
              registered.complete(m.getRegister());
              out.onNext(
                  CoordinatorMessage.newBuilder()
                      .setRegistered(
                          RegisterAck.newBuilder()
                              .setWorkerId(m.getRegister().getWorkerId())
                              .setHeartbeatIntervalMs(20))
                      .build());
            }
            case HEARTBEAT -> {
              if (heartbeat.complete(m.getHeartbeat())) {
                out.onNext(
                    CoordinatorMessage.newBuilder()
                        .setPing(Ping.newBuilder().setNonce(7).setSentAtUnixMicros(123_456_789))
                        .build());
              }
            }
            case PONG -> pong.complete(m.getPong());
            default -> {}
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (session != null) {
      session.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Worker "w1" with 3 cores, 1 GiB and 123456789 bytes free, to the coordinator at PORT. */
  private static WorkerSession sessionTo(int port, WireCompression compression) {
    return new WorkerSession(
        new WorkerSettings(
            HostPort.parse("127.0.0.1:" + port),
            "w1",
            "host1",
            3,
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            compression),
        Set.of(),
        Capabilities.newBuilder().setCores(3).setMemoryBytes(1L << 30).build(),
        "test",
        new Random(1),
        () -> 123_456_789L);
  }

  @Test
  void heartbeatsCarryFreeMemoryAndPingsAreEchoed() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new ScriptedCoordinator())
            .build()
            .start();
    session = sessionTo(server.getPort(), WireCompression.NONE);
    session.start();

    Register r = registered.get(10, TimeUnit.SECONDS);
    assertEquals(3, r.getCapabilities().getCores());
    assertEquals(3, r.getCapabilities().getMaxParallel());
    assertEquals(1L << 30, r.getCapabilities().getMemoryBytes());
    Heartbeat h = heartbeat.get(10, TimeUnit.SECONDS);
    assertEquals(123_456_789L, h.getFreeMemoryBytes());
    assertEquals(0, h.getActiveTasks());
    Pong p = pong.get(10, TimeUnit.SECONDS);
    assertEquals(7, p.getNonce());
    assertEquals(123_456_789, p.getPingSentAtUnixMicros());
  }

  @ParameterizedTest
  @EnumSource(WireCompression.class)
  void theSessionIsCompressedOnlyAsConfigured(WireCompression compression) throws Exception {
    CompletableFuture<String> encoding = new CompletableFuture<>();
    ServerInterceptor recordEncoding =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String e =
                headers.get(Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER));
            encoding.complete(e == null ? "identity" : e);
            return next.startCall(call, headers);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(new ScriptedCoordinator(), recordEncoding))
            .build()
            .start();
    session = sessionTo(server.getPort(), compression);
    session.start();

    assertEquals("w1", registered.get(10, TimeUnit.SECONDS).getWorkerId());
    // Uncompressed messages are sent as "identity", or with no encoding named.
    assertEquals(
        compression == WireCompression.GZIP ? "gzip" : "identity",
        encoding.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aDiscoveredCoordinatorThatMovedIsFoundAgain() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new ScriptedCoordinator())
            .build()
            .start();
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort(); // nothing listens there once this closes
    }
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    session =
        new WorkerSession(
            new WorkerSettings(
                HostPort.parse("127.0.0.1:" + closedPort),
                "w2",
                "host2",
                1,
                Duration.ofSeconds(2),
                Duration.ofMillis(50),
                Duration.ofSeconds(1),
                WireCompression.NONE),
            Set.of(),
            Capabilities.newBuilder().setCores(1).build(),
            "test",
            new Random(1),
            () -> 0L,
            () -> {
              asked.incrementAndGet();
              return java.util.Optional.of(HostPort.parse("127.0.0.1:" + server.getPort()));
            });
    session.start();

    assertEquals("w2", registered.get(30, TimeUnit.SECONDS).getWorkerId());
    assertEquals(
        1, asked.get(), "asked once, after " + WorkerSession.REDISCOVER_AFTER + " failures");
  }

  /** The session's log lines, captured (logback is the worker's logging backend). */
  private static ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>
      captureLog() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(WorkerSession.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> list =
        new ch.qos.logback.core.read.ListAppender<>();
    list.start();
    logger.addAppender(list);
    return list;
  }

  private WorkerSession session(int port, String id) {
    return new WorkerSession(
        new WorkerSettings(
            HostPort.parse("127.0.0.1:" + port),
            id,
            "host",
            1,
            Duration.ofSeconds(2),
            Duration.ofMillis(40),
            Duration.ofSeconds(1),
            WireCompression.NONE),
        Set.of(),
        Capabilities.newBuilder().setCores(1).build(),
        "test",
        new Random(1),
        () -> 0L);
  }

  @Test
  void startUpLogsSayConnectingConnectedAndRetryingThenWarn() throws Exception {
    var log = captureLog();
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    session = session(closedPort, "w3");
    session.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (log.list.stream().noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
        && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling with a deadline
    }
    session.close();
    session = null;
    java.util.List<String> lines =
        log.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    assertEquals("INFO connecting to coordinator 127.0.0.1:" + closedPort, lines.get(0));
    java.util.List<String> retries =
        lines.stream().filter(l -> l.contains("not reachable")).toList();
    assertTrue(retries.size() >= WorkerSession.WARN_AFTER_FAILURES, lines.toString());
    assertTrue(
        retries
            .get(0)
            .matches(
                "INFO coordinator 127\\.0\\.0\\.1:"
                    + closedPort
                    + " not reachable \\(.*\\); retrying in [0-9]+ ms, at"
                    + " [0-9]{2}:[0-9]{2}:[0-9]{2} \\(attempt 1 failed\\)"),
        retries.get(0));
    for (int i = 0; i < WorkerSession.WARN_AFTER_FAILURES - 1; i++) {
      assertTrue(retries.get(i).startsWith("INFO "), retries.get(i));
    }
    String warn = retries.get(WorkerSession.WARN_AFTER_FAILURES - 1);
    assertTrue(warn.startsWith("WARN "), warn);
    assertTrue(warn.endsWith("is hg-coord running there, and is that its gRPC port?"), warn);
    assertEquals(
        1, lines.stream().filter(l -> l.contains("connecting to")).count(), "said once: " + lines);

    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new ScriptedCoordinator())
            .build()
            .start();
    session = session(server.getPort(), "w4");
    session.start();
    registered.get(30, TimeUnit.SECONDS);
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (log.list.stream().noneMatch(e -> e.getFormattedMessage().startsWith("connected"))
        && System.nanoTime() < deadline) {
      Thread.sleep(20); // polling with a deadline
    }
    assertTrue(
        log.list.stream()
            .anyMatch(
                e ->
                    e.getFormattedMessage()
                        .equals(
                            "connected: registered with coordinator 127.0.0.1:"
                                + server.getPort()
                                + " as w4 (0 compilers, 1 slots)")),
        log.list.toString());
  }
}
