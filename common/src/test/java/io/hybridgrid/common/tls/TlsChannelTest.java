package io.hybridgrid.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.ClientSecurity;
import io.hybridgrid.common.grpc.HostPort;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mTLS over real Netty sockets on loopback, with certificates from {@link LanCertificates}.
 */
class TlsChannelTest {
  @TempDir static Path certs;

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    new LanCertificates(Clock.systemUTC(), new SecureRandom())
        .generate(
            certs.resolve("lan"),
            List.of("localhost"),
            List.of("127.0.0.1"),
            List.of("alice"),
            Duration.ofDays(1));
  }

  @AfterEach
  void close() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Path f(String name) {
    return certs.resolve("lan").resolve(name);
  }

  private int server(TlsSettings tls) throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(health.getHealthService());
    if (tls != null) {
      b.sslContext(tls.serverContext());
    }
    Server s = b.build().start();
    servers.add(s);
    return s.getPort();
  }

  private ServingStatus check(int port, ClientSecurity security) {
    ManagedChannel ch = Channels.forAddress(new HostPort("127.0.0.1", port), security);
    channels.add(ch);
    return HealthGrpc.newBlockingStub(ch)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
  }

  @Test
  void keysArePrivateAndCertificatesPublic() throws Exception {
    for (String k : List.of("ca-key.pem", "server-key.pem", "alice-key.pem")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f(k))));
    }
    assertTrue(Files.readString(f("server.pem")).contains("BEGIN CERTIFICATE"));
    assertTrue(Files.readString(f("server-key.pem")).contains("BEGIN PRIVATE KEY"));
  }

  @Test
  void tlsClientTalksToTlsCoordinator() throws Exception {
    int port = server(new TlsSettings(f("server.pem"), f("server-key.pem"), null, false));
    assertEquals(
        ServingStatus.SERVING,
        check(port, new ClientSecurity(null, new TlsSettings(null, null, f("ca.pem"), false))));
  }

  @Test
  void plainTextClientAgainstTlsCoordinatorGetsAClearMessage() throws Exception {
    int port = server(new TlsSettings(f("server.pem"), f("server-key.pem"), null, false));
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> check(port, ClientSecurity.NONE));
    String message = Channels.explain(e, false);
    assertTrue(message.contains("the coordinator speaks TLS"), message);
    assertTrue(message.contains("--tls-ca"), message);
  }

  @Test
  void mtlsWithoutClientCertificateIsRefused() throws Exception {
    int port = server(new TlsSettings(f("server.pem"), f("server-key.pem"), f("ca.pem"), true));
    TlsSettings noCert = new TlsSettings(null, null, f("ca.pem"), false);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> check(port, new ClientSecurity(null, noCert)));
    assertEquals(io.grpc.Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    TlsSettings withCert = new TlsSettings(f("alice.pem"), f("alice-key.pem"), f("ca.pem"), false);
    assertEquals(ServingStatus.SERVING, check(port, new ClientSecurity(null, withCert)));
  }

  @Test
  void aCoordinatorWithAnotherCaIsNotTrusted() throws Exception {
    new LanCertificates(Clock.systemUTC(), new SecureRandom())
        .generate(certs.resolve("other"), List.of(), List.of(), List.of(), Duration.ofDays(1));
    int port = server(new TlsSettings(f("server.pem"), f("server-key.pem"), null, false));
    TlsSettings otherCa = new TlsSettings(null, null, certs.resolve("other/ca.pem"), false);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> check(port, new ClientSecurity(null, otherCa)));
    String message = Channels.explain(e, true);
    assertTrue(message.contains("not signed by the CA"), message);
  }

  @Test
  void refusesToOverwriteAndRequiresCaForClientCertificates() {
    assertThrows(
        java.nio.file.FileAlreadyExistsException.class,
        () ->
            new LanCertificates(Clock.systemUTC(), new SecureRandom())
                .generate(
                    certs.resolve("lan"), List.of(), List.of(), List.of(), Duration.ofDays(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TlsSettings(f("server.pem"), f("server-key.pem"), null, true));
  }
}
