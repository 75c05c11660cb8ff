package io.hybridgrid.cli.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompilerProbesTest {
  @TempDir Path tmp;

  @Test
  void probesEachBinaryOnceUntilItChanges() throws Exception {
    Path cc = tmp.resolve("cc");
    Files.writeString(cc, "#!/bin/sh\n");
    Files.setLastModifiedTime(cc, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
    AtomicInteger calls = new AtomicInteger();
    CompilerProbes probes =
        new CompilerProbes(
            p -> {
              calls.incrementAndGet();
              return Optional.of(new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false));
            });

    CompilerProbes.Probed first = probes.probe(cc).orElseThrow();
    CompilerProbes.Probed second = probes.probe(cc).orElseThrow();
    assertEquals(1, calls.get());
    assertEquals(first, second);
    assertEquals(cc.toRealPath(), first.realPath());
    assertEquals(Files.size(cc), first.size());

    Files.setLastModifiedTime(cc, FileTime.from(Instant.parse("2024-06-01T00:00:00Z")));
    CompilerProbes.Probed replaced = probes.probe(cc).orElseThrow();
    assertEquals(2, calls.get(), "a replaced binary is probed again");
    assertTrue(replaced.mtimeNanos() > first.mtimeNanos());
    assertTrue(probes.probe(tmp.resolve("missing")).isEmpty());
  }
}
