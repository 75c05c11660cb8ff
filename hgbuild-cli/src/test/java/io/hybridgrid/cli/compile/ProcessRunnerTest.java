package io.hybridgrid.cli.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {
  private static final Path SH = Path.of("/bin/sh");

  @TempDir Path tmp;

  private final ExecutorService readers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    readers.shutdownNow();
  }

  @Test
  void childrenSeeTheClientsEnvironmentAndWriteToTheClientsStreams() throws Exception {
    ProcessRunner runner = new ProcessRunner(2, readers, false);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit =
        runner.run(
            SH,
            List.of("-c", "echo \"$HG_PROBE $(pwd)\"; echo oops >&2; exit 3"),
            tmp,
            Map.of("HG_PROBE", "from-the-client", "PATH", "/usr/bin:/bin"),
            out,
            err);

    assertEquals(3, exit);
    assertEquals(
        "from-the-client " + tmp.toRealPath() + "\n", out.toString(StandardCharsets.UTF_8));
    assertEquals("oops\n", err.toString(StandardCharsets.UTF_8));
    ProcessRunner.Captured c =
        runner.capture(SH, List.of("-c", "env"), tmp, Map.of("ONLY", "this"));
    String env = new String(c.stdout(), StandardCharsets.UTF_8);
    assertTrue(env.contains("ONLY=this"), env);
    assertTrue(!env.contains("JAVA_HOME=") && !env.contains("HOME="), "not the JVM's: " + env);
  }

  @Test
  void atMostMaxParallelChildrenRunAtOnce() throws Exception {
    ProcessRunner runner = new ProcessRunner(1, readers, false);
    ExecutorService callers = Executors.newFixedThreadPool(6);
    // Each child holds a directory while it runs; a second child at the same time fails mkdir.
    String body = "mkdir held || exit 9; sleep 0.05; rmdir held";
    try {
      List<Future<ProcessRunner.Captured>> runs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        runs.add(
            callers.submit(
                () ->
                    runner.capture(SH, List.of("-c", body), tmp, Map.of("PATH", "/usr/bin:/bin"))));
      }
      for (Future<ProcessRunner.Captured> f : runs) {
        ProcessRunner.Captured c = f.get(60, TimeUnit.SECONDS);
        assertEquals(0, c.exitCode(), new String(c.stderr(), StandardCharsets.UTF_8));
      }
    } finally {
      callers.shutdownNow();
    }
    assertTrue(Files.notExists(tmp.resolve("held")));
  }
}
