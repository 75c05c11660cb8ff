package io.hybridgrid.coord.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

  private static ConnectivityEvent event(int i, ConnectivityEvent.Type type) {
    return new ConnectivityEvent(T0.plusSeconds(i), type, "w" + i, "host" + i, "reason " + i);
  }

  private static List<String> workers(List<ConnectivityEvent> events) {
    return events.stream().map(ConnectivityEvent::workerId).toList();
  }

  @Test
  void eventsSurviveARestartOnTheSameFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("state/events.jsonl");
    try (EventLog log = EventLog.persistent(file, 100).start()) {
      log.record(event(1, ConnectivityEvent.Type.JOIN));
      log.record(event(2, ConnectivityEvent.Type.TIMEOUT));
      log.record(event(3, ConnectivityEvent.Type.LEAVE));
    }

    try (EventLog again = EventLog.persistent(file, 100).start()) {
      assertEquals(
          List.of(
              event(1, ConnectivityEvent.Type.JOIN),
              event(2, ConnectivityEvent.Type.TIMEOUT),
              event(3, ConnectivityEvent.Type.LEAVE)),
          again.recent(10));
      again.record(event(4, ConnectivityEvent.Type.JOIN));
      assertEquals(List.of("w3", "w4"), workers(again.recent(2)));
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(4, lines.size());
    assertEquals(
        "{\"time\":\"2024-05-01T10:00:02Z\",\"type\":\"timeout\",\"worker\":\"w2\","
            + "\"host\":\"host2\",\"reason\":\"reason 2\"}",
        lines.get(1));
  }

  @Test
  void memoryKeepsTheLastCapacityAndTheFileIsCompactedAtTwiceThat(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("events.jsonl");
    try (EventLog log = EventLog.persistent(file, 3).start()) {
      for (int i = 1; i <= 6; i++) {
        log.record(event(i, ConnectivityEvent.Type.JOIN));
      }
      assertEquals(List.of("w4", "w5", "w6"), workers(log.recent(10)));
      assertEquals(6, Files.readAllLines(file).size(), "appended until 2 × capacity lines");

      log.record(event(7, ConnectivityEvent.Type.JOIN));

      // rewritten with the 3 kept, then the new one appended
      assertEquals(4, Files.readAllLines(file).size());
      assertEquals(List.of("w5", "w6", "w7"), workers(log.recent(10)));
      for (int i = 8; i <= 100; i++) {
        log.record(event(i, ConnectivityEvent.Type.LEAVE));
      }
      assertTrue(Files.readAllLines(file).size() <= 6, "the file stays bounded");
    }
    try (EventLog again = EventLog.persistent(file, 3).start()) {
      assertEquals(List.of("w98", "w99", "w100"), workers(again.recent(3)));
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of("events.jsonl"), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void aTornOrForeignLineIsSkipped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("events.jsonl");
    try (EventLog log = EventLog.persistent(file, 10).start()) {
      log.record(event(1, ConnectivityEvent.Type.JOIN));
    }
    Files.writeString(
        file,
        "not json\n{\"time\":\"2024-05-01T10:00:09Z\",\"type\":\"explode\",\"worker\":\"x\"}\n"
            + "{\"time\":\"2024-05-01T10:00:0",
        StandardOpenOption.APPEND);

    try (EventLog again = EventLog.persistent(file, 10).start()) {
      assertEquals(List.of(event(1, ConnectivityEvent.Type.JOIN)), again.recent(10));
      again.record(event(2, ConnectivityEvent.Type.LEAVE));
    }
    try (EventLog third = EventLog.persistent(file, 10).start()) {
      assertEquals(List.of("w1", "w2"), workers(third.recent(10)));
    }
  }

  @Test
  void inMemoryLogKeepsTheLastCapacity() {
    EventLog log = EventLog.inMemory(2);
    for (int i = 1; i <= 3; i++) {
      log.record(event(i, ConnectivityEvent.Type.JOIN));
    }
    assertEquals(List.of("w2", "w3"), workers(log.recent(5)));
    assertEquals(List.of("w3"), workers(log.recent(1)));
    assertEquals(List.of(), log.recent(0));
  }
}
