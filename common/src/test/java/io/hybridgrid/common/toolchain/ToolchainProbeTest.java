package io.hybridgrid.common.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolchainProbeTest {
  private static final String PATH = System.getenv("PATH");

  private static Path onPath(String name) {
    for (String dir : PATH.split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static void assertAny(List<Path> paths, Predicate<Path> p, String what) {
    assertTrue(paths.stream().anyMatch(p), what + " missing from " + paths);
  }

  private static boolean named(Path p, String prefix) {
    return p.getFileName().toString().startsWith(prefix);
  }

  @Test
  void gccToolchainHasTheDriverCc1AsTheirLibrariesAndItsOwnHeaders() throws IOException {
    Path gcc = onPath("gcc");
    assumeTrue(gcc != null, "gcc is not on PATH");
    ToolchainLayout t = new ToolchainProbe(PATH).probe(gcc, "gcc");

    assertAny(t.executables(), p -> p.getFileName().toString().equals("cc1"), "cc1");
    assertAny(t.executables(), p -> p.getFileName().toString().equals("cc1plus"), "cc1plus");
    assertAny(t.executables(), p -> p.getFileName().toString().endsWith("-as"), "as");
    assertTrue(t.executables().contains(gcc.toRealPath()), "driver");
    assertAny(t.files(), p -> named(p, "libc.so"), "libc");
    assertAny(t.files(), p -> named(p, "ld-linux"), "loader");
    assertAny(t.files(), p -> p.endsWith(Path.of("include", "stddef.h")), "stddef.h");
    for (Path f : t.files()) {
      assertTrue(f.isAbsolute(), f.toString());
      assertFalse(Files.isSymbolicLink(f), f + " is a link");
      assertTrue(Files.isRegularFile(f), f + " is not a file");
    }
    List<Path> sorted = new ArrayList<>(t.files());
    sorted.sort(null);
    assertEquals(sorted, t.files());
    if (Files.isSymbolicLink(gcc)) {
      assertTrue(t.symlinks().containsKey(gcc), "the driver's link is recorded");
    }
    assertEquals(System.getProperty("os.arch"), t.hostArch());
  }

  @Test
  void clangToolchainHasClangItsLibrariesAndItsResourceHeaders() throws IOException {
    Path clang = onPath("clang");
    assumeTrue(clang != null, "clang is not on PATH");
    ToolchainLayout t = new ToolchainProbe(PATH).probe(clang, "clang");

    assertTrue(t.executables().contains(clang.toRealPath()), "clang itself");
    assertAny(t.files(), p -> named(p, "libLLVM"), "libLLVM");
    assertAny(t.files(), p -> p.endsWith(Path.of("include", "stddef.h")), "stddef.h");
  }

  @Test
  void linksOnTheWayAreRecordedSoThePathResolvesTheSameElsewhere(@TempDir Path dir)
      throws IOException {
    Path real = Files.createDirectories(dir.resolve("real/bin"));
    Path tool = Files.writeString(real.resolve("tool-12"), "x");
    Files.createSymbolicLink(dir.resolve("usr"), Path.of("real"));
    Files.createSymbolicLink(real.resolve("tool"), Path.of("tool-12"));
    Map<Path, String> links = new TreeMap<>();

    Path resolved = new SymlinkWalk(links).resolve(dir.resolve("usr/bin/tool"));

    assertEquals(tool, resolved);
    assertEquals(
        Map.of(dir.resolve("usr"), "real", dir.resolve("real/bin/tool"), "tool-12"), links);
  }

  @Test
  void dotDotAfterALinkGoesUpFromTheLinkTarget(@TempDir Path dir) throws IOException {
    Path target = Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/x.h"), "");
    Files.createSymbolicLink(dir.resolve("link"), target);

    Path resolved = new SymlinkWalk(new TreeMap<>()).resolve(dir.resolve("link/../x.h"));

    assertEquals(dir.resolve("a/x.h"), resolved);
  }

  @Test
  void aLinkLoopOrAMissingFileIsAnError(@TempDir Path dir) throws IOException {
    Files.createSymbolicLink(dir.resolve("l1"), Path.of("l2"));
    Files.createSymbolicLink(dir.resolve("l2"), Path.of("l1"));
    SymlinkWalk walk = new SymlinkWalk(new TreeMap<>());

    IOException loop = assertThrows(IOException.class, () -> walk.resolve(dir.resolve("l1")));
    assertTrue(loop.getMessage().contains("too many levels"), loop.getMessage());
    IOException missing =
        assertThrows(IOException.class, () -> walk.resolve(dir.resolve("missing")));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
  }
}
