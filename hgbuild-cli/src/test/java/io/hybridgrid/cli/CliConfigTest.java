package io.hybridgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.config.ConfigKey;
import io.hybridgrid.common.config.ConfigKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hgbuild config show|set}, unknown commands, and bad settings that must never fail a
 * compile (each compiles, locally here, with a warning naming the key).
 */
class CliConfigTest {
  @TempDir Path tmp;

  private record Result(int exit, String out, String err) {}

  private Map<String, String> env(String... more) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", tmp.resolve("home").toString());
    env.put("PATH", System.getenv("PATH"));
    env.put("HG_NO_MDNS", "1");
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  private Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl =
        new CommandLine(new Main(env, tmp, tmp.resolve("etc/config.toml")))
            .setStopAtPositional(true);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void configShowListsEveryKeyWithItsSource() throws Exception {
    Files.createDirectories(tmp.resolve("etc"));
    Files.writeString(tmp.resolve("etc/config.toml"), "[coord]\nhttp_port = 8090\n");
    assertEquals(0, run(env(), "config", "set", "cache_size", "2G").exit());
    Result r = run(env("HG_TIMEOUT", "30"), "-v", "config", "show");
    assertEquals(0, r.exit(), r.err());
    for (ConfigKey key : ConfigKeys.all()) {
      assertTrue(r.out().contains("\n" + key.name() + " "), key.name() + " missing:\n" + r.out());
    }
    assertTrue(r.out().matches("(?s).*\nverbose +true +flag\n.*"), r.out());
    assertTrue(r.out().matches("(?s).*\ntimeout +30 +environment \\(HG_TIMEOUT\\)\n.*"), r.out());
    assertTrue(
        r.out().matches("(?s).*\ncache_size +2G +user file \\(" + tmp + "/home/.config/.*"),
        r.out());
    assertTrue(
        r.out().matches("(?s).*\ncoord.http_port +8090 +system file \\(" + tmp + "/etc/.*"),
        r.out());
    assertTrue(r.out().matches("(?s).*\npriority +interactive +default\n.*"), r.out());
  }

  @Test
  void configSetNamesTheKeyOfABadValue() {
    Result r = run(env(), "config", "set", "timeout", "soon");
    assertEquals(2, r.exit());
    assertEquals(
        "hgbuild: error: invalid value 'soon' for timeout: must be a whole number of seconds, at"
            + " least 1\n",
        r.err());
  }

  @Test
  void aTypoOfASubcommandIsNotRunAsACompiler() {
    Result r = run(env(), "statsu");
    assertEquals(2, r.exit());
    assertEquals(
        "hgbuild: unknown command 'statsu': not a subcommand, nor a compiler on PATH; did you"
            + " mean 'hgbuild status' or 'hgbuild stats'? (hgbuild --help lists them)\n",
        r.err());
  }

  @Test
  void aProgramThatIsNoCompilerIsNotRunAsOne() {
    Result r = run(env(), "echo", "hi");
    assertEquals(2, r.exit());
    assertTrue(
        r.err().startsWith("hgbuild: 'echo' is not a C/C++ compiler (hgbuild runs gcc,"), r.err());
    assertTrue(r.err().contains("use 'hgbuild make|ninja|wrap <command>'"), r.err());
  }

  /** Compiles x.c with {@code env} (no coordinator listens: it falls back to a local compile). */
  private Result compile(Map<String, String> env) throws Exception {
    Files.writeString(tmp.resolve("x.c"), "int x(void) { return 1; }\n");
    env.put("HG_COORDINATOR", "127.0.0.1:1");
    env.put("HG_CACHE_DIR", tmp.resolve("cache").toString());
    Result r = run(env, "gcc", "-c", "x.c", "-o", "x.o");
    assertEquals(0, r.exit(), r.err());
    assertTrue(Files.size(tmp.resolve("x.o")) > 0);
    return r;
  }

  @Test
  void aBadCacheSizeCompilesWithAWarningEvenUnderNoCache() throws Exception {
    Result r = compile(env("HG_CACHE_SIZE", "0", "HG_NO_CACHE", "1"));
    assertTrue(
        r.err()
            .contains(
                "hgbuild: warning: invalid value '0' for HG_CACHE_SIZE (environment): must be a"
                    + " size such as 5G, 500M, 64K or a number of bytes, above 0; using '5G'"
                    + " (default)"),
        r.err());
  }

  @Test
  void aBadTimeoutCompilesWithAWarning() throws Exception {
    Result r = compile(env("HG_TIMEOUT", "10m"));
    assertTrue(
        r.err().contains("hgbuild: warning: invalid value '10m' for HG_TIMEOUT (environment)"),
        r.err());
  }

  @Test
  void typosInPriorityAndNoFallbackCompileWithAWarning() throws Exception {
    Result r = compile(env("HG_PRIORITY", "bacth", "HG_NO_FALLBACK", "ture"));
    assertTrue(
        r.err().contains("hgbuild: warning: invalid value 'bacth' for HG_PRIORITY (environment)"),
        r.err());
    assertTrue(
        r.err().contains("hgbuild: warning: invalid value 'ture' for HG_NO_FALLBACK (environment)"),
        r.err());
  }

  @Test
  void theHttpPortGivenAsCoordinatorIsNamedAsSuch() throws Exception {
    com.sun.net.httpserver.HttpServer http =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext(
        "/",
        x -> {
          x.sendResponseHeaders(200, 2);
          x.getResponseBody().write("ok".getBytes(java.nio.charset.StandardCharsets.UTF_8));
          x.close();
        });
    http.start();
    try {
      String target = "127.0.0.1:" + http.getAddress().getPort();
      String expected =
          target
              + " answers in HTTP/1, not gRPC: it looks like hg-coord's HTTP port (dashboard,"
              + " /metrics); give its gRPC port instead (default 9000), e.g. -C 127.0.0.1:9000 or"
              + " HG_COORDINATOR=127.0.0.1:9000";
      Result status = run(env(), "-C", target, "status");
      assertEquals(1, status.exit());
      assertEquals("hgbuild: error: " + expected + "\n", status.err());

      Files.writeString(tmp.resolve("y.c"), "int y(void) { return 2; }\n");
      Map<String, String> env = env("HG_CACHE_DIR", tmp.resolve("cache").toString());
      Result compile = run(env, "-C", target, "gcc", "-c", "y.c", "-o", "y.o");
      assertEquals(0, compile.exit(), compile.err());
      assertTrue(Files.size(tmp.resolve("y.o")) > 0);

      // The compile's fallback reason is the same sentence.
      io.grpc.ManagedChannel channel =
          io.hybridgrid.common.grpc.Channels.forAddress(
              io.hybridgrid.common.grpc.HostPort.parse(target));
      try {
        io.hybridgrid.cli.compile.GridUnavailableException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                io.hybridgrid.cli.compile.GridUnavailableException.class,
                () ->
                    new io.hybridgrid.cli.grpc.GrpcRemoteCompiler(
                            channel,
                            java.time.Duration.ofSeconds(10),
                            new io.hybridgrid.cli.grpc.CasMemo(16))
                        .execute(
                            new io.hybridgrid.cli.action.RemoteAction(
                                java.util.List.of("gcc", "-c", "y.c"),
                                tmp.toString(),
                                Map.of(),
                                new io.hybridgrid.cli.action.InputRoot(
                                    java.util.List.of(), java.util.List.of(), java.util.List.of()),
                                java.util.List.of(tmp.resolve("y.o").toString()),
                                new io.hybridgrid.common.compiler.CompilerIdentity(
                                    "gcc", "12.2.0", "x86_64-linux-gnu", false),
                                "/usr/bin/gcc"),
                            "test",
                            false));
        assertEquals(expected, e.getMessage());
      } finally {
        channel.shutdownNow();
      }
    } finally {
      http.stop(0);
    }
  }
}
