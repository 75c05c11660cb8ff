package io.hybridgrid.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A coordinator and workers from dist/, as real processes on 127.0.0.1 with free ports. */
final class LoopbackGrid implements AutoCloseable {
  private final Path dist;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  final int grpcPort;
  final int httpPort;
  final Path logs;

  LoopbackGrid(Path dist, int workers) throws IOException, InterruptedException {
    this(dist, workers, List.of(), List.of());
  }

  /**
   * A grid whose coordinator gets {@code coordArgs} and whose workers get {@code workerArgs} as
   * well (tokens, TLS).
   */
  LoopbackGrid(Path dist, int workers, List<String> coordArgs, List<String> workerArgs)
      throws IOException, InterruptedException {
    this.dist = dist;
    this.grpcPort = freePort();
    this.httpPort = freePort();
    this.logs = Files.createTempDirectory("hg-e2e-logs-");
    start(
        "coord",
        List.of(
            bin("hg-coord"),
            "serve",
            "--no-mdns",
            "--bind",
            "127.0.0.1",
            "--grpc-port",
            Integer.toString(grpcPort),
            "--http-port",
            Integer.toString(httpPort),
            "--state-dir",
            logs.resolve("coord-state").toString()),
        coordArgs);
    for (int i = 1; i <= workers; i++) {
      addWorker("worker-" + i, workerArgs);
    }
    try {
      awaitWorkers(workers, Duration.ofSeconds(60));
    } catch (IOException | InterruptedException | RuntimeException e) {
      close(); // a failed start must not leave workers running
      throw e;
    }
  }

  /**
   * Starts one more worker (mDNS off, two slots) with {@code extraArgs} (e.g. {@code --compilers
   * gcc}); {@link #awaitWorkers} waits for it to register.
   */
  void addWorker(String id, List<String> extraArgs) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                bin("hg-worker"),
                "serve",
                "--no-mdns",
                "--coordinator",
                coordinator(),
                "--max-parallel",
                "2",
                "--id",
                id,
                "--work-dir",
                logs.resolve("work-" + id).toString()));
    start(id, cmd, extraArgs);
  }

  String coordinator() {
    return "127.0.0.1:" + grpcPort;
  }

  String hgbuild() {
    return bin("hgbuild");
  }

  private String bin(String name) {
    return dist.resolve("bin").resolve(name).toString();
  }

  private void start(String name, List<String> cmd, List<String> extra) throws IOException {
    List<String> all = new ArrayList<>(cmd);
    all.addAll(extra);
    processes.add(
        new ProcessBuilder(all)
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve(name + ".log").toFile())
            .start());
  }

  /** GET /api/v1/stats. */
  JsonNode stats() throws IOException, InterruptedException {
    return get("/api/v1/stats");
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return json.readTree(r.body());
  }

  void awaitWorkers(int n, Duration timeout) throws InterruptedException, IOException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              "a grid process exited with " + p.exitValue() + " during start-up; logs in " + logs);
        }
      }
      try {
        if (stats().get("workers").asInt() == n) {
          return;
        }
      } catch (IOException e) {
        // coordinator not up yet
      }
      Thread.sleep(200); // polling with a deadline
    }
    throw new IllegalStateException(
        "workers did not register within " + timeout + "; logs in " + logs);
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
