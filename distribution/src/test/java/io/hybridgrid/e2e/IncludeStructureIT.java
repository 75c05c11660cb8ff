package io.hybridgrid.e2e;

import static io.hybridgrid.e2e.BuildOutputs.compilerOutput;
import static io.hybridgrid.e2e.BuildOutputs.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The include structures real projects use (src/test/resources/include-project, see its README): a
 * .c including a .c, -I with ./ and ../ and a symlinked directory, -iquote, -isystem, -include,
 * computed includes, #include_next, #pragma once, __FILE__/__LINE__/__COUNTER__, __has_include.
 * Built with {@code -std=c11 -pedantic -Werror -Wall -g -MMD} locally, then through the grid with
 * no fallback in the same directory: every compile remote, objects, .d files and the compiler's
 * stderr identical. A second build drops -Werror and adds a unit that warns, so stderr is not empty
 * and names header paths and include chains.
 */
class IncludeStructureIT extends TwoWorkerGridTest {
  private static final Path PROJECT =
      ROOT.resolve("distribution/src/test/resources/include-project");

  /** Units of the strict build (src/*.c and src/sub/deep.c; part.c is only included). */
  private static final int STRICT_UNITS = 4;

  @Test
  void strictPedanticWerrorBuildIsRemoteAndIdentical(@TempDir Path tmp) throws Exception {
    Path dir = project(tmp);
    String localErr = buildAndCompare(dir, "", STRICT_UNITS);
    assertEquals("", localErr.strip(), "the strict build compiles without a diagnostic");
  }

  @Test
  void pedanticWarningsWithoutWerrorAreIdenticalToLocal(@TempDir Path tmp) throws Exception {
    Path dir = project(tmp);
    String localErr = buildAndCompare(dir, "WERROR= WARN=1", STRICT_UNITS + 1);
    // The project really warns, with paths and include chains in the text.
    assertTrue(localErr.contains("#include_next is a GCC extension"), localErr);
    assertTrue(localErr.contains("In file included from src/warnings.c:"), localErr);
    assertTrue(localErr.contains("linked/warnhdr.h:2:12: warning:"), localErr);
    assertTrue(localErr.contains("binary constants"), localErr);
  }

  /** A copy of the project in {@code tmp}, with the symlink {@code linked -> real/deeper/inc}. */
  private static Path project(Path tmp) throws Exception {
    Path dir = tmp.resolve("include-project");
    Shell.Result cp =
        Shell.run(
            tmp,
            "cp -r '"
                + PROJECT
                + "' '"
                + dir
                + "' && ln -s real/deeper/inc "
                + dir.resolve("linked"));
    assertEquals(0, cp.exitCode(), cp.output());
    assertTrue(Files.isSymbolicLink(dir.resolve("linked")));
    return dir;
  }

  /**
   * Builds locally with {@code makeArgs}, moves obj/ aside, builds through the grid in the same
   * directory (make -j1, so stderr comes in the same order) and compares; returns the local build's
   * stderr.
   */
  private String buildAndCompare(Path dir, String makeArgs, int units) throws Exception {
    Shell.Result local =
        Shell.run(dir, Map.of(), "make -j1 " + makeArgs + " CC=gcc >local.out 2>local.err", 300);
    String localErr = Files.readString(dir.resolve("local.err"));
    assertEquals(0, local.exitCode(), localErr);
    Map<String, byte[]> objects = BuildOutputs.under(dir.resolve("obj"), ".o");
    Map<String, byte[]> deps = BuildOutputs.under(dir.resolve("obj"), ".d");
    assertEquals(units, objects.size(), objects.keySet().toString());
    assertEquals(units, deps.size(), deps.keySet().toString());
    assertEquals(0, Shell.run(dir, "mv obj obj-local").exitCode());

    long before = grid.stats().get("tasks_completed").asLong();
    Shell.Result remote =
        Shell.run(
            dir,
            daemon.env(
                Map.of(
                    "HG_COORDINATOR", grid.coordinator(),
                    "HG_NO_FALLBACK", "1",
                    "HG_VERBOSE", "1",
                    "HG_NO_CACHE", "1")),
            "make -j1 " + makeArgs + " CC='" + grid.hgbuild() + " gcc' >grid.out 2>grid.err",
            600);
    String gridErr = Files.readString(dir.resolve("grid.err"));
    assertEquals(0, remote.exitCode(), gridErr);
    assertEquals(units, count(gridErr, "[remote worker-"), "every compile remote:\n" + gridErr);
    assertEquals(units, grid.stats().get("tasks_completed").asLong() - before);
    assertEquals(compilerOutput(localErr), compilerOutput(gridErr), "the compiler's stderr");
    BuildOutputs.assertIdentical(objects, BuildOutputs.under(dir.resolve("obj"), ".o"));
    BuildOutputs.assertIdentical(deps, BuildOutputs.under(dir.resolve("obj"), ".d"));
    return localErr;
  }
}
