package io.hybridgrid.common.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
  @Test
  void namedThreadsAreDaemonsWithTheGivenName() {
    Thread t = DaemonThreads.named("hg-test-timer").newThread(() -> {});
    assertEquals("hg-test-timer", t.getName());
    assertTrue(t.isDaemon());
  }

  @Test
  void numberedThreadsCountFromOnePerFactory() {
    ThreadFactory f = DaemonThreads.numbered("hg-test-pool");
    assertEquals("hg-test-pool-1", f.newThread(() -> {}).getName());
    Thread second = f.newThread(() -> {});
    assertEquals("hg-test-pool-2", second.getName());
    assertTrue(second.isDaemon());
    assertEquals(
        "hg-test-pool-1", DaemonThreads.numbered("hg-test-pool").newThread(() -> {}).getName());
  }
}
