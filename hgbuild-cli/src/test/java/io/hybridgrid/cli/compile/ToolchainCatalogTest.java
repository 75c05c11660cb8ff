package io.hybridgrid.cli.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hybridgrid.cli.action.FileDigests;
import io.hybridgrid.cli.action.ShippedToolchain;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.common.toolchain.ToolchainLayout;
import io.hybridgrid.common.toolchain.ToolchainProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolchainCatalogTest {
  @TempDir Path tmp;

  private final FileHashes stamps = new FileHashes(Clock.systemUTC());
  private final FileDigests digests = new FileDigests(stamps, Clock.systemUTC());
  private Instant now = Instant.now();
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @Test
  void aCompilerIsProbedOnceUntilItChanges() throws Exception {
    Path driver = Files.writeString(tmp.resolve("gcc"), "driver v1");
    Path cc1 = Files.writeString(tmp.resolve("cc1"), "cc1 v1");
    AtomicInteger probes = new AtomicInteger();
    ToolchainCatalog catalog =
        new ToolchainCatalog(
            (compiler, family, path) -> {
              probes.incrementAndGet();
              return new ToolchainLayout(
                  compiler, List.of(cc1, driver), List.of(driver, cc1), new TreeMap<>(), "amd64");
            },
            stamps,
            digests,
            clock);
    ShippedToolchain first = catalog.toolchain(driver, "gcc", "/usr/bin").orElseThrow();
    ShippedToolchain again = catalog.toolchain(driver, "gcc", "/usr/bin").orElseThrow();
    assertEquals(1, probes.get(), "the second compile does not probe");
    assertEquals(first, again);
    assertEquals(2, first.files().size());
    assertEquals(64, first.digest().length());

    // A file of the toolchain changed: same layout, new digest once it is checked again, still no
    // probe.
    Files.writeString(cc1, "cc1 v2, longer");
    assertEquals(first, catalog.toolchain(driver, "gcc", "/usr/bin").orElseThrow(), "reused");
    now = now.plus(ToolchainCatalog.RECHECK);
    ShippedToolchain changed = catalog.toolchain(driver, "gcc", "/usr/bin").orElseThrow();
    assertEquals(1, probes.get());
    assertNotEquals(first.digest(), changed.digest());

    // The driver itself changed (an upgrade): probed again.
    Files.writeString(driver, "driver v2");
    Files.setLastModifiedTime(driver, FileTime.from(Instant.now().plusSeconds(5)));
    assertTrue(catalog.toolchain(driver, "gcc", "/usr/bin").isPresent());
    assertEquals(2, probes.get());
  }

  @Test
  void aCompilerThatCannotBeProbedShipsNothingAndIsNotAskedAgain() throws Exception {
    Path driver = Files.writeString(tmp.resolve("cc"), "x");
    AtomicInteger probes = new AtomicInteger();
    ToolchainCatalog catalog =
        new ToolchainCatalog(
            (compiler, family, path) -> {
              probes.incrementAndGet();
              throw new IOException("no answer");
            },
            stamps,
            digests,
            clock);
    assertEquals(Optional.empty(), catalog.toolchain(driver, "gcc", ""));
    assertEquals(Optional.empty(), catalog.toolchain(driver, "gcc", ""));
    assertEquals(1, probes.get());
  }

  @Test
  void theRealGccToolchainHasItsProgramsLibrariesAndHeaders() {
    Path gcc = Path.of("/usr/bin/gcc");
    assumeTrue(Files.isExecutable(gcc), "gcc is not installed");
    ToolchainCatalog catalog =
        new ToolchainCatalog(
            (compiler, family, path) -> new ToolchainProbe(path).probe(compiler, family),
            stamps,
            digests,
            clock);
    ShippedToolchain t = catalog.toolchain(gcc, "gcc", "/usr/bin:/bin").orElseThrow();
    List<String> paths = t.files().stream().map(f -> f.path()).toList();
    assertTrue(paths.stream().anyMatch(p -> p.endsWith("/cc1")), "cc1");
    assertTrue(paths.stream().anyMatch(p -> p.endsWith("/cc1plus")), "cc1plus");
    // /usr/bin/as is a link to x86_64-linux-gnu-as on Debian: the real file is shipped.
    assertTrue(paths.stream().anyMatch(p -> p.matches(".*/([a-z0-9_]+-linux-gnu-)?as")), "as");
    assertTrue(paths.stream().anyMatch(p -> p.contains("libc.so")), "libc");
    assertTrue(paths.stream().anyMatch(p -> p.endsWith("/include/stddef.h")), "stddef.h");
    System.out.printf(
        "gcc toolchain: %d files, %d links, %d bytes%n",
        t.files().size(), t.symlinks().size(), t.totalBytes());
  }
}
