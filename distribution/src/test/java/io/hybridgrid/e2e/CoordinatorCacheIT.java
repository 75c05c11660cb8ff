package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's shared result cache with the real dist/ processes: a rebuild after {@code make
 * clean} is served entirely from it, and a build interrupted part-way reuses every compile that
 * finished. The client's own local cache is kept out of the way (a fresh, empty HG_CACHE_DIR for
 * every build: HG_NO_CACHE=1 would turn the coordinator's cache off too), so every hit counted here
 * is the coordinator's.
 */
class CoordinatorCacheIT {
  private static final Path DIST =
      Path.of(System.getProperty("hg.dist", "../dist")).toAbsolutePath();
  private static final Path ROOT = Path.of(System.getProperty("hg.root", "..")).toAbsolutePath();
  private static LoopbackGrid grid;
  private static PrivateDaemon daemon;

  @BeforeAll
  static void startGrid() throws Exception {
    daemon = new PrivateDaemon(DIST);
    grid = new LoopbackGrid(DIST, 2);
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

  private static Map<String, String> env(Path tmp, String build) {
    return daemon.env(
        Map.of(
            "HG_COORDINATOR",
            grid.coordinator(),
            "HG_NO_FALLBACK",
            "1",
            "HG_VERBOSE",
            "1",
            "HG_CACHE_DIR",
            tmp.resolve("client-cache-" + build).toString()));
  }

  private static Path lua(Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("src-tree"));
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", dir);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    return src.get();
  }

  /** The make command; {@code tag} goes into MYCFLAGS so each test has keys of its own. */
  private static String make(String tag) {
    return "make -C src posix -j2 MYCFLAGS='-DHG_TEST_"
        + tag
        + "' CC='"
        + grid.hgbuild()
        + " gcc -std=gnu99' 2>&1";
  }

  private static long stat(String name) throws Exception {
    return grid.stats().get(name).asLong();
  }

  @Test
  void rebuildAfterMakeCleanIsServedEntirelyFromTheCoordinatorCache(@TempDir Path tmp)
      throws Exception {
    Path lua = lua(tmp);
    Shell.Result first = Shell.run(lua, env(tmp, "first"), make("CLEAN"), 900);
    assertEquals(0, first.exitCode(), first.output());
    assertEquals(34, count(first.output(), "[remote worker-"), first.output());
    Map<String, byte[]> built = objects(lua.resolve("src"));
    assertEquals(34, built.size());
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    long hits = stat("cache_hits");
    long completed = stat("tasks_completed");

    Shell.Result again = Shell.run(lua, env(tmp, "again"), make("CLEAN"), 900);

    assertEquals(0, again.exitCode(), again.output());
    assertEquals(34, count(again.output(), "[remote cache]"), again.output());
    assertEquals(34, stat("cache_hits") - hits);
    assertEquals(0, stat("tasks_completed") - completed, "no worker ran a compile");
    Map<String, byte[]> rebuilt = objects(lua.resolve("src"));
    assertEquals(built.keySet(), rebuilt.keySet());
    for (String name : built.keySet()) {
      assertArrayEquals(built.get(name), rebuilt.get(name), name);
    }
    assertTrue(Files.isExecutable(lua.resolve("src/lua")));
  }

  @Test
  void interruptedBuildRerunReusesEveryFinishedCompile(@TempDir Path tmp) throws Exception {
    Path lua = lua(tmp);
    Path src = lua.resolve("src");
    // Its own process group, stopped the way Ctrl-C stops a build: one signal to the whole group
    // at once. (Killing a snapshot of make's descendants one by one let make start one more
    // compile in between, whose launcher, never stopped, rightly finished it after the rm below.)
    ProcessBuilder pb =
        new ProcessBuilder("setsid", "bash", "-c", make("INTERRUPT"))
            .directory(lua.toFile())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("interrupted.log").toFile());
    pb.environment().putAll(env(tmp, "interrupted"));
    Process build = pb.start();
    // Stop make once 8 objects exist (bounded: at most 5 minutes).
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (objectCount(src) < 8 && build.isAlive() && Instant.now().isBefore(deadline)) {
      Thread.sleep(20); // polling the build directory with a deadline
    }
    Shell.Result kill = Shell.run(lua, "kill -KILL -- -" + build.pid() + " 2>&1");
    assertEquals(0, kill.exitCode(), kill.output());
    assertTrue(build.waitFor(30, TimeUnit.SECONDS), "make did not stop");
    // Every launcher of the build is gone; from here on only the daemon could still write, and
    // it cancels a compile whose launcher hung up.
    Instant reaped = Instant.now().plus(Duration.ofSeconds(10));
    String left;
    do {
      left = Shell.run(lua, "pgrep -g " + build.pid() + " || true").output().strip();
      if (!left.isEmpty()) {
        Thread.sleep(100); // killed processes not reaped yet: polling with a deadline
      }
    } while (!left.isEmpty() && Instant.now().isBefore(reaped));
    assertEquals("", left, "processes of the stopped build still running");
    int finished = objectCount(src);
    assertTrue(finished >= 8, "only " + finished + " objects before the deadline");
    assertTrue(finished < 34, "the build finished before it could be interrupted");
    Shell.Result rm = Shell.run(src, "rm -f *.o");
    assertEquals(0, rm.exitCode(), rm.output());
    long hits = stat("cache_hits");

    Shell.Result rerun = Shell.run(lua, env(tmp, "rerun"), make("INTERRUPT"), 900);

    assertEquals(0, rerun.exitCode(), rerun.output());
    assertEquals(34, objects(src).size());
    long reused = stat("cache_hits") - hits;
    System.out.println(
        "interrupted build: " + finished + " objects existed; the rerun had " + reused + " hits");
    assertTrue(
        reused >= finished,
        "the rerun hit the cache " + reused + " times; " + finished + " compiles had finished");
    assertEquals(reused, count(rerun.output(), "[remote cache]"), rerun.output());
    assertEquals(34, count(rerun.output(), "[remote "), rerun.output());
    JsonNode s = grid.stats();
    assertTrue(s.get("cache_memory_entries").asLong() >= 34, s::toString);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static int objectCount(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return (int) s.filter(f -> f.toString().endsWith(".o")).count();
    }
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
