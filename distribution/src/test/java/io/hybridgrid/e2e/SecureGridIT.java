package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grid locked down, with the real dist/ processes: certificates from {@code hg-coord certs}, a
 * coordinator requiring tokens and mTLS, workers with worker tokens and client certificates, and a
 * Lua build through the launcher and daemon with a client token: every object remote and
 * byte-identical to a local build. Also: a plain-text client is told the coordinator speaks TLS,
 * and {@code hg-coord serve --bind 0.0.0.0} without tokens refuses to start.
 */
class SecureGridIT {
  static final Path DIST = TwoWorkerGridTest.DIST;
  static final String CLIENT_TOKEN = "client-e2e-0123456789abcdef";
  static final String WORKER_TOKEN = "worker-e2e-0123456789abcdef";

  @TempDir static Path secrets;
  static LoopbackGrid grid;
  PrivateDaemon daemon;

  @BeforeAll
  static void startSecureGrid() throws Exception {
    Path certs = secrets.resolve("certs");
    Shell.Result made =
        Shell.run(
            secrets,
            DIST.resolve("bin/hg-coord")
                + " certs --out "
                + certs
                + " --ip 127.0.0.1 --host localhost --client client --client worker 2>&1");
    assertEquals(0, made.exitCode(), made.output());
    Path tokens =
        secret(
            "tokens", "client " + CLIENT_TOKEN + " alice\nworker " + WORKER_TOKEN + " builder\n");
    Path workerToken = secret("worker-token", WORKER_TOKEN + "\n");
    grid =
        new LoopbackGrid(
            DIST,
            2,
            List.of(
                "--tokens",
                tokens.toString(),
                "--tls-cert",
                certs.resolve("server.pem").toString(),
                "--tls-key",
                certs.resolve("server-key.pem").toString(),
                "--tls-ca",
                certs.resolve("ca.pem").toString(),
                "--tls-require-client-cert"),
            List.of(
                "--token-file",
                workerToken.toString(),
                "--tls-ca",
                certs.resolve("ca.pem").toString(),
                "--tls-cert",
                certs.resolve("worker.pem").toString(),
                "--tls-key",
                certs.resolve("worker-key.pem").toString()));
  }

  private static Path secret(String name, String text) throws IOException {
    Path f = secrets.resolve(name);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @AfterAll
  static void stopGrid() throws Exception {
    if (grid != null) {
      grid.close();
      grid = null;
    }
  }

  @BeforeEach
  void privateDaemon() throws IOException {
    daemon = new PrivateDaemon(DIST);
  }

  @AfterEach
  void stopDaemon() throws Exception {
    daemon.close();
  }

  private static Map<String, String> clientTls() {
    Path certs = secrets.resolve("certs");
    return Map.of(
        "HG_TLS_CA", certs.resolve("ca.pem").toString(),
        "HG_TLS_CERT", certs.resolve("client.pem").toString(),
        "HG_TLS_KEY", certs.resolve("client-key.pem").toString());
  }

  @Test
  void luaBuildsOverMutualTlsWithTokensAndIdenticalObjects(@TempDir Path tmp) throws Exception {
    Optional<Path> src =
        Workloads.unpack(TwoWorkerGridTest.ROOT, "lua-5.4.4.tar.gz", "lua5.4", tmp);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    Path lua = src.get();
    Shell.Result plain = Shell.run(lua, "make -C src posix 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    Map<String, byte[]> reference = objects(lua.resolve("src"));
    assertEquals(34, reference.size());
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());

    Map<String, String> env = new java.util.HashMap<>(clientTls());
    env.put("HG_COORDINATOR", grid.coordinator());
    env.put("HG_NO_FALLBACK", "1");
    env.put("HG_VERBOSE", "1");
    env.put("HG_TOKEN", CLIENT_TOKEN);
    env.put("HG_CACHE_DIR", tmp.resolve("cache").toString());
    Shell.Result r =
        Shell.run(
            lua,
            daemon.env(env),
            "make -C src posix -j2 CC='" + grid.hgbuild() + " gcc -std=gnu99' 2>&1",
            900);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(34, r.output().split("\\[remote worker-", -1).length - 1, r.output());
    Map<String, byte[]> remote = objects(lua.resolve("src"));
    assertEquals(reference.keySet(), remote.keySet());
    for (var e : reference.entrySet()) {
      assertTrue(Arrays.equals(e.getValue(), remote.get(e.getKey())), e.getKey() + " differs");
    }
  }

  @Test
  void withoutTheClientTokenTheGridRefusesAndSaysSo(@TempDir Path tmp) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(clientTls());
    env.put("HG_COORDINATOR", grid.coordinator());
    env.put("HG_NO_MDNS", "1");
    Shell.Result status =
        Shell.run(tmp, env, DIST.resolve("bin/hgbuild-jvm") + " status 2>&1", 120);
    assertNotEquals(0, status.exitCode(), status.output());
    assertTrue(status.output().contains("UNAUTHENTICATED"), status.output());
    env.put("HG_TOKEN", WORKER_TOKEN);
    Shell.Result asWorker =
        Shell.run(tmp, env, DIST.resolve("bin/hgbuild-jvm") + " status 2>&1", 120);
    assertTrue(asWorker.output().contains("PERMISSION_DENIED"), asWorker.output());
  }

  @Test
  void aPlainTextClientIsToldTheCoordinatorSpeaksTls(@TempDir Path tmp) throws Exception {
    Shell.Result r =
        Shell.run(
            tmp,
            Map.of(
                "HG_COORDINATOR", grid.coordinator(), "HG_NO_MDNS", "1", "HG_TOKEN", CLIENT_TOKEN),
            DIST.resolve("bin/hgbuild-jvm") + " status 2>&1",
            120);
    assertNotEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("the coordinator speaks TLS"), r.output());
    assertTrue(r.output().contains("--tls-ca"), r.output());
  }

  @Test
  void bindingBeyondLoopbackWithoutTokensRefusesToStart(@TempDir Path tmp) throws Exception {
    Shell.Result r =
        Shell.run(
            tmp,
            DIST.resolve("bin/hg-coord")
                + " serve --no-mdns --bind 0.0.0.0 --grpc-port "
                + LoopbackGrid.freePort()
                + " --http-port "
                + LoopbackGrid.freePort()
                + " --state-dir "
                + tmp
                + " 2>&1");
    assertEquals(2, r.exitCode(), r.output());
    assertTrue(r.output().contains("without tokens"), r.output());
    assertTrue(r.output().contains("--tokens FILE"), r.output());
  }

  private static Map<String, byte[]> objects(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".o")).toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
