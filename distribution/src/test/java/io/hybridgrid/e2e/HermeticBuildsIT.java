package io.hybridgrid.e2e;

import static io.hybridgrid.e2e.BuildOutputs.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds that only hermetic replay (the client's exact argv over its own files, at the original
 * paths) can distribute and keep identical: Lua with {@code clang -g}, with {@code -g3} and with
 * {@code -gsplit-dwarf} (the .dwo files too), and libzmq 4.3.4 (C++, CMake + Ninja, RelWithDebInfo,
 * {@code CMAKE_CXX_COMPILER_LAUNCHER}), each built locally first and then through the grid with no
 * fallback IN THE SAME DIRECTORY: every compile remote, every output identical.
 */
class HermeticBuildsIT extends TwoWorkerGridTest {
  private Map<String, String> gridEnv() {
    return daemon.env(
        Map.of(
            "HG_COORDINATOR", grid.coordinator(),
            "HG_NO_FALLBACK", "1",
            "HG_VERBOSE", "1",
            "HG_NO_CACHE", "1"));
  }

  private static Path lua(Path tmp) throws Exception {
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", tmp);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    return src.get();
  }

  @Test
  void luaWithClangDebugInfoAllRemoteAndIdentical(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        Shell.run(tmp, "command -v clang").exitCode() == 0, "clang is not installed");
    checkLua(lua(tmp), "clang -std=gnu99", "-g", ".o");
  }

  @Test
  void luaWithG3AllRemoteAndIdentical(@TempDir Path tmp) throws Exception {
    checkLua(lua(tmp), "gcc -std=gnu99", "-g3", ".o");
  }

  @Test
  void luaWithSplitDwarfAllRemoteAndDwoFilesIdentical(@TempDir Path tmp) throws Exception {
    checkLua(lua(tmp), "gcc -std=gnu99", "-g -gsplit-dwarf", ".o", ".dwo");
  }

  /**
   * Builds Lua with {@code cc} and {@code myCflags} plainly, keeps the outputs with the given
   * suffixes (34 of each), cleans, builds through the grid in the same directory and compares.
   */
  private void checkLua(Path lua, String cc, String myCflags, String... suffixes) throws Exception {
    Path src = lua.resolve("src");
    String make = "make -C src posix MYCFLAGS='" + myCflags + "'";
    Shell.Result plain = Shell.run(lua, make + " CC='" + cc + "' 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    Map<String, byte[]> reference = BuildOutputs.under(src, suffixes);
    assertEquals(34 * suffixes.length, reference.size(), reference.keySet().toString());
    assertEquals(0, Shell.run(lua, "make -C src clean && rm -f src/*.dwo").exitCode());

    long before = grid.stats().get("tasks_completed").asLong();
    Shell.Result r =
        Shell.run(lua, gridEnv(), make + " -j2 CC='" + grid.hgbuild() + " " + cc + "' 2>&1", 900);
    assertEquals(0, r.exitCode(), r.output());
    assertEquals(34, count(r.output(), "[remote worker-"), "every compile remote:\n" + r.output());
    assertEquals(34, grid.stats().get("tasks_completed").asLong() - before);
    BuildOutputs.assertIdentical(reference, BuildOutputs.under(src, suffixes));
    assertEquals(0, Shell.run(lua, "src/lua -e 'assert(1+1==2)'").exitCode());
  }

  /**
   * libzmq's CMake options for a short, offline build: no tests, perf tools, docs, drafts, static
   * library, CPack or precompiled headers, and the built-in tweetnacl and strlcpy rather than
   * whatever libsodium/libbsd the machine has. 104 C++ and 2 C units.
   */
  static final String ZMQ_OPTIONS =
      "-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTS=OFF -DBUILD_STATIC=OFF"
          + " -DWITH_PERF_TOOL=OFF -DWITH_DOCS=OFF -DWITH_DOC=OFF -DENABLE_DRAFTS=OFF"
          + " -DWITH_LIBSODIUM=OFF -DWITH_LIBBSD=OFF -DENABLE_CPACK=OFF -DENABLE_PRECOMPILED=OFF";

  @Test
  void libzmqCmakeNinjaAllRemoteAndIdenticalAtTheSamePath(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        Shell.run(tmp, "command -v cmake && command -v ninja").exitCode() == 0,
        "cmake and ninja-build are not installed (.ci/run installs them)");
    Optional<Path> src = Workloads.unpack(ROOT, "libzmq-4.3.4.tar.gz", "zeromq3", tmp);
    Assumptions.assumeTrue(src.isPresent(), "libzmq 4.3.4 sources not available");
    Path zmq = src.get();
    Path objects = Path.of("build/CMakeFiles");

    Instant t0 = Instant.now();
    Shell.Result local =
        Shell.run(
            zmq,
            Map.of(),
            "cmake -S . -B build "
                + ZMQ_OPTIONS
                + " >cmake-local.log 2>&1 && ninja -C build -j2 2>&1",
            1800);
    assertEquals(0, local.exitCode(), local.output());
    Map<String, byte[]> reference = BuildOutputs.under(zmq.resolve(objects), ".o");
    assertTrue(reference.size() >= 100, "libzmq objects: " + reference.size());
    Duration localTime = Duration.between(t0, Instant.now());
    // The local build moves aside; the grid build gets the very same directory.
    assertEquals(0, Shell.run(zmq, "mv build build-local").exitCode());

    long before = grid.stats().get("tasks_completed").asLong();
    Instant t1 = Instant.now();
    Shell.Result configure =
        Shell.run(
            zmq,
            gridEnv(),
            "cmake -S . -B build "
                + ZMQ_OPTIONS
                + " -DCMAKE_CXX_COMPILER_LAUNCHER='"
                + grid.hgbuild()
                + "' -DCMAKE_C_COMPILER_LAUNCHER='"
                + grid.hgbuild()
                + "' 2>&1",
            600);
    assertEquals(0, configure.exitCode(), configure.output());
    long afterConfigure = grid.stats().get("tasks_completed").asLong();
    Shell.Result r = Shell.run(zmq, gridEnv(), "ninja -C build -j4 2>&1", 1800);
    assertEquals(0, r.exitCode(), r.output());
    System.out.printf(
        "libzmq: %d objects; local configure+build %d s, grid configure+build %d s%n",
        reference.size(), localTime.toSeconds(), Duration.between(t1, Instant.now()).toSeconds());
    assertEquals(
        reference.size(),
        count(r.output(), "[remote worker-"),
        "every compile remote:\n" + r.output());
    assertEquals(reference.size(), grid.stats().get("tasks_completed").asLong() - afterConfigure);
    assertTrue(afterConfigure >= before);
    BuildOutputs.assertIdentical(reference, BuildOutputs.under(zmq.resolve(objects), ".o"));
    assertTrue(Files.exists(zmq.resolve("build/lib/libzmq.so.5.2.4")));
  }
}
