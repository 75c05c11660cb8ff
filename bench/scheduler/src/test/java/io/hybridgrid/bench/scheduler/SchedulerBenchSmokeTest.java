package io.hybridgrid.bench.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.coord.scheduler.SchedulerKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The benchmark's moving parts work end to end on a tiny fleet; no timing is asserted. */
class SchedulerBenchSmokeTest {
  @Test
  void everyTaskOfABatchIsRunByASimulatedWorkerThroughTheCoordinator() throws Exception {
    List<WorkerProfile> fleet = WorkerProfile.heterogeneous(3, 7);
    try (BenchGrid grid = new BenchGrid(SchedulerKind.P2C, fleet, 2)) {
      LatencySamples queue = new LatencySamples(1000);
      LoadGenerator load =
          new LoadGenerator(grid.clientChannels(), 8, new CompileTimes(1, 0.5, 5), 42, queue);
      LoadGenerator.Outcome o = load.runBatch(50, Duration.ofSeconds(60));
      assertEquals(50, o.completed(), () -> "first error: " + o.firstError());
      assertEquals(0, o.failed());
      assertEquals(50, grid.workers().stream().mapToInt(SimulatedWorker::completed).sum());
      assertEquals(50, grid.sendToAssign.summary().count);
      assertEquals(50, queue.summary().count);
      assertTrue(grid.decisions.summary().count >= 50, "every placement went through pick()");
    }
  }

  @Test
  void theCommandWritesCsvsAndTheSection(@TempDir Path out) throws Exception {
    int exit =
        new CommandLine(new SchedulerBench())
            .execute(
                "--out", out.toString(),
                "--workers", "2",
                "--warmup-s", "0",
                "--measure-s", "1",
                "--in-flight", "4",
                "--makespan-workers", "2",
                "--makespan-tasks", "10",
                "--makespan-in-flight", "4",
                "--makespan-median-ms", "2",
                "--seeds", "1");
    assertEquals(0, exit);
    assertEquals(2, Files.readAllLines(out.resolve("throughput.csv")).size());
    assertEquals(4, Files.readAllLines(out.resolve("makespan.csv")).size());
    String section = Files.readString(out.resolve("section.md"));
    assertTrue(section.contains("| 4 | least-loaded |"), section);
  }

  @Test
  void tasksCarryTheirCostAndSendTime() {
    BenchTasks.Stamp s = BenchTasks.stamp(BenchTasks.action(1, 2, 3456, 789));
    assertEquals(new BenchTasks.Stamp(3456, 789), s);
  }
}
