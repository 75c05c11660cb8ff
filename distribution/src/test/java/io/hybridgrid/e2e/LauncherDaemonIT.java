package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native launcher and the resident daemon from dist/, with real builds: the ways users plug
 * hgbuild in ({@code hgbuild make}, {@code CMAKE_C_COMPILER_LAUNCHER}), one daemon under a wide
 * {@code make -j}, a daemon killed mid-build, no usable daemon at all, and the JVM subcommands.
 */
class LauncherDaemonIT extends TwoWorkerGridTest {
  private static String hgbuild() {
    return DIST.resolve("bin/hgbuild").toString();
  }

  private Map<String, String> gridEnv() {
    return daemon.env(
        Map.of("HG_COORDINATOR", grid.coordinator(), "HG_NO_FALLBACK", "1", "HG_VERBOSE", "1"));
  }

  private static Path lua(Path tmp) throws Exception {
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", tmp);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    return src.get();
  }

  /** Builds Lua plainly and returns its objects; the tree is clean again afterwards. */
  private static Map<String, byte[]> plainLua(Path lua) throws Exception {
    Shell.Result plain = Shell.run(lua, "make -C src posix 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    Map<String, byte[]> reference = files(lua.resolve("src"), ".o");
    assertEquals(34, reference.size());
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    return reference;
  }

  @Test
  void hgbuildMakeBuildsLuaOnTheGridWithIdenticalObjects(@TempDir Path tmp) throws Exception {
    Path lua = lua(tmp);
    Map<String, byte[]> reference = plainLua(lua);
    // Lua's Makefile says CC= gcc -std=gnu99; hgbuild make overrides CC, so HG_CC keeps the flag.
    Shell.Result r =
        Shell.run(
            lua,
            gridEnv(Map.of("HG_CC", "gcc -std=gnu99")),
            "'" + hgbuild() + "' make -C src posix -j2 2>&1",
            900);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(34, count(r.output(), "[remote worker-"), r.output());
    assertIdentical(reference, files(lua.resolve("src"), ".o"));
    assertEquals(1, count(daemon.logText(), "hgbuild daemon: listening on"), daemon.logText());
  }

  private Map<String, String> gridEnv(Map<String, String> more) {
    Map<String, String> env = gridEnv();
    env.putAll(more);
    return env;
  }

  @Test
  void cmakeCompilerLauncherCompilesOnTheGrid(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        Shell.run(tmp, "command -v cmake").exitCode() == 0,
        "cmake is not installed (.ci/run installs it)");
    Path src = Files.createDirectories(tmp.resolve("src/inc"));
    Files.writeString(
        tmp.resolve("src/CMakeLists.txt"),
        "cmake_minimum_required(VERSION 3.16)\nproject(demo C)\nadd_definitions(-DANSWER=42)\n"
            + "include_directories(inc)\nadd_executable(demo main.c calc.c util.c)\n");
    Files.writeString(src.resolve("calc.h"), "int calc(int);\nint twice(int);\n");
    Files.writeString(
        tmp.resolve("src/main.c"),
        "#include <stdio.h>\n#include \"calc.h\"\nint main(void) {\n"
            + "  printf(\"%d\\n\", calc(ANSWER));\n  return 0;\n}\n");
    Files.writeString(
        tmp.resolve("src/calc.c"),
        "#include \"calc.h\"\nint calc(int x) { return twice(x) / 2; }\n");
    Files.writeString(
        tmp.resolve("src/util.c"), "#include \"calc.h\"\nint twice(int x) { return x * 2; }\n");
    Shell.Result plain =
        Shell.run(tmp, "cmake -S src -B plain >/dev/null && cmake --build plain 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    Shell.Result r =
        Shell.run(
            tmp,
            gridEnv(),
            "cmake -S src -B hg -DCMAKE_C_COMPILER_LAUNCHER='"
                + hgbuild()
                + "' >/dev/null && cmake --build hg -- VERBOSE=1 2>&1 && ./hg/demo",
            600);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains(hgbuild() + " /usr/bin/cc"), r.output());
    assertEquals(3, count(r.output(), "[remote worker-"), r.output());
    assertTrue(r.output().strip().endsWith("42"), r.output());
    Path objects = Path.of("CMakeFiles/demo.dir");
    assertIdentical(
        files(tmp.resolve("plain").resolve(objects), ".o"),
        files(tmp.resolve("hg").resolve(objects), ".o"));
  }

  @Test
  void wideMakeStartsExactlyOneDaemon(@TempDir Path tmp) throws Exception {
    int n = 32;
    StringBuilder objs = new StringBuilder();
    for (int i = 0; i < n; i++) {
      Files.writeString(
          tmp.resolve("f" + i + ".c"), "int f" + i + "(int x) { return x + " + i + "; }\n");
      objs.append(" f").append(i).append(".o");
    }
    Files.writeString(tmp.resolve("Makefile"), "all:" + objs + "\n");
    assertFalse(Files.exists(daemon.socket()));
    Shell.Result r =
        Shell.run(tmp, gridEnv(), "make -j" + n + " CC='" + hgbuild() + " gcc' 2>&1", 600);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(n, count(r.output(), "[remote worker-"), r.output());
    String log = daemon.logText();
    assertEquals(1, count(log, "hgbuild daemon: listening on"), log);
    assertEquals(0, count(log, "already runs"), log);
  }

  @Test
  void killingTheDaemonMidBuildStillBuildsLuaCorrectly(@TempDir Path tmp) throws Exception {
    Path lua = lua(tmp);
    Map<String, byte[]> reference = plainLua(lua);
    Map<String, String> env = daemon.env(Map.of("HG_COORDINATOR", grid.coordinator()));
    CompletableFuture<Shell.Result> build =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Shell.run(
                    lua,
                    env,
                    "make -C src posix -j4 CC='" + hgbuild() + " gcc -std=gnu99' 2>&1",
                    900);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
            });
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    Optional<Long> pid = Optional.empty();
    int builtBeforeKill = 0;
    while (Instant.now().isBefore(deadline) && !build.isDone()) {
      pid = daemon.pid();
      builtBeforeKill = files(lua.resolve("src"), ".o").size();
      if (pid.isPresent() && builtBeforeKill >= 4) {
        break;
      }
      Thread.sleep(20); // polling the build's progress with a deadline
    }
    assertTrue(pid.isPresent(), "the daemon never started");
    assertFalse(build.isDone(), "the build ended before the daemon could be killed");
    assertTrue(builtBeforeKill < 34, "objects before the kill: " + builtBeforeKill);
    ProcessHandle victim = ProcessHandle.of(pid.get()).orElseThrow();
    assertTrue(victim.destroyForcibly());
    assertTrue(victim.onExit().get(30, TimeUnit.SECONDS) != null);

    Shell.Result r = build.get(900, TimeUnit.SECONDS);
    assertEquals(0, r.exitCode(), r.output());
    assertIdentical(reference, files(lua.resolve("src"), ".o"));
    assertEquals(0, Shell.run(lua, "src/lua -e 'assert(1+1==2)'").exitCode());
    System.out.printf(
        "killed the daemon with %d of 34 objects built; launchers that lost it: %d%n",
        builtBeforeKill, count(r.output(), "lost the daemon"));
  }

  @Test
  void withoutAUsableSocketDirectoryEverythingCompilesLocally(@TempDir Path tmp) throws Exception {
    Path open = Files.createDirectories(daemon.dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.writeString(tmp.resolve("a.c"), "int a(void) { return 1; }\n");
    Files.writeString(tmp.resolve("b.c"), "int b(void) { return 2; }\n");
    assertEquals(
        0, Shell.run(tmp, "gcc -O2 -c a.c b.c && mkdir ref && mv a.o b.o ref/").exitCode());
    Map<String, String> env =
        daemon.env(
            Map.of(
                "HG_DAEMON_SOCKET",
                open.resolve("daemon.sock").toString(),
                "HG_COORDINATOR",
                grid.coordinator()));
    Shell.Result r =
        Shell.run(
            tmp,
            env,
            "'" + hgbuild() + "' gcc -O2 -c a.c && '" + hgbuild() + "' gcc -O2 -c b.c 2>&1",
            120);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("must be owned by uid"), r.output());
    assertTrue(r.output().contains("; compiling locally"), r.output());
    assertIdentical(files(tmp.resolve("ref"), ".o"), files(tmp, ".o"));
    try (Stream<Path> s = Files.list(open)) {
      assertEquals(List.of(), s.toList(), "no daemon files in a directory others can write");
    }
  }

  @Test
  void theFirstDaemonLeavesAClassArchiveTheNextMapsAndADamagedOneIsIgnored(@TempDir Path tmp)
      throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path archives = home.resolve(".hybridgrid/jvm");
    Files.writeString(tmp.resolve("a.c"), "int a(void) { return 1; }\n");
    assertEquals(0, Shell.run(tmp, "gcc -O2 -c a.c -o ref.o").exitCode());
    Map<String, String> env = new java.util.HashMap<>(gridEnv());
    env.put("HOME", home.toString());
    String compile = "'" + hgbuild() + "' gcc -O2 -c a.c 2>&1";
    String stop = "'" + hgbuild() + "' daemon --stop 2>&1";

    // The first daemon maps no archive and writes one under a name of its own when it exits.
    Shell.Result first = Shell.run(tmp, env, compile, 120);
    assertEquals(0, first.exitCode(), first.output());
    long firstPid = daemon.pid().orElseThrow();
    assertTrue(commandLine(firstPid).contains("-XX:ArchiveClassesAtExit="), commandLine(firstPid));
    assertEquals(0, Shell.run(tmp, env, stop, 120).exitCode());
    awaitExit(firstPid);
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(archives)));
    assertEquals(1, list(archives, ".tmp").size(), list(archives, "").toString());

    // The next adopts it and maps it.
    Shell.Result second = Shell.run(tmp, env, compile, 120);
    assertEquals(0, second.exitCode(), second.output());
    assertArrayEquals(
        Files.readAllBytes(tmp.resolve("ref.o")), Files.readAllBytes(tmp.resolve("a.o")));
    long secondPid = daemon.pid().orElseThrow();
    List<Path> adopted = list(archives, ".jsa");
    assertEquals(1, adopted.size(), list(archives, "").toString());
    assertEquals(List.of(), list(archives, ".tmp"));
    assertTrue(
        commandLine(secondPid).contains("-XX:SharedArchiveFile=" + adopted.get(0)),
        commandLine(secondPid));
    assertEquals(0, Shell.run(tmp, env, stop, 120).exitCode());
    awaitExit(secondPid);

    // A damaged archive is refused by its checksum: a warning in the log, and the compile works.
    Path jsa = adopted.get(0);
    Files.setPosixFilePermissions(jsa, PosixFilePermissions.fromString("rw-------"));
    byte[] b = Files.readAllBytes(jsa);
    b[b.length / 2] ^= (byte) 0xff;
    Files.write(jsa, b);
    Files.delete(tmp.resolve("a.o"));
    Shell.Result third = Shell.run(tmp, env, compile, 120);
    assertEquals(0, third.exitCode(), third.output());
    assertArrayEquals(
        Files.readAllBytes(tmp.resolve("ref.o")), Files.readAllBytes(tmp.resolve("a.o")));
    assertTrue(daemon.logText().contains("Unable to use shared archive"), daemon.logText());
  }

  @Test
  void aHomeWithABlankGetsNoClassArchiveAndTheDaemonStillServes(@TempDir Path tmp)
      throws Exception {
    Path home = Files.createDirectories(tmp.resolve("my home"));
    Files.writeString(tmp.resolve("a.c"), "int a(void) { return 1; }\n");
    Map<String, String> env = new java.util.HashMap<>(gridEnv());
    env.put("HOME", home.toString());
    Shell.Result r = Shell.run(tmp, env, "'" + hgbuild() + "' gcc -O2 -c a.c 2>&1", 120);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(1, count(r.output(), "[remote worker-"), r.output());
    long pid = daemon.pid().orElseThrow();
    assertFalse(commandLine(pid).contains("Archive"), commandLine(pid));
    assertFalse(Files.exists(home.resolve(".hybridgrid/jvm")));
  }

  private static String commandLine(long pid) throws IOException {
    return new String(
            Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
        .replace('\0', ' ');
  }

  private static void awaitExit(long pid) throws InterruptedException {
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      assertTrue(Instant.now().isBefore(end), "the daemon " + pid + " did not exit");
      Thread.sleep(100);
    }
  }

  private static List<Path> list(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  @Test
  void subcommandsStillReachTheJvmCli(@TempDir Path tmp) throws Exception {
    Shell.Result status =
        Shell.run(
            tmp,
            daemon.env(Map.of("HG_COORDINATOR", grid.coordinator())),
            "'" + hgbuild() + "' status 2>&1",
            120);
    assertEquals(0, status.exitCode(), status.output());
    assertTrue(status.output().contains("workers          2"), status.output());
    Shell.Result version = Shell.run(tmp, daemon.env(), "'" + hgbuild() + "' --version", 120);
    assertEquals("0.1.0", version.output().strip());
    Shell.Result none =
        Shell.run(tmp, daemon.env(), "'" + hgbuild() + "' daemon --status 2>&1", 120);
    assertEquals(1, none.exitCode(), none.output());
    assertTrue(none.output().contains("no daemon runs on " + daemon.socket()), none.output());
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static Map<String, byte[]> files(Path dir, String suffix) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
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
      if (!Arrays.equals(e.getValue(), actual.get(e.getKey()))) {
        differing.add(e.getKey());
      }
    }
    assertEquals(List.of(), differing, "files that differ from the plain local build");
  }
}
