package io.hybridgrid.e2e;

import static io.hybridgrid.e2e.BuildOutputs.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds that only hermetic replay (the client's exact argv over its own files, at the original
 * paths) can distribute and keep identical: Lua with {@code clang -g}, with {@code -g3} and with
 * {@code -gsplit-dwarf} (the .dwo files too; with gcc, up to its irreproducible DWO ID), and libzmq
 * 4.3.4 (C++, CMake + Ninja, RelWithDebInfo, {@code CMAKE_CXX_COMPILER_LAUNCHER}), each built
 * locally first and then through the grid with no fallback IN THE SAME DIRECTORY: every compile
 * remote, every output identical.
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

  /** clang's split DWARF is reproducible: every .o and .dwo byte-identical. */
  @Test
  void luaWithClangSplitDwarfAllRemoteAndDwoFilesIdentical(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        Shell.run(tmp, "command -v clang").exitCode() == 0, "clang is not installed");
    checkLua(lua(tmp), "clang -std=gnu99", "-g -gsplit-dwarf", ".o", ".dwo");
  }

  /**
   * gcc 12's split DWARF is not reproducible even locally: the DWO ID that ties a .o to its .dwo
   * depends on the compiler's address-space layout (two local builds at the same path differ in
   * those 8 bytes of every .o and .dwo, and agree under {@code setarch -R}). So: every compile
   * remote, each remote .o names the DWO ID of the .dwo that came back with it (both outputs of one
   * compile), and apart from the DWO ID every byte of every .o and .dwo equals the local build's.
   */
  @Test
  void luaWithGccSplitDwarfAllRemoteAndIdenticalButTheDwoId(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(
        Shell.run(tmp, "command -v readelf").exitCode() == 0, "readelf (binutils) is missing");
    Path lua = lua(tmp);
    List<Map<String, byte[]>> both =
        buildLuaBothWays(lua, "gcc -std=gnu99", "-g -gsplit-dwarf", ".o", ".dwo");
    Map<String, byte[]> local = both.get(0);
    Map<String, byte[]> remote = both.get(1);
    assertEquals(local.keySet(), remote.keySet());
    Path scratch = Files.createDirectories(tmp.resolve("dwo-id"));
    Map<String, byte[]> localMasked = new TreeMap<>();
    Map<String, byte[]> remoteMasked = new TreeMap<>();
    for (String name : local.keySet()) {
      localMasked.put(name, withoutDwoId(local.get(name), scratch, name));
      remoteMasked.put(name, withoutDwoId(remote.get(name), scratch, name));
      if (name.endsWith(".o")) {
        String dwo = name.substring(0, name.length() - 2) + ".dwo";
        assertEquals(
            dwoId(remote.get(dwo), scratch, dwo),
            dwoId(remote.get(name), scratch, name),
            name + " and " + dwo + " come from the same remote compile");
      }
    }
    BuildOutputs.assertIdentical(localMasked, remoteMasked);
  }

  /** The DWO ID readelf reports for this .o or .dwo (not following the .o's link to a .dwo). */
  private static String dwoId(byte[] file, Path scratch, String name) throws Exception {
    Path f = scratch.resolve("id-" + name);
    Files.write(f, file);
    Shell.Result r = Shell.run(scratch, "readelf -wN --debug-dump=info '" + f + "' 2>/dev/null");
    Matcher m = Pattern.compile("DWO ID:\\s+0x([0-9a-f]+)").matcher(r.output());
    assertTrue(m.find(), name + " has no DWO ID");
    String id = m.group(1);
    assertFalse(m.find(), name + " has more than one DWO ID");
    return id;
  }

  /** {@code file} with its DWO ID's 8 bytes (little-endian) zeroed, checking it occurs once. */
  private static byte[] withoutDwoId(byte[] file, Path scratch, String name) throws Exception {
    long id = Long.parseUnsignedLong(dwoId(file, scratch, name), 16);
    byte[] le = new byte[8];
    for (int i = 0; i < 8; i++) {
      le[i] = (byte) (id >>> (8 * i));
    }
    byte[] out = file.clone();
    int found = 0;
    for (int i = 0; i + 8 <= out.length; i++) {
      if (Arrays.equals(out, i, i + 8, le, 0, 8)) {
        Arrays.fill(out, i, i + 8, (byte) 0);
        found++;
      }
    }
    assertEquals(1, found, name + ": its DWO ID occurs once");
    return out;
  }

  /**
   * Builds Lua with {@code cc} and {@code myCflags} plainly, then through the grid in the same
   * directory, and compares the outputs with the given suffixes byte for byte.
   */
  private void checkLua(Path lua, String cc, String myCflags, String... suffixes) throws Exception {
    List<Map<String, byte[]>> both = buildLuaBothWays(lua, cc, myCflags, suffixes);
    BuildOutputs.assertIdentical(both.get(0), both.get(1));
  }

  /**
   * The outputs with {@code suffixes} (34 of each) of a plain build and, after a clean, of a grid
   * build in the same directory that compiled all 34 units remotely: [local, grid].
   */
  private List<Map<String, byte[]>> buildLuaBothWays(
      Path lua, String cc, String myCflags, String... suffixes) throws Exception {
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
    assertEquals(0, Shell.run(lua, "src/lua -e 'assert(1+1==2)'").exitCode());
    return List.of(reference, BuildOutputs.under(src, suffixes));
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
