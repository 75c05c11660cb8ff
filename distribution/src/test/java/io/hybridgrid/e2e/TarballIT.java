package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball on its own: unpacked into an empty directory, with nothing of the checkout on
 * PATH (only /usr/bin:/bin, a Java runtime, gcc and make), its hg-coord, hg-worker and hgbuild
 * build Lua through the grid; the coordinator's default state directory lands under $HOME.
 */
class TarballIT {
  private static final Path TARBALL = Path.of(System.getProperty("hg.tarball", "missing"));
  private static final Path ROOT = Path.of(System.getProperty("hg.root", "..")).toAbsolutePath();

  @TempDir Path tmp;

  private final List<Process> processes = new ArrayList<>();

  private Map<String, String> cleanEnv(Path home) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", home.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("HG_NO_MDNS", "1");
    env.put("LANG", "C.UTF-8");
    return env;
  }

  private Process start(Path dir, Map<String, String> env, Path log, String... cmd)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  private Shell.Result sh(Path dir, Map<String, String> env, String command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("env", "-i"));
    env.forEach((k, v) -> cmd.add(k + "=" + v));
    cmd.addAll(List.of("/bin/sh", "-c", command));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(900, TimeUnit.SECONDS), command);
    return new Shell.Result(
        p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void theUnpackedTarballAloneBuildsLuaThroughTheGrid() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(TARBALL), "no tarball at " + TARBALL);
    Path install = Files.createDirectories(tmp.resolve("install"));
    Shell.Result untar = Shell.run(install, Map.of(), "tar xzf '" + TARBALL + "'", 120);
    assertEquals(0, untar.exitCode(), untar.output());
    Path top;
    try (Stream<Path> s = Files.list(install)) {
      List<Path> dirs = s.toList();
      assertEquals(1, dirs.size(), "one top directory: " + dirs);
      top = dirs.get(0);
    }
    for (String f :
        List.of(
            "bin/hg-coord",
            "bin/hg-worker",
            "bin/hgbuild",
            "bin/hgbuild-jvm",
            "libexec/hg-sandbox-exec",
            "lib/systemd/system/hg-coord.service",
            "lib/systemd/system/hg-worker.service",
            "etc/hybridgrid/config.toml",
            "share/bash-completion/completions/hgbuild",
            "share/doc/hybridgrid/README.md")) {
      assertTrue(Files.exists(top.resolve(f)), f + " missing from the tarball");
    }
    assertTrue(Files.isExecutable(top.resolve("bin/hgbuild")));
    assertTrue(Files.isExecutable(top.resolve("libexec/hg-sandbox-exec")));

    Path home = Files.createDirectories(tmp.resolve("home"));
    Path logs = Files.createDirectories(tmp.resolve("logs"));
    Map<String, String> env = cleanEnv(home);
    int grpc = LoopbackGrid.freePort();
    int http = LoopbackGrid.freePort();
    String bin = top.resolve("bin").toString();
    try {
      // The worker runs as root here and its sandbox as nobody, which must reach --work-dir.
      Files.setPosixFilePermissions(
          tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
      start(
          home,
          env,
          logs.resolve("coord.log"),
          bin + "/hg-coord",
          "serve",
          "--no-mdns",
          "--bind",
          "127.0.0.1",
          "--grpc-port",
          Integer.toString(grpc),
          "--http-port",
          Integer.toString(http));
      start(
          home,
          env,
          logs.resolve("worker.log"),
          bin + "/hg-worker",
          "serve",
          "--no-mdns",
          "--coordinator",
          "127.0.0.1:" + grpc,
          "--max-parallel",
          "2",
          "--id",
          "tar-worker",
          "--work-dir",
          tmp.resolve("work").toString());
      awaitOneWorker(http, logs);
      String workerLog = Files.readString(logs.resolve("worker.log"));
      assertTrue(
          workerLog.contains("started by " + top.resolve("libexec/hg-sandbox-exec") + " --serve"),
          "the installed worker starts its sandboxes with its own helper: " + workerLog);
      assertTrue(
          Files.isDirectory(home.resolve(".hybridgrid/coord")),
          "the coordinator's default state directory is under $HOME");

      Optional<Path> lua =
          Workloads.unpack(
              ROOT, "lua-5.4.4.tar.gz", "lua5.4", Files.createDirectories(tmp.resolve("src")));
      Assumptions.assumeTrue(lua.isPresent(), "Lua 5.4.4 sources not available");
      Map<String, String> build = new HashMap<>(env);
      build.put("HG_COORDINATOR", "127.0.0.1:" + grpc);
      build.put("HG_NO_FALLBACK", "1");
      build.put("HG_VERBOSE", "1");
      build.put("HG_DAEMON_SOCKET", tmp.resolve("d/daemon.sock").toString());
      Files.createDirectories(tmp.resolve("d"));
      Files.setPosixFilePermissions(
          tmp.resolve("d"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      try {
        Shell.Result r =
            sh(
                lua.get(),
                build,
                "make -C src posix -j2 CC='" + bin + "/hgbuild gcc -std=gnu99' 2>&1");
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(34, r.output().split("\\[remote tar-worker\\]", -1).length - 1, r.output());
        Shell.Result run = sh(lua.get(), env, "src/lua -e 'print(6*7)'");
        assertEquals("42\n", run.output());

        // Bad settings never fail a compile, through the launcher and the daemon too.
        Files.writeString(lua.get().resolve("x.c"), "int x(void) { return 1; }\n");
        Map<String, String> bad = new HashMap<>(build);
        bad.put("HG_CACHE_SIZE", "0");
        bad.put("HG_NO_CACHE", "1");
        bad.put("HG_TIMEOUT", "soon");
        bad.put("HG_PRIORITY", "bacth");
        bad.put("HG_NO_FALLBACK", "ture");
        Shell.Result warned = sh(lua.get(), bad, bin + "/hgbuild gcc -c x.c 2>&1");
        assertEquals(0, warned.exitCode(), warned.output());
        assertTrue(Files.exists(lua.get().resolve("x.o")));
        for (String key : List.of("HG_CACHE_SIZE", "HG_TIMEOUT", "HG_PRIORITY", "HG_NO_FALLBACK")) {
          assertTrue(
              warned.output().contains("hgbuild: warning: invalid value '"), warned.output());
          assertTrue(warned.output().contains(" for " + key + " (environment)"), warned.output());
        }
        assertTrue(warned.output().contains("[remote tar-worker]"), warned.output());
      } finally {
        sh(home, build, bin + "/hgbuild daemon --stop");
      }
    } finally {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private void awaitOneWorker(int http, Path logs) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (Instant.now().isBefore(deadline)) {
      for (Process p : processes) {
        assertTrue(p.isAlive(), "a grid process exited during start-up; logs in " + logs);
      }
      try {
        String body =
            client
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/v1/stats"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        if (body.contains("\"workers\":1")) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200); // polling with a deadline
    }
    throw new IllegalStateException("the worker did not register; logs in " + logs);
  }
}
