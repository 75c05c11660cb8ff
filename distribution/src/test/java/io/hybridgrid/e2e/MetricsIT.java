package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's metrics check, with the real dist/ processes: three Lua builds through {@code hgbuild
 * make} (all remote; from the coordinator's shared cache; from the local cache) and one compile no
 * worker can run (a fallback), then {@code /metrics} of the coordinator and of a worker is scraped:
 * every hybridgrid_* metric of the design page moved (gauges are sampled during the first build),
 * the CAS and verification meters are there at zero, and {@code promtool check metrics} accepts
 * both scrapes. The task log and the build view saw the three builds.
 */
class MetricsIT {
  static final Path DIST = Path.of(System.getProperty("hg.dist", "../dist")).toAbsolutePath();
  static final Path ROOT = Path.of(System.getProperty("hg.root", "..")).toAbsolutePath();

  static double value(String scrape, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
    if (!m.find()) {
      throw new AssertionError("no series " + series + " in the scrape");
    }
    return Double.parseDouble(m.group(1));
  }

  /** The largest value of any series of {@code metric} whose labels contain {@code labels}. */
  static double maxOf(String scrape, String metric, String labels) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{([^}]*)\\} ([0-9.eE+-]+)$")
            .matcher(scrape);
    double max = Double.NaN;
    while (m.find()) {
      if (m.group(1).contains(labels)) {
        double v = Double.parseDouble(m.group(2));
        max = Double.isNaN(max) ? v : Math.max(max, v);
      }
    }
    if (Double.isNaN(max)) {
      throw new AssertionError("no series " + metric + "{" + labels + "} in the scrape");
    }
    return max;
  }

  @Test
  void everyMetricMovesDuringRealLuaBuilds(@TempDir Path tmp) throws Exception {
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", tmp);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    Path lua = src.get();
    Path taskLog = tmp.resolve("coord/tasks.jsonl");
    // Workers offer gcc only and run only their own compilers (--toolchains own: a shipped clang
    // would run anywhere), so a clang compile finds no capable worker and falls back.
    try (LoopbackGrid grid =
            new LoopbackGrid(
                DIST,
                2,
                List.of("--task-log", taskLog.toString()),
                List.of("--compilers", "gcc", "--toolchains", "own"));
        PrivateDaemon daemon = new PrivateDaemon(DIST)) {
      Map<String, String> env =
          daemon.env(
              Map.of(
                  "HG_COORDINATOR",
                  grid.coordinator(),
                  "HG_CC",
                  "gcc -std=gnu99",
                  "HG_CACHE_DIR",
                  tmp.resolve("cache1").toString()));

      // Build 1, all remote: sample the gauges while it runs.
      AtomicBoolean building = new AtomicBoolean(true);
      AtomicReference<double[]> peaks = new AtomicReference<>(new double[2]);
      Thread sampler =
          new Thread(
              () -> {
                while (building.get()) {
                  try {
                    String s = grid.getText("/metrics");
                    double[] p = peaks.get();
                    p[0] = Math.max(p[0], value(s, "hybridgrid_active_tasks"));
                    p[1] = Math.max(p[1], value(s, "hybridgrid_queue_depth"));
                    Thread.sleep(100); // sampling period, not a wait for a condition
                  } catch (Exception | AssertionError e) {
                    e.printStackTrace();
                    return; // the peaks stay as they are: the assertions below then fail
                  }
                }
              },
              "metrics-sampler");
      sampler.start();
      Shell.Result b1 = Shell.run(lua, env, grid.hgbuild() + " make -C src posix -j8 2>&1", 900);
      building.set(false);
      sampler.join();
      assertEquals(0, b1.exitCode(), b1.output());
      // 34 objects compiled remotely; the two links (lua, luac) run locally, not distributable.
      Matcher summary =
          Pattern.compile(
                  "hgbuild: (\\d+) compiles in [0-9.]+ s: (\\d+) remote, (\\d+) cached, (\\d+)"
                      + " local, (\\d+) fallbacks")
              .matcher(b1.output());
      assertTrue(summary.find(), "a one-line summary at the end:\n" + b1.output());
      String why = b1.output() + "\ndaemon log:\n" + daemon.logText() + "\nlogs in " + grid.logs;
      assertEquals("36", summary.group(1), why);
      assertEquals("34", summary.group(2), why);
      assertEquals("2", summary.group(4), why);
      assertTrue(!b1.output().contains("\r"), "no progress line when stderr is not a terminal");

      // Build 2, a fresh local cache: the coordinator's shared cache answers.
      assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
      Map<String, String> env2 = new java.util.HashMap<>(env);
      env2.put("HG_CACHE_DIR", tmp.resolve("cache2").toString());
      Shell.Result b2 = Shell.run(lua, env2, grid.hgbuild() + " make -C src posix -j4 2>&1", 900);
      assertEquals(0, b2.exitCode(), b2.output());

      // Build 3, the same local cache: direct-mode hits the coordinator hears of by report.
      assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
      Shell.Result b3 = Shell.run(lua, env2, grid.hgbuild() + " make -C src posix -j4 2>&1", 900);
      assertEquals(0, b3.exitCode(), b3.output());

      // A compile no worker can run: compiled locally, reported as a fallback.
      Shell.Result fb =
          Shell.run(
              lua.resolve("src"),
              env2,
              grid.hgbuild() + " clang -c lapi.c -o " + tmp.resolve("fallback.o") + " 2>&1",
              300);
      assertEquals(0, fb.exitCode(), fb.output());

      String coord = awaitScrape(grid, "hybridgrid_fallbacks_total{reason=\"grid_unavailable\"}");
      String worker = grid.getText(grid.workerHttpPort("worker-1"), "/metrics");
      String worker2 = grid.getText(grid.workerHttpPort("worker-2"), "/metrics");

      // Tasks by outcome and placement, duration and queue histograms.
      assertEquals(
          34, value(coord, "hybridgrid_tasks_total{outcome=\"success\",placement=\"remote\"}"));
      assertEquals(
          34, value(coord, "hybridgrid_tasks_total{outcome=\"success\",placement=\"cache\"}"));
      assertEquals(
          34,
          value(coord, "hybridgrid_tasks_total{outcome=\"success\",placement=\"local_cache\"}"));
      assertEquals(
          1, value(coord, "hybridgrid_tasks_total{outcome=\"success\",placement=\"fallback\"}"));
      assertEquals(34, value(coord, "hybridgrid_task_duration_seconds_count"));
      assertTrue(value(coord, "hybridgrid_task_duration_seconds_sum") > 0);
      assertEquals(34, value(coord, "hybridgrid_queue_time_seconds_count"));
      assertTrue(value(coord, "hybridgrid_queue_time_seconds_sum") > 0);
      // The clang compile was looked up in the shared cache, then found no capable worker.
      assertEquals(
          1, value(coord, "hybridgrid_tasks_total{outcome=\"failed\",placement=\"remote\"}"));
      // Cache tiers: the shared memory tier missed 34 (+1: clang) then hit 34; the local tier
      // hit 34.
      assertEquals(35, value(coord, "hybridgrid_cache_misses_total{tier=\"memory\"}"));
      assertEquals(34, value(coord, "hybridgrid_cache_hits_total{tier=\"memory\"}"));
      assertEquals(34, value(coord, "hybridgrid_cache_hits_total{tier=\"local\"}"));
      assertTrue(value(coord, "hybridgrid_cache_misses_total{tier=\"local\"}") >= 68);
      assertEquals(1, value(coord, "hybridgrid_fallbacks_total{reason=\"grid_unavailable\"}"));
      // Gauges: workers by state now, active tasks and queue depth at their peak during build 1.
      assertEquals(2, value(coord, "hybridgrid_workers{state=\"active\"}"));
      assertTrue(peaks.get()[0] >= 1, "active tasks moved: " + peaks.get()[0]);
      assertTrue(peaks.get()[1] >= 1, "queue depth moved: " + peaks.get()[1]);
      assertEquals(0, value(coord, "hybridgrid_active_tasks"));
      for (String dir : List.of("in", "out")) {
        for (String peer : List.of("client", "worker")) {
          String series =
              "hybridgrid_network_transfer_bytes_sum{direction=\""
                  + dir
                  + "\",peer=\""
                  + peer
                  + "\"}";
          assertTrue(value(coord, series) > 1000, series);
        }
      }
      for (String w : List.of("worker-1", "worker-2")) {
        assertTrue(value(coord, "hybridgrid_worker_latency_seconds{worker=\"" + w + "\"}") > 0, w);
        assertEquals(0, value(coord, "hybridgrid_circuit_state{worker=\"" + w + "\"}"), w);
      }
      // Registered at start; without tokens nothing is verified or quarantined (docs/security.md).
      for (String zero :
          List.of(
              "hybridgrid_cas_blobs",
              "hybridgrid_cas_bytes",
              "hybridgrid_cas_uploads_total",
              "hybridgrid_cas_upload_bytes_total",
              "hybridgrid_verifications_total{outcome=\"match\"}",
              "hybridgrid_quarantines_total")) {
        assertEquals(0, value(coord, zero), zero);
      }
      assertTrue(maxOf(coord, "jvm_memory_used_bytes", "area=\"heap\"") > 0);
      assertTrue(value(coord, "process_uptime_seconds") > 0);

      // The workers: their own tasks, durations, bytes, breaker; 34 tasks between the two.
      double done =
          value(worker, "hybridgrid_worker_tasks_total{outcome=\"success\"}")
              + value(worker2, "hybridgrid_worker_tasks_total{outcome=\"success\"}");
      assertEquals(34, done);
      assertTrue(value(worker, "hybridgrid_task_duration_seconds_count") > 0);
      assertTrue(
          value(
                  worker,
                  "hybridgrid_network_transfer_bytes_sum{direction=\"in\",peer=\"coordinator\"}")
              > 1000);
      assertTrue(
          value(
                  worker,
                  "hybridgrid_network_transfer_bytes_sum{direction=\"out\",peer=\"coordinator\"}")
              > 1000);
      assertEquals(0, value(worker, "hybridgrid_circuit_state{worker=\"worker-1\"}"));
      assertEquals(0, value(worker, "hybridgrid_active_tasks"));
      assertTrue(maxOf(worker, "jvm_memory_used_bytes", "area=\"heap\"") > 0);
      assertEquals("ready\n", grid.getText(grid.workerHttpPort("worker-1"), "/ready"));

      promtool(tmp, "coordinator", coord);
      promtool(tmp, "worker", worker);

      // The task log has a line per compile; the build view counts the three builds.
      long lines = Files.readAllLines(taskLog, StandardCharsets.UTF_8).size();
      assertEquals(
          6, value(coord, "hybridgrid_tasks_total{outcome=\"success\",placement=\"local\"}"));
      // 34 remote, 34 cache, 34 local cache, 6 links, the fallback, and the clang compile's
      // failed dispatch (the coordinator logs it before the client falls back).
      assertEquals(34 * 3 + 6 + 1 + 1, lines, "task log lines");
      JsonNode builds = grid.get("/api/v1/builds");
      assertEquals(3, builds.size(), builds.toString());
      assertEquals(34, builds.get(0).get("local_cache").asLong(), builds.toString());
      assertEquals(34, builds.get(1).get("cached").asLong(), builds.toString());
      assertEquals(34, builds.get(2).get("remote").asLong(), builds.toString());
    }
  }

  /** Scrapes until {@code series} is non-zero (client reports arrive every 2 s). */
  private static String awaitScrape(LoopbackGrid grid, String series) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (true) {
      String s = grid.getText("/metrics");
      if (value(s, series) > 0 || Instant.now().isAfter(deadline)) {
        return s;
      }
      Thread.sleep(200); // polling with a deadline
    }
  }

  private static void promtool(Path tmp, String name, String scrape) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool)) {
      System.out.println("SKIPPED promtool check of " + name + ": /usr/bin/promtool absent");
      return;
    }
    Path f = tmp.resolve(name + ".metrics");
    Files.writeString(f, scrape);
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectInput(f.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "promtool check metrics (" + name + "):\n" + out);
    System.out.println(
        "promtool check metrics (" + name + "): OK, " + scrape.lines().count() + " lines");
  }
}
