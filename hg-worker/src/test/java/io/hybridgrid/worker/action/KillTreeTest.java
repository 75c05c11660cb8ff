package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KillTreeTest {
  /**
   * What the sandbox does to a cancelled or timed-out command: its whole tree goes, the process and
   * the children it started, although a killed parent's children are re-parented away from it.
   */
  @Test
  void killsTheProcessAndItsDescendants() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "sleep 300 & sleep 300; wait").start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (p.descendants().count() < 2) {
      assertTrue(System.nanoTime() < deadline, "children did not start");
      Thread.sleep(10); // polling with a deadline
    }
    List<ProcessHandle> children = p.descendants().toList();

    BwrapSandbox.killTree(p);

    assertFalse(p.isAlive());
    for (ProcessHandle c : children) {
      c.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertFalse(c.isAlive(), "child " + c.pid() + " survived");
    }
  }
}
