package io.hybridgrid.e2e;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * For end-to-end classes that build through dist/: a coordinator with two loopback workers per test
 * class, and a daemon (socket, cache, log) of each test's own, stopped after it.
 */
abstract class TwoWorkerGridTest {
  /** The dist/ the tests run ({@code -Dhg.dist}, else the checkout's). */
  static final Path DIST = Path.of(System.getProperty("hg.dist", "../dist")).toAbsolutePath();

  /** The checkout, beside which ../shared/workloads is looked for ({@code -Dhg.root}). */
  static final Path ROOT = Path.of(System.getProperty("hg.root", "..")).toAbsolutePath();

  static LoopbackGrid grid;
  PrivateDaemon daemon;

  @BeforeAll
  static void startGrid() throws Exception {
    grid = new LoopbackGrid(DIST, 2);
  }

  @AfterAll
  static void stopGrid() throws Exception {
    if (grid != null) {
      grid.close();
      grid = null;
    }
  }

  @BeforeEach
  void privateDaemon() throws IOException {
    daemon = new PrivateDaemon(DIST);
  }

  @AfterEach
  void stopDaemon() throws Exception {
    daemon.close();
  }
}
