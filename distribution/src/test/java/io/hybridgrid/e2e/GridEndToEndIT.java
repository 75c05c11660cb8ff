package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation's acceptance checks, with the real dist/ processes on loopback: real projects
 * build through the grid with every compile on a worker and objects (and .d files) byte-identical
 * to a plain local build; compile errors look exactly like local ones and are not retried; without
 * a coordinator the build still succeeds locally, unless --no-fallback. {@code hgbuild} is the
 * native launcher, so every compile here goes through a daemon of the test's own.
 */
class GridEndToEndIT extends TwoWorkerGridTest {
  /** Grid-only compiles through the test's own daemon, with its own (initially empty) cache. */
  private Map<String, String> gridEnv(Path cache) {
    return daemon.env(
        Map.of(
            "HG_COORDINATOR",
            grid.coordinator(),
            "HG_NO_FALLBACK",
            "1",
            "HG_VERBOSE",
            "1",
            "HG_CACHE_DIR",
            cache.toString()));
  }

  private static Path lua(Path tmp) throws Exception {
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", tmp);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    return src.get();
  }

  @Test
  void luaDefaultFlagsAllRemoteAndIdentical(@TempDir Path tmp) throws Exception {
    checkLua(lua(tmp), "", tmp.resolve("cache"));
  }

  @Test
  void luaWithDebugInfoAllRemoteAndIdentical(@TempDir Path tmp) throws Exception {
    checkLua(lua(tmp), "-g", tmp.resolve("cache"));
  }

  /**
   * After {@code make clean}, a rebuild is served from the local cache in direct mode: no compile
   * reaches the grid, and the objects are still byte-identical to a plain build.
   */
  @Test
  void luaWarmRebuildComesFromTheLocalCache(@TempDir Path tmp) throws Exception {
    Path lua = lua(tmp);
    Path cache = tmp.resolve("cache");
    checkLua(lua, "-g", cache);
    Map<String, byte[]> reference = objects(lua.resolve("src"), ".o");
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    long before = grid.stats().get("tasks_completed").asLong();

    Shell.Result r =
        Shell.run(
            lua,
            gridEnv(cache),
            "make -C src posix -j2 MYCFLAGS='-g' CC='" + grid.hgbuild() + " gcc -std=gnu99' 2>&1",
            900);

    assertEquals(0, r.exitCode(), r.output());
    assertEquals(34, count(r.output(), "[cache hit direct]"), r.output());
    assertEquals(0, count(r.output(), "[remote worker-"), r.output());
    assertEquals(before, grid.stats().get("tasks_completed").asLong());
    assertIdentical(reference, objects(lua.resolve("src"), ".o"));
    Shell.Result stats = Shell.run(lua, gridEnv(cache), grid.hgbuild() + " stats --json", 120);
    assertEquals(0, stats.exitCode(), stats.output());
    JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats.output());
    assertEquals(34, j.get("hits").get("direct").asLong(), stats.output());
    assertEquals(34, j.get("misses").asLong(), stats.output());
    assertEquals(34, j.get("compiles").get("remote").asLong(), stats.output());
    assertEquals(0, j.get("corrupt_entries_dropped").asLong(), stats.output());
  }

  /** Builds plainly, keeps the objects, cleans, builds through the grid in the same directory. */
  private void checkLua(Path lua, String myCflags, Path cache) throws Exception {
    Path src = lua.resolve("src");
    Shell.Result plain = Shell.run(lua, "make -C src posix MYCFLAGS='" + myCflags + "' 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    Map<String, byte[]> reference = objects(src, ".o");
    assertEquals(34, reference.size(), "Lua 5.4.4 has 34 objects");
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());

    long before = grid.stats().get("tasks_completed").asLong();
    Shell.Result r =
        Shell.run(
            lua,
            gridEnv(cache),
            "make -C src posix -j2 MYCFLAGS='"
                + myCflags
                + "' CC='"
                + grid.hgbuild()
                + " gcc -std=gnu99' 2>&1",
            900);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(34, count(r.output(), "[remote worker-"), r.output());
    assertEquals(
        0,
        r.output().lines().filter(l -> l.contains("[local") && l.contains(".c [")).count(),
        "no C compile ran locally:\n" + r.output());
    assertEquals(34, grid.stats().get("tasks_completed").asLong() - before);
    assertIdentical(reference, objects(src, ".o"));
  }

  @Test
  void zstdObjectsAndDependencyFilesIdentical(@TempDir Path tmp) throws Exception {
    Optional<Path> zstd = Workloads.unpack(ROOT, "zstd-1.5.4.tar.xz", "libzstd", tmp);
    Assumptions.assumeTrue(zstd.isPresent(), "zstd 1.5.4 sources not available");
    Path root = zstd.get();
    Path objDir = root.resolve("programs/obj/cmp");
    Shell.Result plain = Shell.run(root, "make -C programs zstd BUILD_DIR=obj/cmp 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    Map<String, byte[]> refObjects = objects(objDir, ".o");
    Map<String, byte[]> refDeps = objects(objDir, ".d");
    assertEquals(43, refObjects.size());
    assertTrue(refDeps.size() >= 42, "zstd writes a .d per C object: " + refDeps.keySet());
    assertEquals(0, Shell.run(root, "rm -rf programs/obj programs/zstd").exitCode());

    Shell.Result r =
        Shell.run(
            root,
            gridEnv(tmp.resolve("cache")),
            "make -C programs zstd -j2 BUILD_DIR=obj/cmp CC='" + grid.hgbuild() + " gcc' 2>&1",
            900);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(42, count(r.output(), "[remote worker-"), r.output());
    assertIdentical(refObjects, objects(objDir, ".o"));
    assertIdentical(refDeps, objects(objDir, ".d"));
  }

  @Test
  void compileErrorMatchesLocalAndIsNotRetried(@TempDir Path tmp) throws Exception {
    Files.writeString(
        tmp.resolve("bad.c"),
        "#include <stdio.h>\n"
            + "#define BAD(x) (x + undefined_var)\n"
            + "#warning careful\n"
            + "int f(int a) {\n"
            + "  return BAD(a);\n"
            + "}\n"
            + "int g(void) { return f(\"s\"); }\n");
    Shell.Result local = Shell.run(tmp, "gcc -Wall -c bad.c -o local.o 2>&1 1>/dev/null");
    JsonNode before = grid.stats();
    Shell.Result remote =
        Shell.run(
            tmp,
            daemon.env(Map.of("HG_COORDINATOR", grid.coordinator(), "HG_NO_FALLBACK", "1")),
            grid.hgbuild() + " gcc -Wall -c bad.c -o remote.o 2>&1 1>/dev/null",
            120);
    JsonNode after = grid.stats();
    assertEquals(1, local.exitCode());
    assertEquals(local.exitCode(), remote.exitCode());
    assertTrue(local.output().contains("in expansion of macro"), local.output());
    assertEquals(local.output(), remote.output());
    assertEquals(1, after.get("compile_errors").asLong() - before.get("compile_errors").asLong());
    assertEquals(1, after.get("tasks_completed").asLong() - before.get("tasks_completed").asLong());
    assertEquals(before.get("tasks_retried").asLong(), after.get("tasks_retried").asLong());
    assertTrue(Files.notExists(tmp.resolve("remote.o")));
  }

  @Test
  void withoutCoordinatorBuildFallsBackUnlessNoFallback(@TempDir Path tmp) throws Exception {
    Path lua = lua(tmp);
    String closed = "127.0.0.1:" + LoopbackGrid.freePort();
    Shell.Result r =
        Shell.run(
            lua,
            daemon.env(Map.of("HG_COORDINATOR", closed)),
            "make -C src posix -j2 CC='" + grid.hgbuild() + " gcc -std=gnu99' 2>&1",
            900);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(34, objects(lua.resolve("src"), ".o").size());
    assertTrue(Files.isExecutable(lua.resolve("src/lua")));
    assertEquals(34, count(r.output(), "hgbuild: warning: grid at " + closed + " unavailable"));

    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    // Without the cache: a warm cache would (rightly) build without the grid.
    Shell.Result strict =
        Shell.run(
            lua,
            daemon.env(Map.of("HG_COORDINATOR", closed, "HG_NO_CACHE", "1")),
            "make -C src posix CC='" + grid.hgbuild() + " --no-fallback gcc -std=gnu99' 2>&1",
            300);
    assertNotEquals(0, strict.exitCode(), strict.output());
    assertTrue(strict.output().contains("--no-fallback is set"), strict.output());
    assertTrue(strict.output().contains("coordinator not reachable"), strict.output());
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static Map<String, byte[]> objects(Path dir, String suffix) throws IOException {
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.toString().endsWith(suffix)).toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private static void assertIdentical(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    List<String> differing = new ArrayList<>();
    for (var e : expected.entrySet()) {
      if (!java.util.Arrays.equals(e.getValue(), actual.get(e.getKey()))) {
        differing.add(e.getKey());
      }
    }
    assertEquals(List.of(), differing, "files that differ from the plain local build");
    for (var e : expected.entrySet()) {
      assertArrayEquals(e.getValue(), actual.get(e.getKey()), e.getKey());
    }
  }
}
