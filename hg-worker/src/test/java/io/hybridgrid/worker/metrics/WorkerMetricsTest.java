package io.hybridgrid.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.metrics.PrometheusRegistry;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's /metrics, /health and /ready, with actions moving the task meters. */
class WorkerMetricsTest {
  private static double value(String scrape, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
    if (!m.find()) {
      throw new AssertionError("no series " + series + " in\n" + scrape);
    }
    return Double.parseDouble(m.group(1));
  }

  @Test
  void compilesMoveTheMetersAndTheEndpointsAnswer(@TempDir Path tmp) throws Exception {
    try (PrometheusRegistry prometheus = new PrometheusRegistry()) {
      int[] calls = {0};
      TaskMetrics metered = new TaskMetrics(prometheus.registry());
      // What an action brings in (1000 bytes of inputs) and sends back (its outputs, stdout and
      // stderr: 320 bytes): a success, a compile error, then an infrastructure failure.
      TaskMeter.Task<Integer> task =
          () -> {
            if (calls[0]++ == 2) {
              throw new TaskRefusedException(Rejection.INFRASTRUCTURE, "disk full");
            }
            return calls[0] == 2 ? 1 : 0;
          };
      metered.measure(1000, task, exit -> exit, exit -> 320);
      metered.measure(1000, task, exit -> exit, exit -> 320);
      assertThrows(
          TaskRefusedException.class, () -> metered.measure(1000, task, exit -> exit, exit -> 320));

      AtomicBoolean ready = new AtomicBoolean(false);
      try (WorkerHttpServer http =
          new WorkerHttpServer(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
              prometheus::scrape,
              ready::get)) {
        int port = http.start();
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        assertEquals(200, get(client, base + "/health").statusCode());
        assertEquals(503, get(client, base + "/ready").statusCode());
        ready.set(true);
        assertEquals(200, get(client, base + "/ready").statusCode());
        assertEquals(404, get(client, base + "/nope").statusCode());
        HttpResponse<String> m = get(client, base + "/metrics");
        assertEquals(200, m.statusCode());
        String s = m.body();
        assertEquals(1, value(s, "hybridgrid_worker_tasks_total{outcome=\"success\"}"));
        assertEquals(1, value(s, "hybridgrid_worker_tasks_total{outcome=\"compile_error\"}"));
        assertEquals(1, value(s, "hybridgrid_worker_tasks_total{outcome=\"failed\"}"));
        assertEquals(3, value(s, "hybridgrid_task_duration_seconds_count"));
        assertEquals(0, value(s, "hybridgrid_active_tasks"));
        assertEquals(
            3000,
            value(
                s, "hybridgrid_network_transfer_bytes_sum{direction=\"in\",peer=\"coordinator\"}"));
        assertEquals(
            640,
            value(
                s,
                "hybridgrid_network_transfer_bytes_sum{direction=\"out\",peer=\"coordinator\"}"));
        assertTrue(s.contains("jvm_threads_live_threads"), "JVM metrics");
        promtool(tmp, s);
      }
    }
  }

  private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void promtool(Path tmp, String scrape) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool)) {
      System.out.println("SKIPPED promtool check: /usr/bin/promtool absent (Debian: prometheus)");
      return;
    }
    Path f = tmp.resolve("metrics.txt");
    Files.writeString(f, scrape);
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectInput(f.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "promtool check metrics:\n" + out);
  }
}
