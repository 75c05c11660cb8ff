package io.hybridgrid.coord.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskLogTest {
  private static TaskRecord task(int i, String build, String placement) {
    return new TaskRecord(
        Instant.parse("2026-11-30T10:00:00Z").plusSeconds(i),
        "f" + i + ".c",
        "ann",
        build,
        placement.equals("remote") ? "w1" : "",
        placement,
        "success",
        12.5,
        0.5,
        1000,
        500);
  }

  @Test
  void rotatesAtTheSizeAndKeepsTheNewestFiles(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tasks.jsonl");
    try (TaskLog log = new TaskLog(file, 4096, 2).start()) {
      for (int i = 0; i < 200; i++) {
        log.append(task(i, "b1", "remote"));
      }
    }
    assertTrue(Files.size(file) <= 4096, "current file bounded");
    assertTrue(Files.exists(dir.resolve("tasks.jsonl.1")));
    assertTrue(Files.exists(dir.resolve("tasks.jsonl.2")));
    assertFalse(Files.exists(dir.resolve("tasks.jsonl.3")), "only 2 rotated files kept");
    List<TaskRecord> all = TaskLog.read(file, 2);
    assertTrue(all.size() < 200, "the oldest were dropped: " + all.size());
    assertEquals(task(199, "b1", "remote"), all.get(all.size() - 1));
    for (int i = 1; i < all.size(); i++) {
      assertTrue(all.get(i - 1).finished().isBefore(all.get(i).finished()), "oldest first");
    }
  }

  @Test
  void aTornLineIsSkippedAndTheFeedRebuildsBuildsFromTheLog(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tasks.jsonl");
    try (TaskLog log = new TaskLog(file, 1 << 20, 1).start()) {
      log.append(task(1, "b1", "remote"));
      log.append(task(2, "b1", "cache"));
    }
    Files.writeString(file, "{\"time\":\"2026-", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    try (TaskLog log = new TaskLog(file, 1 << 20, 1).start()) {
      TaskFeed<String> feed =
          new TaskFeed<>(p -> p, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), log);
      feed.start();
      feed.finished(task(3, "b2", "local_cache"));
      List<BuildSummary> builds = feed.builds(10);
      assertEquals(2, builds.size());
      assertEquals("b2", builds.get(0).buildId(), "most recently active first");
      BuildSummary b1 = builds.get(1);
      assertEquals(2, b1.tasks());
      assertEquals(1, b1.remote());
      assertEquals(1, b1.cached());
      assertEquals(1, builds.get(0).localCache());
    }
  }

  @Test
  void badSettingsSayWhatIsWrong() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new TaskLogSettings(Path.of("/tmp/x"), 100, 3));
    assertTrue(e.getMessage().contains("--task-log-size"), e.getMessage());
  }

  @Test
  void feedHandsOutOnlyWhatAViewHasNotSeen() {
    TaskFeed<String> feed =
        new TaskFeed<>(p -> p, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), null);
    for (int i = 0; i < 5; i++) {
      feed.finished(task(i, "", "remote"));
    }
    assertEquals(5, feed.since(0, 100).size());
    assertEquals(2, feed.since(3, 100).size());
    assertEquals(5, feed.since(3, 100).get(1).seq());
    assertEquals(2, feed.since(0, 2).size(), "limit keeps the newest");
    assertEquals(5, feed.since(0, 2).get(1).seq());
    assertTrue(feed.builds(10).isEmpty(), "tasks without a build id make no build");
  }
}
