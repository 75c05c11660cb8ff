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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A coordinator and workers from dist/, as real processes on 127.0.0.1 with free ports. */
final class LoopbackGrid implements AutoCloseable {
  private final Path dist;
  private final List<Process> processes = new ArrayList<>();
  private final java.util.Map<String, Process> byName = new java.util.HashMap<>();
  private final java.util.Set<Process> stopped = new java.util.HashSet<>();
  private final java.util.Map<String, Integer> workerHttpPorts = new java.util.HashMap<>();
  private final List<String> coordCommand;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  final int grpcPort;
  final int httpPort;
  final Path logs;

  LoopbackGrid(Path dist, int workers) throws IOException, InterruptedException {
    this(dist, workers, List.of(), List.of());
  }

  /** As above, with {@code coordArgs} added to the coordinator's command (e.g. --no-cache). */
  LoopbackGrid(Path dist, int workers, List<String> coordArgs)
      throws IOException, InterruptedException {
    this(dist, workers, coordArgs, List.of());
  }

  /**
   * @param coordArgs more arguments for {@code hg-coord serve} (e.g. {@code --task-log F})
   * @param workerArgs more arguments for each {@code hg-worker serve}
   */
  LoopbackGrid(Path dist, int workers, List<String> coordArgs, List<String> workerArgs)
      throws IOException, InterruptedException {
    this.dist = dist;
    this.grpcPort = freePort();
    this.httpPort = freePort();
    this.logs = Files.createTempDirectory("hg-e2e-logs-");
    // A full disk makes every remote compile fail and fall back: say how much there was.
    System.out.printf(
        "LoopbackGrid: %s, %d MB free there%n",
        logs, Files.getFileStore(logs).getUsableSpace() >> 20);
    // Workers run as root here and their sandbox as nobody, which must reach the task directories.
    Files.setPosixFilePermissions(
        logs, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    List<String> base =
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
            logs.resolve("coord-state").toString());
    this.coordCommand = java.util.stream.Stream.concat(base.stream(), coordArgs.stream()).toList();
    start("coord", coordCommand, Map.of());
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
    addWorker(id, extraArgs, Map.of(), List.of());
  }

  /** As {@link #addWorker(String, List)}, with {@code env} added to the worker's environment. */
  void addWorker(String id, List<String> extraArgs, Map<String, String> env) throws IOException {
    addWorker(id, extraArgs, env, List.of());
  }

  /**
   * As above, started through {@code launcher} (a command that ends by running its arguments, e.g.
   * {@code unshare -m ...} for a worker in a mount namespace of its own).
   */
  void addWorker(String id, List<String> extraArgs, List<String> launcher) throws IOException {
    addWorker(id, extraArgs, Map.of(), launcher);
  }

  void addWorker(String id, List<String> extraArgs, Map<String, String> env, List<String> launcher)
      throws IOException {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.addAll(
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
            logs.resolve("work-" + id).toString(),
            "--cas-dir",
            logs.resolve("cas-" + id).toString()));
    int httpPort = freePort();
    workerHttpPorts.put(id, httpPort);
    cmd.addAll(List.of("--http-bind", "127.0.0.1", "--http-port", Integer.toString(httpPort)));
    cmd.addAll(extraArgs);
    start(id, cmd, env);
  }

  /** The process started under {@code name} ("coord", "worker-1" …). */
  Process process(String name) {
    Process p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no grid process named " + name);
    }
    return p;
  }

  /** Sends {@code signal} (e.g. KILL, STOP, CONT, TERM) to the process named {@code name}. */
  void signal(String name, String signal) throws IOException, InterruptedException {
    Process k =
        new ProcessBuilder("kill", "-" + signal, Long.toString(process(name).pid()))
            .inheritIO()
            .start();
    if (k.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + name + " failed");
    }
  }

  /**
   * Starts the coordinator again (same ports and state), e.g. after {@code signal("coord",
   * "KILL")}.
   */
  void restartCoordinator() throws IOException {
    Process old = byName.get("coord");
    if (old != null && old.isAlive()) {
      throw new IllegalStateException("the coordinator is still running");
    }
    start("coord", coordCommand, Map.of(), true);
  }

  String log(String name) throws IOException {
    return Files.readString(logs.resolve(name + ".log"));
  }

  /** The HTTP port (/metrics) of worker {@code id}. */
  int workerHttpPort(String id) {
    return workerHttpPorts.get(id);
  }

  /** Stops worker {@code id} (SIGTERM, then bounded wait): it leaves the grid. */
  void stopWorker(String id) throws InterruptedException {
    Process p = byName.get(id);
    stopped.add(p);
    p.destroy();
    if (!p.waitFor(15, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
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

  private void start(String name, List<String> cmd, Map<String, String> env) throws IOException {
    start(name, cmd, env, false);
  }

  private void start(String name, List<String> cmd, Map<String, String> env, boolean append)
      throws IOException {
    java.io.File log = logs.resolve(name + ".log").toFile();
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(
                append ? ProcessBuilder.Redirect.appendTo(log) : ProcessBuilder.Redirect.to(log));
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    byName.put(name, p);
  }

  /** GET {@code path} on the coordinator's HTTP port, as text. */
  String getText(String path) throws IOException, InterruptedException {
    return getText(httpPort, path);
  }

  /** GET {@code path} on {@code port} of 127.0.0.1, as text (a 200 is required). */
  String getText(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** The coordinator's HTTP base URL. */
  String httpBase() {
    return "http://127.0.0.1:" + httpPort;
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
      for (Process p : byName.values()) {
        if (!p.isAlive() && !stopped.contains(p)) {
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
      if (p.isAlive()) {
        try {
          new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
        } catch (IOException e) {
          // best effort: a stopped process would not see the TERM below
        }
      }
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(15, TimeUnit.SECONDS);
      }
    }
    Scratch.keepOnlyLogs(logs);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
