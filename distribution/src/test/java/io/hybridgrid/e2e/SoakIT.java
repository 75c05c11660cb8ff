package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Bounded soak (issue 12), not part of the default run: {@code -Dhg.soak.minutes=10} turns it on.
 * Builds Lua through two loopback workers (coordinator cache off, so every compile reaches one)
 * again and again for that long while one worker is restarted (SIGTERM, then started again under
 * the same id) every {@code hg.soak.restartSeconds} (default 60). Every build must exit 0 with
 * objects identical to a plain build.
 */
class SoakIT {
  @Test
  void luaBuildsKeepSucceedingWhileWorkersRestart() throws Exception {
    String minutes = System.getProperty("hg.soak.minutes");
    if (minutes == null) {
      System.out.println("SKIP: soak not requested (run with -Dhg.soak.minutes=10)");
      Assumptions.abort("soak not requested");
    }
    Duration length = Duration.ofMinutes(Long.parseLong(minutes));
    Duration restartEvery =
        Duration.ofSeconds(Long.parseLong(System.getProperty("hg.soak.restartSeconds", "60")));
    Path work = Files.createTempDirectory("hg-soak-");
    Optional<Path> src =
        Workloads.unpack(TwoWorkerGridTest.ROOT, "lua-5.4.4.tar.gz", "lua5.4", work);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    Path lua = src.get();
    assertEquals(0, Shell.run(lua, "make -C src posix 2>&1").exitCode());
    Map<String, byte[]> reference = objects(lua.resolve("src"));

    try (LoopbackGrid grid = new LoopbackGrid(TwoWorkerGridTest.DIST, 2, List.of("--no-cache"));
        PrivateDaemon daemon = new PrivateDaemon(TwoWorkerGridTest.DIST)) {
      long end = System.nanoTime() + length.toNanos();
      long nextRestart = System.nanoTime() + restartEvery.toNanos();
      int builds = 0;
      int restarts = 0;
      long fallbacks = 0;
      while (System.nanoTime() < end) {
        assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
        Shell.Result r =
            Shell.run(
                lua,
                daemon.env(
                    Map.of(
                        "HG_COORDINATOR", grid.coordinator(),
                        "HG_VERBOSE", "1",
                        "HG_NO_CACHE", "1")),
                "make -C src posix -j2 CC='" + grid.hgbuild() + " gcc -std=gnu99' 2>&1",
                900);
        assertEquals(0, r.exitCode(), r.output());
        assertIdentical(reference, objects(lua.resolve("src")));
        fallbacks += r.output().lines().filter(l -> l.contains(".c [local")).count();
        builds++;
        if (System.nanoTime() >= nextRestart) {
          String victim = "worker-" + (1 + restarts % 2);
          grid.signal(victim, "TERM");
          assertTrue(grid.process(victim).waitFor(90, TimeUnit.SECONDS), victim + " did not exit");
          grid.addWorker(victim, List.of());
          restarts++;
          nextRestart = System.nanoTime() + restartEvery.toNanos();
        }
      }
      System.out.printf(
          "SOAK %s: %d Lua builds, %d worker restarts, %d fallbacks, coordinator %s%n",
          length, builds, restarts, fallbacks, grid.stats());
      assertTrue(builds > 0);
    } finally {
      Shell.run(work.getParent(), "rm -rf '" + work + "'");
    }
  }

  private static void assertIdentical(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (var e : expected.entrySet()) {
      assertTrue(java.util.Arrays.equals(e.getValue(), actual.get(e.getKey())), e.getKey());
    }
  }

  private static Map<String, byte[]> objects(Path dir) throws java.io.IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".o")).toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
