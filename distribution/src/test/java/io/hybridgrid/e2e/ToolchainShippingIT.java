package io.hybridgrid.e2e;

import static io.hybridgrid.e2e.BuildOutputs.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Toolchain shipping end to end (docs/toolchains.md), with real dist/ processes on loopback: a
 * worker whose only compiler is gcc 11 serves a gcc 12 client (Lua and a small C++ project, every
 * compile remote, every object identical to the local gcc 12 build); a worker with no compiler at
 * all (its compilers hidden in a private mount namespace) serves compiles; a worker started with
 * {@code --toolchains own} refuses shipped toolchains with the reason; and a toolchain is uploaded
 * to the coordinator once for two workers and two builds.
 */
class ToolchainShippingIT {
  private static final Path DIST = TwoWorkerGridTest.DIST;
  private static final Path ROOT = TwoWorkerGridTest.ROOT;
  private static final Duration START = Duration.ofSeconds(90);

  @TempDir Path tmp;
  private LoopbackGrid grid;
  private final List<PrivateDaemon> daemons = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (PrivateDaemon d : daemons) {
      d.close();
    }
    if (grid != null) {
      grid.close();
    }
  }

  private PrivateDaemon daemon() throws Exception {
    PrivateDaemon d = new PrivateDaemon(DIST);
    daemons.add(d);
    return d;
  }

  private static void assumeCompilers() throws Exception {
    for (String c : List.of("gcc-11", "g++-11", "gcc-12", "g++-12")) {
      Assumptions.assumeTrue(
          Files.isExecutable(Path.of("/usr/bin", c)), c + " is not installed (Debian " + c + ")");
    }
    Shell.Result v = Shell.run(Path.of("/"), "gcc -dumpfullversion");
    Assumptions.assumeTrue(
        v.output().startsWith("12."), "the client's gcc must be gcc 12, not " + v.output());
  }

  /**
   * The environment of a worker whose only compilers are gcc 11 and g++ 11, named gcc and g++ in a
   * PATH directory that holds nothing else; a second PATH directory has the three non-compiler
   * tools the launcher (readlink, dirname) and the sandbox check (ldd) run.
   */
  private Map<String, String> gcc11Only() throws Exception {
    Path bin = tmp.resolve("gcc11-bin");
    Path tools = tmp.resolve("tools-bin");
    if (!Files.isDirectory(bin)) {
      Files.createDirectories(bin);
      Files.createSymbolicLink(bin.resolve("gcc"), Path.of("/usr/bin/gcc-11"));
      Files.createSymbolicLink(bin.resolve("g++"), Path.of("/usr/bin/g++-11"));
      Files.createDirectories(tools);
      for (String t : List.of("readlink", "dirname", "ldd")) {
        Files.createSymbolicLink(tools.resolve(t), Path.of("/usr/bin", t));
      }
    }
    Map<String, String> env = new HashMap<>();
    env.put("PATH", bin + ":" + tools);
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return env;
  }

  private Map<String, String> clientEnv(PrivateDaemon d, boolean noFallback) {
    Map<String, String> more = new HashMap<>();
    more.put("HG_COORDINATOR", grid.coordinator());
    more.put("HG_VERBOSE", "1");
    more.put("HG_NO_CACHE", "1");
    if (noFallback) {
      more.put("HG_NO_FALLBACK", "1");
    }
    return d.env(more);
  }

  private JsonNode worker(String id) throws Exception {
    for (JsonNode w : grid.get("/api/v1/workers")) {
      if (w.get("id").asText().equals(id)) {
        return w;
      }
    }
    throw new AssertionError("worker " + id + " is not listed: " + grid.get("/api/v1/workers"));
  }

  /** Waits until the coordinator lists exactly the workers {@code ids}. */
  private void awaitOnly(String... ids) throws Exception {
    java.util.Set<String> want = java.util.Set.of(ids);
    java.time.Instant deadline = java.time.Instant.now().plus(START);
    java.util.Set<String> seen = java.util.Set.of();
    while (java.time.Instant.now().isBefore(deadline)) {
      java.util.Set<String> now = new java.util.HashSet<>();
      for (JsonNode w : grid.get("/api/v1/workers")) {
        now.add(w.get("id").asText());
      }
      seen = now;
      if (now.equals(want)) {
        return;
      }
      Thread.sleep(200); // polling with a deadline
    }
    throw new AssertionError("workers " + seen + ", expected " + want);
  }

  /** Waits until worker {@code id} reports holding at least one shipped toolchain. */
  /**
   * Waits until worker {@code id} reports at least {@code atLeast} toolchains held, and returns the
   * count it reports then (which may exceed {@code atLeast}): the count comes with heartbeats, so a
   * heartbeat sent before the last toolchain was unpacked still shows the earlier count.
   */
  private int awaitHeld(String id, int atLeast) throws Exception {
    java.time.Instant deadline = java.time.Instant.now().plus(Duration.ofSeconds(30));
    int held = 0;
    while (java.time.Instant.now().isBefore(deadline)) {
      held = worker(id).get("toolchains_held").asInt();
      if (held >= atLeast) {
        return held;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "worker "
            + id
            + " reported "
            + held
            + " toolchains held, expected "
            + atLeast
            + ": "
            + worker(id));
  }

  private Path lua() throws Exception {
    // A directory of its own: the unpacked tree is the only directory in it.
    Path dest = Files.createDirectories(tmp.resolve("lua-src"));
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", dest);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    return src.get();
  }

  /** The 34 objects of a plain local Lua build with the host's gcc 12; the tree is cleaned. */
  private static Map<String, byte[]> localLua(Path lua) throws Exception {
    Shell.Result plain = Shell.run(lua, "make -C src posix CC='gcc -std=gnu99' 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    Map<String, byte[]> reference = BuildOutputs.under(lua.resolve("src"), ".o");
    assertEquals(34, reference.size());
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    return reference;
  }

  /** Lua through the grid with no fallback: every compile on {@code worker}; its objects. */
  private Map<String, byte[]> gridLua(Path lua, PrivateDaemon d, String worker) throws Exception {
    Shell.Result r =
        Shell.run(
            lua,
            clientEnv(d, true),
            "make -C src posix -j2 CC='" + grid.hgbuild() + " gcc -std=gnu99' 2>&1",
            900);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(34, count(r.output(), "[remote " + worker + "]"), "all remote:\n" + r.output());
    assertEquals(0, Shell.run(lua, "src/lua -e 'assert(1+1==2)'").exitCode());
    Map<String, byte[]> objects = BuildOutputs.under(lua.resolve("src"), ".o");
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    return objects;
  }

  private static void printCounters(String when, JsonNode s) {
    System.out.printf(
        "%s: toolchains_seen=%d toolchain_bytes_uploaded=%d cas_uploaded_bytes=%d"
            + " cas_uploaded_blobs=%d tasks_completed=%d%n",
        when,
        s.get("toolchains_seen").asLong(),
        s.get("toolchain_bytes_uploaded").asLong(),
        s.get("cas_uploaded_bytes").asLong(),
        s.get("cas_uploaded_blobs").asLong(),
        s.get("tasks_completed").asLong());
  }

  @Test
  void aGcc11WorkerServesAGcc12ClientLuaAndCxxAllRemoteAndIdentical() throws Exception {
    assumeCompilers();
    grid = new LoopbackGrid(DIST, 0);
    grid.addWorker("gcc11", List.of("--compilers", "gcc"), gcc11Only(), List.of());
    grid.awaitWorkers(1, START);
    JsonNode w = worker("gcc11");
    System.out.println("worker gcc11 as the API shows it: " + w);
    assertEquals(1, w.get("compilers").size(), w.toString());
    assertTrue(w.get("compilers").get(0).asText().contains(" 11."), w.toString());
    assertEquals("both", w.get("toolchains").asText());
    PrivateDaemon d = daemon();
    Shell.Result workers =
        Shell.run(tmp, clientEnv(d, true), "'" + grid.hgbuild() + "' workers 2>&1", 60);
    System.out.println("$ hgbuild workers\n" + workers.output());
    assertTrue(workers.output().contains("gcc 11."), workers.output());

    Path lua = lua();
    Map<String, byte[]> reference = localLua(lua);
    Map<String, byte[]> remote = gridLua(lua, d, "gcc11");
    BuildOutputs.assertIdentical(reference, remote);
    printCounters("after Lua with gcc 12 on the gcc 11 worker", grid.stats());

    Path cxx = Files.createDirectories(tmp.resolve("cxx"));
    for (String f : List.of("Makefile", "shapes.hpp", "shapes.cpp", "names.cpp", "main.cpp")) {
      try (var in = ToolchainShippingIT.class.getResourceAsStream("/toolchain-cxx/" + f)) {
        Files.copy(in, cxx.resolve(f));
      }
    }
    Shell.Result local = Shell.run(cxx, "make CXX=g++ 2>&1");
    assertEquals(0, local.exitCode(), local.output());
    Map<String, byte[]> cxxReference = BuildOutputs.under(cxx, ".o");
    assertEquals(3, cxxReference.size());
    assertEquals(0, Shell.run(cxx, "make clean").exitCode());
    Shell.Result r =
        Shell.run(cxx, clientEnv(d, true), "make CXX='" + grid.hgbuild() + " g++' 2>&1", 600);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(3, count(r.output(), "[remote gcc11]"), "all remote:\n" + r.output());
    BuildOutputs.assertIdentical(cxxReference, BuildOutputs.under(cxx, ".o"));
    Shell.Result run = Shell.run(cxx, "./shapes");
    assertTrue(run.output().contains("total 15.1416"), run.output());
    JsonNode s = grid.stats();
    printCounters("after the C++ project with g++ 12", s);
    assertEquals(2, s.get("toolchains_seen").asLong(), "gcc 12 and g++ 12 (two drivers)");
    assertEquals(2, awaitHeld("gcc11", 2), "the worker holds both shipped toolchains");
    assertEquals(2, worker("gcc11").get("toolchain_digests").size());
    Shell.Result after =
        Shell.run(tmp, clientEnv(d, true), "'" + grid.hgbuild() + "' workers 2>&1", 60);
    System.out.println("$ hgbuild workers\n" + after.output());
    assertTrue(after.output().contains("both:2"), after.output());
  }

  /**
   * A shell script that hides every compiler of this machine in a private mount namespace (empty
   * tmpfs over the compilers' directories, /dev/null over their drivers and the assembler), checks
   * that gcc no longer runs there, says so, and runs its arguments (the worker).
   */
  private Path hideCompilers() throws Exception {
    String script =
        """
        #!/bin/sh
        set -e
        for d in /usr/lib/gcc /usr/libexec/gcc /usr/lib/gcc-cross /usr/lib/llvm-*; do
          if [ -d "$d" ]; then mount -t tmpfs -o ro,size=64k none "$d"; fi
        done
        for f in /usr/bin/gcc* /usr/bin/g++* /usr/bin/cc /usr/bin/c++ /usr/bin/cpp* \\
                 /usr/bin/*-linux-gnu-gcc* /usr/bin/*-linux-gnu-g++* /usr/bin/*-linux-gnu-cpp* \\
                 /usr/bin/clang* /usr/bin/as /usr/bin/*-linux-gnu-as; do
          if [ -e "$f" ]; then mount --bind /dev/null "$f"; fi
        done
        for c in gcc cc g++ gcc-12 gcc-11 clang as; do
          if "$c" --version >/dev/null 2>&1; then
            echo "toolchain-check: $c still runs here" >&2
            exit 97
          fi
        done
        echo "toolchain-check: no compiler runs here: $(gcc --version 2>&1 | head -n 1)"
        exec "$@"
        """;
    Path f = tmp.resolve("hide-compilers.sh");
    Files.writeString(f, script);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
    return f;
  }

  @Test
  void aWorkerWithNoCompilerServesAndTheToolchainIsUploadedOnceForTwoWorkers() throws Exception {
    assumeCompilers();
    Shell.Result unshare = Shell.run(tmp, "unshare -m --propagation private true 2>&1");
    if (unshare.exitCode() != 0) {
      System.out.println("SKIPPED: unshare -m is not permitted here: " + unshare.output());
    }
    Assumptions.assumeTrue(unshare.exitCode() == 0, "unshare -m is not permitted here");
    grid = new LoopbackGrid(DIST, 0);
    grid.addWorker(
        "bare",
        List.of(),
        Map.of(),
        List.of("unshare", "-m", "--propagation", "private", "sh", hideCompilers().toString()));
    grid.awaitWorkers(1, START);
    String log = grid.log("bare");
    assertTrue(log.contains("toolchain-check: no compiler runs here"), log);
    System.out.println(log.lines().filter(l -> l.contains("toolchain-check")).findFirst().get());
    JsonNode bare = worker("bare");
    System.out.println("worker bare as the API shows it: " + bare);
    assertEquals(0, bare.get("compilers").size(), "no compiler installed: " + bare);

    Path lua = lua();
    Map<String, byte[]> reference = localLua(lua);
    JsonNode before = grid.stats();
    printCounters("before any build", before);
    BuildOutputs.assertIdentical(reference, gridLua(lua, daemon(), "bare"));
    JsonNode first = grid.stats();
    printCounters("after build 1 (worker bare, fetched the whole toolchain)", first);
    assertEquals(1, first.get("toolchains_seen").asLong());
    long toolchainBytes = first.get("toolchain_bytes_uploaded").asLong();
    assertTrue(toolchainBytes > 10_000_000, "gcc's toolchain is tens of MB: " + toolchainBytes);
    assertTrue(first.get("cas_uploaded_bytes").asLong() >= toolchainBytes);
    assertEquals(1, awaitHeld("bare", 1));
    // What the bare worker could take from its own disk (libraries; no compiler file is there).
    grid.log("bare")
        .lines()
        .filter(l -> l.contains("taken from this machine"))
        .forEach(l -> System.out.println("bare: " + l));
    assertEquals(1, worker("bare").get("toolchain_digests").size(), "routing remembers it");

    // A second worker (shipped toolchains only) and a second build from another daemon: the
    // coordinator already has the toolchain and every source, so nothing is uploaded again.
    grid.stopWorker("bare");
    grid.addWorker("second", List.of("--toolchains", "shipped"));
    awaitOnly("second");
    BuildOutputs.assertIdentical(reference, gridLua(lua, daemon(), "second"));
    JsonNode second = grid.stats();
    printCounters("after build 2 (worker second, another daemon)", second);
    assertEquals(1, second.get("toolchains_seen").asLong());
    assertEquals(toolchainBytes, second.get("toolchain_bytes_uploaded").asLong());
    assertEquals(
        first.get("cas_uploaded_bytes").asLong(),
        second.get("cas_uploaded_bytes").asLong(),
        "the second build uploaded nothing: the toolchain went to the coordinator once");
  }

  @Test
  void anOwnOnlyWorkerRefusesShippedToolchainsAndTheCompileFallsBackOrGoesElsewhere()
      throws Exception {
    assumeCompilers();
    grid = new LoopbackGrid(DIST, 0);
    grid.addWorker(
        "own11", List.of("--compilers", "gcc", "--toolchains", "own"), gcc11Only(), List.of());
    grid.awaitWorkers(1, START);
    assertEquals("own", worker("own11").get("toolchains").asText());
    Path src = Files.createDirectories(tmp.resolve("hello"));
    Files.writeString(src.resolve("hello.c"), "int hello(void) { return 42; }\n");
    Shell.Result local = Shell.run(src, "gcc -O2 -c hello.c -o local.o 2>&1");
    assertEquals(0, local.exitCode(), local.output());

    PrivateDaemon d = daemon();
    Shell.Result r =
        Shell.run(
            src,
            clientEnv(d, false),
            "'" + grid.hgbuild() + "' gcc -O2 -c hello.c -o fallback.o 2>&1",
            300);
    System.out.println(
        "$ hgbuild gcc -O2 -c hello.c  (only an own-only gcc 11 worker)\n" + r.output());
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("locally"), r.output());
    assertTrue(r.output().contains("--toolchains own"), r.output());
    assertFalse(r.output().contains("[remote"), r.output());
    assertTrue(Files.exists(src.resolve("fallback.o")));

    grid.addWorker("shipping", List.of("--compilers", "gcc"), gcc11Only(), List.of());
    awaitOnly("own11", "shipping");
    Shell.Result again =
        Shell.run(
            src,
            clientEnv(d, true),
            "'" + grid.hgbuild() + "' gcc -O2 -c hello.c -o remote.o 2>&1",
            300);
    System.out.println(
        "$ hgbuild gcc -O2 -c hello.c  (plus a gcc 11 worker in both mode)\n" + again.output());
    assertEquals(0, again.exitCode(), again.output());
    assertTrue(again.output().contains("[remote shipping]"), again.output());
    assertTrue(
        java.util.Arrays.equals(
            Files.readAllBytes(src.resolve("local.o")),
            Files.readAllBytes(src.resolve("remote.o"))),
        "the gcc 11 worker returned gcc 12's object");
  }
}
