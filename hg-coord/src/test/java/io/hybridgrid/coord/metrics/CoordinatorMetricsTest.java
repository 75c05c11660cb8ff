package io.hybridgrid.coord.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.hybridgrid.coord.testing.FirstCandidate;
import io.hybridgrid.coord.testing.MutableClock;
import io.hybridgrid.coord.testing.RecordingSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher's and the cache's code paths move the metrics they name, and promtool agrees. */
class CoordinatorMetricsTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
  private CoordinatorStatus status;
  private final CoordinatorMetrics metrics =
      new CoordinatorMetrics(() -> status.workers(), () -> status.stats());
  private final Dispatcher<String, Integer> dispatcher =
      new Dispatcher<>(
          DispatchSettings.defaults(),
          new FirstCandidate(),
          clock,
          r -> r != 0,
          EventLog.inMemory(10),
          metrics);

  {
    status = new CoordinatorStatus(dispatcher, clock);
  }

  static double value(String scrape, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
    if (!m.find()) {
      throw new AssertionError("no series " + series + " in\n" + scrape);
    }
    return Double.parseDouble(m.group(1));
  }

  @Test
  void everyNamedMetricIsThereFromTheStart() {
    String s = metrics.scrape();
    for (String name :
        new String[] {
          "hybridgrid_tasks_total{outcome=\"success\",placement=\"remote\"}",
          "hybridgrid_task_duration_seconds_count",
          "hybridgrid_queue_time_seconds_count",
          "hybridgrid_cache_hits_total{tier=\"memory\"}",
          "hybridgrid_cache_misses_total{tier=\"disk\"}",
          "hybridgrid_fallbacks_total{reason=\"grid_unavailable\"}",
          "hybridgrid_workers{state=\"active\"}",
          "hybridgrid_active_tasks",
          "hybridgrid_queue_depth",
          "hybridgrid_network_transfer_bytes_count{direction=\"in\",peer=\"client\"}",
          "hybridgrid_cas_blobs",
          "hybridgrid_cas_bytes",
          "hybridgrid_cas_uploads_total",
          "hybridgrid_verifications_total{outcome=\"mismatch\"}",
          "hybridgrid_quarantines_total",
        }) {
      assertEquals(0, value(s, name), name);
    }
    assertTrue(s.contains("jvm_memory_used_bytes"), "JVM metrics");
    assertTrue(s.contains("process_cpu_usage"), "process metrics");
  }

  @Test
  void circuitStateIsTheDispatchersBreakerOfEachWorker() {
    RecordingSink sink = new RecordingSink();
    dispatcher.register(
        new WorkerDescriptor(
            "w1", "w1.lan", 8, 16L << 30, "amd64", "linux", Set.of(GCC), 1, "0.1.0"),
        sink);
    assertEquals(0, value(metrics.scrape(), "hybridgrid_circuit_state{worker=\"w1\"}"));
    // Three infrastructure failures in a row (the breaker's minimum) open it.
    for (int i = 0; i < 3; i++) {
      dispatcher.submit(GCC, Priority.INTERACTIVE, "f" + i + ".c");
      dispatcher.rejected("w1", sink.last().taskId(), Rejection.INFRASTRUCTURE, "crashed");
    }
    assertEquals("OPEN", status.workers().get(0).circuitState());
    assertEquals(2, value(metrics.scrape(), "hybridgrid_circuit_state{worker=\"w1\"}"));
  }

  @Test
  void aTaskThroughTheDispatcherMovesTasksDurationQueueAndGauges() {
    RecordingSink sink = new RecordingSink();
    dispatcher.register(
        new WorkerDescriptor(
            "w1", "w1.lan", 8, 16L << 30, "amd64", "linux", Set.of(GCC), 1, "0.1.0"),
        sink);
    dispatcher.submit(GCC, Priority.INTERACTIVE, "a.c");
    dispatcher.submit(GCC, Priority.INTERACTIVE, "b.c"); // waits: one slot
    String during = metrics.scrape();
    assertEquals(1, value(during, "hybridgrid_active_tasks"));
    assertEquals(1, value(during, "hybridgrid_queue_depth"));
    assertEquals(1, value(during, "hybridgrid_workers{state=\"active\"}"));
    assertEquals(0, value(during, "hybridgrid_circuit_state{worker=\"w1\"}"));

    clock.advance(Duration.ofMillis(700));
    dispatcher.result("w1", sink.last().taskId(), 0);
    clock.advance(Duration.ofMillis(300));
    dispatcher.result("w1", sink.last().taskId(), 1);
    dispatcher.pong("w1", clock.instant().minusMillis(4));

    String after = metrics.scrape();
    assertEquals(
        1, value(after, "hybridgrid_tasks_total{outcome=\"success\",placement=\"remote\"}"));
    assertEquals(
        1, value(after, "hybridgrid_tasks_total{outcome=\"compile_error\",placement=\"remote\"}"));
    assertEquals(2, value(after, "hybridgrid_task_duration_seconds_count"));
    assertEquals(1.0, value(after, "hybridgrid_task_duration_seconds_sum"), 1e-9);
    assertEquals(2, value(after, "hybridgrid_queue_time_seconds_count"));
    assertEquals(0.7, value(after, "hybridgrid_queue_time_seconds_sum"), 1e-9);
    assertEquals(0.004, value(after, "hybridgrid_worker_latency_seconds{worker=\"w1\"}"), 1e-9);
    assertEquals(0, value(after, "hybridgrid_active_tasks"));

    dispatcher.workerGone("w1", sink, "test");
    assertEquals(0, value(metrics.scrape(), "hybridgrid_workers{state=\"active\"}"));
  }

  @Test
  void otherCodePathsReportThroughGridMetrics() {
    metrics.cacheLookup("memory", true);
    metrics.fallbacks("grid_unavailable", 3);
    metrics.transfer("out", "worker", 1000);
    metrics.casStore(() -> 7, () -> 7000);
    metrics.casUpload(512);
    metrics.verification("mismatch");
    metrics.quarantined("w9");
    String s = metrics.scrape();
    assertEquals(1, value(s, "hybridgrid_cache_hits_total{tier=\"memory\"}"));
    assertEquals(3, value(s, "hybridgrid_fallbacks_total{reason=\"grid_unavailable\"}"));
    assertEquals(
        1000, value(s, "hybridgrid_network_transfer_bytes_sum{direction=\"out\",peer=\"worker\"}"));
    assertEquals(7, value(s, "hybridgrid_cas_blobs"));
    assertEquals(7000, value(s, "hybridgrid_cas_bytes"));
    assertEquals(1, value(s, "hybridgrid_cas_uploads_total"));
    assertEquals(512, value(s, "hybridgrid_cas_upload_bytes_total"));
    assertEquals(1, value(s, "hybridgrid_verifications_total{outcome=\"mismatch\"}"));
    assertEquals(1, value(s, "hybridgrid_quarantines_total"));
  }

  @Test
  void promtoolAcceptsTheExposition(@TempDir Path tmp) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool)) {
      System.out.println("SKIPPED promtool check: /usr/bin/promtool absent (Debian: prometheus)");
      return;
    }
    RecordingSink sink = new RecordingSink();
    dispatcher.register(
        new WorkerDescriptor(
            "w1", "w1.lan", 8, 16L << 30, "amd64", "linux", Set.of(GCC), 1, "0.1.0"),
        sink);
    dispatcher.submit(GCC, Priority.INTERACTIVE, "a.c");
    dispatcher.pong("w1", clock.instant().minusMillis(4));
    clock.advance(Duration.ofMillis(300));
    dispatcher.result("w1", sink.last().taskId(), 0);
    // Every kind of series, per-worker ones included, is in the scrape promtool reads.
    String text = metrics.scrape();
    for (String series :
        List.of(
            "hybridgrid_worker_latency_seconds{worker=\"w1\"}",
            "hybridgrid_circuit_state{worker=\"w1\"}",
            "hybridgrid_workers{state=\"active\"}",
            "hybridgrid_task_duration_seconds_count")) {
      value(text, series);
    }
    Path scrape = tmp.resolve("metrics.txt");
    Files.writeString(scrape, text);
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectInput(scrape.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "promtool check metrics:\n" + out);
  }
}
