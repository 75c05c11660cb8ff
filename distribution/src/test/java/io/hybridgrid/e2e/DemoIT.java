package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quick-start demo (scripts/demo.sh) builds its project through the grid and exits 0. */
class DemoIT {
  private static final Path ROOT = Path.of(System.getProperty("hg.root", "..")).toAbsolutePath();

  @Test
  void demoSucceedsAndExitsZero() throws Exception {
    Shell.Result r = Shell.run(ROOT, Map.of(), "scripts/demo.sh 2>&1", 300);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains(".c [remote worker-"), r.output());
  }
}
