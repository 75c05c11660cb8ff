package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross compilation through the grid, with the real dist/ processes on loopback: a request for
 * {@code aarch64-linux-gnu-gcc} is refused at once while no worker has it (the client falls back,
 * or fails under --no-fallback), and once a worker offering it joins, every such compile runs there
 * and none on the worker without it, with objects identical to a local cross compile.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossCompileIT {
  private static final Path DIST =
      Path.of(System.getProperty("hg.dist", "../dist")).toAbsolutePath();
  private static final String CROSS = "aarch64-linux-gnu-gcc";
  private static final int FILES = 6;
  private static LoopbackGrid grid;
  private static PrivateDaemon daemon;

  @BeforeAll
  static void startGrid() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin", CROSS)),
        "gcc-aarch64-linux-gnu is not installed (.ci/run installs it)");
    daemon = new PrivateDaemon(DIST);
    grid = new LoopbackGrid(DIST, 0);
    // Runs only its own compilers: with toolchain shipping on, it would run the client's shipped
    // cross compiler (test 3 shows that); here it stands for a worker that cannot.
    grid.addWorker("host-only", List.of("--compilers", "gcc,g++,cc", "--toolchains", "own"));
    grid.awaitWorkers(1, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopGrid() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (grid != null) {
      grid.close();
    }
  }

  private static void writeSources(Path dir) throws Exception {
    for (int i = 0; i < FILES; i++) {
      Files.writeString(
          dir.resolve("f" + i + ".c"),
          "#include <stdint.h>\n"
              + "static int64_t sq(int64_t x) { return x * x + "
              + i
              + "; }\n"
              + "int64_t f"
              + i
              + "(int64_t n) {\n"
              + "  int64_t s = 0;\n"
              + "  for (int64_t k = 0; k < n; k++) s += sq(k) >> 1;\n"
              + "  return s;\n"
              + "}\n");
    }
  }

  private static Map<String, String> env(boolean noFallback) {
    // A daemon and cache of this test's own; no local cache hits, so every compile is counted.
    Map<String, String> env = new HashMap<>(daemon.env(Map.of("HG_NO_CACHE", "1")));
    env.put("HG_COORDINATOR", grid.coordinator());
    env.put("HG_VERBOSE", "1");
    if (noFallback) {
      env.put("HG_NO_FALLBACK", "1");
    }
    return env;
  }

  @Test
  @Order(1)
  void crossCompilerNoWorkerHasIsRefusedAtOnceAndFallsBack(@TempDir Path tmp) throws Exception {
    writeSources(tmp);
    Shell.Result local = Shell.run(tmp, CROSS + " -O2 -c f0.c -o local.o 2>&1");
    assertEquals(0, local.exitCode(), local.output());

    // The queue timeout is 300 s: finishing within the 60 s bound shows the refusal is immediate.
    Shell.Result fallback =
        Shell.run(tmp, env(false), grid.hgbuild() + " " + CROSS + " -O2 -c f0.c -o fb.o 2>&1", 60);
    assertEquals(0, fallback.exitCode(), fallback.output());
    assertTrue(
        fallback
            .output()
            .contains("hgbuild: warning: grid at " + grid.coordinator() + " unavailable"),
        fallback.output());
    assertTrue(fallback.output().contains("no connected worker has gcc"), fallback.output());
    assertTrue(fallback.output().contains("aarch64-linux-gnu"), fallback.output());
    assertTrue(fallback.output().contains("f0.c [local grid unavailable]"), fallback.output());
    assertArrayEquals(
        Files.readAllBytes(tmp.resolve("local.o")), Files.readAllBytes(tmp.resolve("fb.o")));

    Shell.Result strict =
        Shell.run(
            tmp, env(true), grid.hgbuild() + " " + CROSS + " -O2 -c f0.c -o strict.o 2>&1", 60);
    assertNotEquals(0, strict.exitCode(), strict.output());
    assertTrue(strict.output().contains("--no-fallback is set"), strict.output());
    assertTrue(strict.output().contains("no connected worker has gcc"), strict.output());
    assertTrue(Files.notExists(tmp.resolve("strict.o")));
  }

  @Test
  @Order(2)
  void crossCompilesRunOnlyOnTheWorkerThatHasTheCrossCompiler(@TempDir Path tmp) throws Exception {
    grid.addWorker("cross", List.of("--compilers", "gcc," + CROSS));
    grid.awaitWorkers(2, Duration.ofSeconds(60));
    writeSources(tmp);
    Map<String, Long> before = completedByWorker();

    StringBuilder cmd = new StringBuilder("set -e; ");
    for (int i = 0; i < FILES; i++) {
      cmd.append(CROSS)
          .append(" -O2 -g -c f")
          .append(i)
          .append(".c -o f")
          .append(i)
          .append(".local.o; ");
    }
    // Two at a time, so both workers have free slots while the compiles are placed.
    for (int i = 0; i < FILES; i++) {
      cmd.append(grid.hgbuild())
          .append(" ")
          .append(CROSS)
          .append(" -O2 -g -c f")
          .append(i)
          .append(".c -o f")
          .append(i)
          .append(".remote.o 2>&1 & ");
      if (i % 2 == 1) {
        cmd.append("wait; ");
      }
    }
    Shell.Result r = Shell.run(tmp, env(true), cmd.toString(), 300);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(FILES, count(r.output(), "[remote cross]"), r.output());
    assertEquals(0, count(r.output(), "[remote host-only]"), r.output());

    Map<String, Long> after = completedByWorker();
    assertEquals(FILES, after.get("cross") - before.getOrDefault("cross", 0L), after.toString());
    assertEquals(before.get("host-only"), after.get("host-only"), after.toString());
    for (int i = 0; i < FILES; i++) {
      byte[] local = Files.readAllBytes(tmp.resolve("f" + i + ".local.o"));
      assertEquals(0xB7, local[18] & 0xFF, "e_machine is EM_AARCH64");
      assertArrayEquals(local, Files.readAllBytes(tmp.resolve("f" + i + ".remote.o")), "f" + i);
    }
  }

  /**
   * Cross compilers ship like any toolchain (docs/toolchains.md): with the cross worker gone, a
   * worker that has only its host gcc runs the client's aarch64 cross gcc from the shipped files,
   * and the objects are still identical.
   */
  @Test
  @Order(3)
  void aShippedCrossCompilerRunsOnAWorkerWithoutIt(@TempDir Path tmp) throws Exception {
    grid.stopWorker("cross");
    grid.addWorker("ships", List.of("--compilers", "gcc"));
    Instant deadline = Instant.now().plusSeconds(60);
    while (!completedByWorker().keySet().equals(java.util.Set.of("host-only", "ships"))
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(200); // until the cross worker has left and the new one registered
    }
    assertEquals(java.util.Set.of("host-only", "ships"), completedByWorker().keySet());
    writeSources(tmp);
    Shell.Result local = Shell.run(tmp, CROSS + " -O2 -c f1.c -o local.o 2>&1");
    assertEquals(0, local.exitCode(), local.output());
    Shell.Result r =
        Shell.run(
            tmp, env(true), grid.hgbuild() + " " + CROSS + " -O2 -c f1.c -o remote.o 2>&1", 300);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(1, count(r.output(), "[remote ships]"), r.output());
    assertArrayEquals(
        Files.readAllBytes(tmp.resolve("local.o")), Files.readAllBytes(tmp.resolve("remote.o")));
  }

  private static Map<String, Long> completedByWorker() throws Exception {
    Map<String, Long> m = new HashMap<>();
    for (JsonNode w : grid.get("/api/v1/workers")) {
      m.put(w.get("id").asText(), w.get("tasks_completed").asLong());
    }
    return m;
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
