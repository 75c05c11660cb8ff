package io.hybridgrid.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.hybridgrid.cli.cache.StatsDelta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientActivityTest {
  private static StatsDelta delta(String... counters) {
    StatsDelta d = new StatsDelta();
    for (String c : counters) {
      d.increment(c);
    }
    return d;
  }

  @Test
  void placementFollowsWhatTheFlowCounted() {
    assertEquals("local_cache", ClientActivity.placement(delta(StatsDelta.HITS_DIRECT)));
    assertEquals(
        "fallback", ClientActivity.placement(delta(StatsDelta.FALLBACKS, StatsDelta.LOCAL)));
    assertEquals("remote", ClientActivity.placement(delta(StatsDelta.MISSES, StatsDelta.REMOTE)));
    assertEquals("local", ClientActivity.placement(delta(StatsDelta.LOCAL)));
  }

  @Test
  void fileIsTheSourceElseTheOutput() {
    assertEquals("lapi.c", ClientActivity.file(List.of("gcc", "-c", "-o", "lapi.o", "lapi.c")));
    assertEquals("lua", ClientActivity.file(List.of("gcc", "-o", "lua", "lua.o", "-lm")));
  }

  @Test
  void aBuildsCountsGoToItsProgressFile(@TempDir Path dir) throws Exception {
    ClientActivity a = new ClientActivity(dir, Clock.systemUTC(), "ann@host");
    Map<String, String> env = Map.of("HG_BUILD_ID", "b1-42");
    a.compiled(env, List.of("gcc", "-c", "a.c"), delta(StatsDelta.REMOTE), 0, 10, null);
    a.compiled(env, List.of("gcc", "-c", "b.c"), delta(StatsDelta.HITS_DIRECT), 0, 10, null);
    a.compiled(env, List.of("gcc", "-c", "c.c"), delta(StatsDelta.FALLBACKS), 1, 10, null);
    a.compiled(env, List.of("gcc", "-o", "x", "a.o"), delta(StatsDelta.LOCAL), 0, 10, null);
    assertEquals("4 1 1 1 1 1\n", Files.readString(ClientActivity.progressFile(dir, "b1-42")));
    // A build id that could name another file is not used.
    a.compiled(Map.of("HG_BUILD_ID", "../x"), List.of("gcc", "-c", "a.c"), delta(), 0, 1, null);
    assertFalse(Files.exists(dir.resolve("build-../x.progress")));
    assertEquals(1, Files.list(dir).count());
  }
}
