package io.hybridgrid.worker.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection on a PATH of symlinks to the real drivers, and the --compilers filter. */
class InstalledCompilersTest {
  private static final Path GCC = Path.of("/usr/bin/gcc");
  private static final Path CROSS = Path.of("/usr/bin/aarch64-linux-gnu-gcc");

  @Test
  void crossGccIsDetectedWithItsTargetTriple(@TempDir Path bin) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(GCC), "gcc not installed");
    Assumptions.assumeTrue(Files.isExecutable(CROSS), "gcc-aarch64-linux-gnu not installed");
    Files.createSymbolicLink(bin.resolve("gcc"), GCC);
    Files.createSymbolicLink(bin.resolve("aarch64-linux-gnu-gcc"), CROSS);

    InstalledCompilers all = InstalledCompilers.detect(bin.toString());
    Set<String> targets =
        all.identities().stream().map(CompilerIdentity::target).collect(Collectors.toSet());
    assertTrue(targets.contains("aarch64-linux-gnu"), targets.toString());
    assertEquals(2, all.identities().size(), all.all().toString());
    CompilerIdentity cross =
        all.identities().stream()
            .filter(i -> i.target().equals("aarch64-linux-gnu"))
            .findFirst()
            .orElseThrow();
    assertEquals("gcc", cross.family());
    assertFalse(cross.cxxDriver());
    assertEquals(bin.resolve("aarch64-linux-gnu-gcc"), all.find(cross).orElseThrow());

    InstalledCompilers hostOnly =
        InstalledCompilers.detect(bin.toString(), CompilerFilter.parse("gcc"));
    assertEquals(1, hostOnly.identities().size());
    assertFalse(hostOnly.find(cross).isPresent());

    InstalledCompilers crossOnly =
        InstalledCompilers.detect(bin.toString(), CompilerFilter.parse("aarch64-*"));
    assertEquals(Set.of(cross), crossOnly.identities());
  }

  @Test
  void filterMatchesNamesAndGlobs() {
    CompilerFilter f = CompilerFilter.parse(" gcc, g++ ,aarch64-*");
    assertTrue(f.accepts("gcc"));
    assertTrue(f.accepts("g++"));
    assertTrue(f.accepts("aarch64-linux-gnu-gcc-12"));
    assertFalse(f.accepts("gcc-12"));
    assertFalse(f.accepts("clang"));
    assertTrue(CompilerFilter.parse(null).accepts("anything"));
    assertTrue(CompilerFilter.parse(" ").accepts("clang"));
  }

  @Test
  void filterRejectsPathsWithAClearMessage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CompilerFilter.parse("gcc,/usr/bin/cc"));
    assertTrue(e.getMessage().contains("'/usr/bin/cc'"), e.getMessage());
  }
}
