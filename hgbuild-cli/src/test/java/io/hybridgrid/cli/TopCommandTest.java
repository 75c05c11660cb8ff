package io.hybridgrid.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.ListRunningTasksResponse;
import io.hybridgrid.proto.v1.RunningTask;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.WorkerInfo;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One frame of {@code hgbuild top}: a row per worker, with its breaker, and its running tasks. */
class TopCommandTest {
  private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");

  private static WorkerInfo worker(String id, String circuit, int active) {
    return WorkerInfo.newBuilder()
        .setWorkerId(id)
        .setState("active")
        .setCapabilities(Capabilities.newBuilder().setMaxParallel(2))
        .setActiveTasks(active)
        .setTasksCompleted(7)
        .setLoadAverage(1.5)
        .setTaskMillis(812)
        .setCircuitState(circuit)
        .build();
  }

  @Test
  void eachWorkerRowShowsItsCircuitAndTheTasksRunningOnIt() {
    TopCommand.Frame f =
        new TopCommand.Frame(
            Stats.newBuilder().setWorkers(3).setActiveTasks(1).build(),
            List.of(
                worker("w-closed", "CLOSED", 1),
                worker("w-open", "OPEN", 0),
                worker("w-old", "", 0)),
            ListRunningTasksResponse.newBuilder()
                .addTasks(
                    RunningTask.newBuilder()
                        .setFile("src/lvm.c")
                        .setWorkerId("w-closed")
                        .setStartedUnixMillis(NOW.minusMillis(1500).toEpochMilli()))
                .build());

    String frame = TopCommand.render(f, "127.0.0.1:9000", Clock.fixed(NOW, ZoneOffset.UTC));

    assertTrue(frame.contains("CIRCUIT"), frame);
    assertTrue(
        frame.matches("(?s).*\\nw-closed +active +closed +\\[#\\.\\] +1\\.50 +812 +7 .*"), frame);
    assertTrue(frame.matches("(?s).*\\nw-open +active +open +\\[\\.\\.\\] .*"), frame);
    // A coordinator too old to report its breaker: shown as closed, as hgbuild workers does.
    assertTrue(frame.matches("(?s).*\\nw-old +active +closed .*"), frame);
    assertTrue(frame.matches("(?s).*\\n +src/lvm\\.c +1\\.5 s\\n.*"), frame);
  }
}
