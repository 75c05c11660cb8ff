package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Chaos suite (issue 12): each scenario builds Lua 5.4.4 through a fresh coordinator and two
 * workers (real dist/ processes on loopback) while one fault is injected, and checks exit 0 and
 * objects byte-identical to a plain local build. Each prints one {@code CHAOS} line (build time,
 * re-dispatches, hedges, fallbacks) that docs/reliability.md reports.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIT {
  static final Path DIST = TwoWorkerGridTest.DIST;
  static final Path ROOT = TwoWorkerGridTest.ROOT;

  private static Path work;
  private static Path lua;
  private static Map<String, byte[]> reference;
  private static double baselineSeconds = -1;

  private LoopbackGrid grid;
  private PrivateDaemon daemon;

  @BeforeAll
  static void plainBuild() throws Exception {
    work = Files.createTempDirectory("hg-chaos-");
    // Workers run as root here and their sandbox as nobody, which must reach the fake compilers.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    Optional<Path> src = Workloads.unpack(ROOT, "lua-5.4.4.tar.gz", "lua5.4", work);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    lua = src.get();
    Shell.Result plain = Shell.run(lua, "make -C src posix 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    reference = objects(lua.resolve("src"));
    assertEquals(34, reference.size());
  }

  @AfterAll
  static void removeWork() throws Exception {
    if (work != null) {
      Shell.run(work.getParent(), "rm -rf '" + work + "'");
    }
  }

  @BeforeEach
  void clean() throws Exception {
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    daemon = new PrivateDaemon(DIST);
  }

  @AfterEach
  void stop() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
    if (grid != null) {
      grid.close();
      grid = null;
    }
  }

  /** What a build through the grid printed and how long it took. */
  record Build(int exitCode, String output, double seconds) {
    /** Compiles a worker ran (the grids here run without the shared cache). */
    long remote() {
      return output.lines().filter(l -> l.contains(".c [remote worker-")).count();
    }

    long fallbacks() {
      return output.lines().filter(l -> l.contains(".c [local")).count();
    }
  }

  private Map<String, String> env(boolean noFallback) {
    Map<String, String> env = new HashMap<>();
    env.put("HG_COORDINATOR", grid.coordinator());
    env.put("HG_VERBOSE", "1");
    env.put("HG_NO_CACHE", "1");
    if (noFallback) {
      env.put("HG_NO_FALLBACK", "1");
    }
    return daemon.env(env);
  }

  private CompletableFuture<Build> startBuild(boolean noFallback) {
    Map<String, String> env = env(noFallback);
    return CompletableFuture.supplyAsync(
        () -> {
          long t0 = System.nanoTime();
          try {
            Shell.Result r =
                Shell.run(
                    lua,
                    env,
                    "make -C src posix -j2 CC='" + grid.hgbuild() + " gcc -std=gnu99' 2>&1",
                    900);
            return new Build(r.exitCode(), r.output(), (System.nanoTime() - t0) / 1e9);
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static Map<String, byte[]> objects(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".o")).toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private void assertIdenticalObjects() throws IOException {
    Map<String, byte[]> actual = objects(lua.resolve("src"));
    assertEquals(reference.keySet(), actual.keySet());
    List<String> differing = new ArrayList<>();
    for (var e : reference.entrySet()) {
      if (!java.util.Arrays.equals(e.getValue(), actual.get(e.getKey()))) {
        differing.add(e.getKey());
      }
    }
    assertEquals(List.of(), differing, "objects that differ from the plain build");
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(100); // polling with a deadline
    }
  }

  private long stat(String field) {
    try {
      return grid.stats().get(field).asLong();
    } catch (IOException | InterruptedException | RuntimeException e) {
      return -1;
    }
  }

  private JsonNode worker(String id) throws IOException, InterruptedException {
    for (JsonNode w : grid.get("/api/v1/workers")) {
      if (w.get("id").asText().equals(id)) {
        return w;
      }
    }
    return null;
  }

  /** Waits until {@code n} compiles of this build have completed, so a fault lands mid-build. */
  private void awaitCompleted(long n) throws InterruptedException {
    await(() -> stat("tasks_completed") >= n, Duration.ofMinutes(5), n + " compiles done");
  }

  /** Waits for the build, prints its CHAOS line (coordinator counters read now) and checks it. */
  private Build finish(String scenario, CompletableFuture<Build> f) throws Exception {
    Build b = f.get(15, TimeUnit.MINUTES);
    JsonNode stats;
    try {
      stats = grid.stats();
    } catch (IOException e) {
      stats = null;
    }
    System.out.printf(
        "CHAOS scenario=%s exit=%d seconds=%.1f remote=%d fallbacks=%d retried=%d hedged=%d"
            + " hedges_won=%d baseline=%.1f%n",
        scenario,
        b.exitCode(),
        b.seconds(),
        b.remote(),
        b.fallbacks(),
        stats == null ? -1 : stats.get("tasks_retried").asLong(),
        stats == null ? -1 : stats.get("tasks_hedged").asLong(),
        stats == null ? -1 : stats.get("hedges_won").asLong(),
        baselineSeconds);
    assertEquals(0, b.exitCode(), b.output());
    assertIdenticalObjects();
    return b;
  }

  /**
   * A directory holding a {@code gcc} that runs the real one except for {@code -c} compiles, which
   * do {@code onCompile} (C statements) instead. It is an ELF program, not a script: on the action
   * path a worker runs compiles in its sandbox, which shows the compiler binary and its libraries
   * but no shell.
   */
  private static Path fakeGcc(String name, String onCompile)
      throws IOException, InterruptedException {
    Path dir = Files.createDirectories(work.resolve("fake-" + name));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path c = dir.resolve("fake.c");
    Files.writeString(
        c,
        "#include <signal.h>\n#include <string.h>\n#include <unistd.h>\n"
            + "int main(int argc, char **argv) {\n"
            + "  for (int i = 1; i < argc; i++) if (strcmp(argv[i], \"-c\") == 0) { "
            + onCompile
            + " }\n"
            + "  argv[0] = \"/usr/bin/gcc\";\n"
            + "  execv(\"/usr/bin/gcc\", argv);\n"
            + "  return 127;\n}\n",
        StandardCharsets.UTF_8);
    Shell.Result cc = Shell.run(dir, "/usr/bin/gcc -O1 -o gcc fake.c 2>&1");
    assertEquals(0, cc.exitCode(), cc.output());
    Files.setPosixFilePermissions(dir.resolve("gcc"), PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  private void grid(Map<String, String> worker2Env) throws Exception {
    grid(worker2Env, List.of());
  }

  /**
   * A grid whose worker-2 runs its own gcc, {@code fake} first on its PATH: with {@code
   * --toolchains own} it compiles with that program; in the default mode it would run the toolchain
   * the client ships (fetched by digest) and the fault would never happen.
   */
  private void gridWithFaultyCompiler(Path fake) throws Exception {
    grid(Map.of("PATH", fake + ":" + System.getenv("PATH")), List.of("--toolchains", "own"));
  }

  private void grid(Map<String, String> worker2Env, List<String> worker2Args) throws Exception {
    // No shared cache: a restarted coordinator must not answer the rebuild from its disk tier.
    grid = new LoopbackGrid(DIST, 1, List.of("--no-cache"));
    List<String> args = new ArrayList<>(List.of("--compilers", "gcc"));
    args.addAll(worker2Args);
    grid.addWorker("worker-2", args, worker2Env);
    grid.awaitWorkers(2, Duration.ofSeconds(60));
  }

  @Test
  @Order(1)
  void faultFree() throws Exception {
    grid(Map.of());
    Build b = finish("fault-free", startBuild(true));
    assertEquals(34, b.remote(), b.output());
    baselineSeconds = b.seconds();
  }

  @Test
  @Order(2)
  void killNineAWorker() throws Exception {
    grid(Map.of());
    CompletableFuture<Build> f = startBuild(false);
    awaitCompleted(6);
    grid.signal("worker-1", "KILL");
    finish("kill -9 a worker", f);
  }

  @Test
  @Order(3)
  void sigstopAWorker() throws Exception {
    grid(Map.of());
    CompletableFuture<Build> f = startBuild(false);
    awaitCompleted(6);
    grid.signal("worker-1", "STOP");
    try {
      finish("SIGSTOP a worker", f);
    } finally {
      grid.signal("worker-1", "CONT");
    }
  }

  /** worker-2 heartbeats but its compiles never finish: hedged, then its breaker opens. */
  @Test
  @Order(4)
  void blackHoleWorker() throws Exception {
    Path fake = fakeGcc("blackhole", "for (;;) pause();");
    gridWithFaultyCompiler(fake);
    Build b = finish("black-hole worker", startBuild(true));
    assertEquals(34, b.remote(), b.output());
    assertTrue(stat("tasks_hedged") > 0, "no compile was hedged");
    // Every hung compile lost its race and was cancelled: worker-2 killed its sandboxed process
    // tree (bubblewrap, the compiler) and freed the slot; none of them is left running.
    String hung = fake.resolve("gcc").toString();
    await(
        () -> {
          try {
            return Shell.run(
                    work,
                    "for p in /proc/[0-9]*; do [ \"$(readlink $p/exe 2>/dev/null)\" = '"
                        + hung
                        + "' ] && echo $p; done; true")
                .output()
                .isBlank();
          } catch (IOException | InterruptedException e) {
            return false;
          }
        },
        Duration.ofSeconds(30),
        "the hung compiles on worker-2 to be killed");
    assertTrue(
        grid.log("worker-2").contains("cancelled by the coordinator; its process tree is killed"),
        "worker-2 was never told to cancel");
    Assumptions.assumeTrue(baselineSeconds > 0, "no fault-free time to compare with");
    assertTrue(
        b.seconds() <= 2 * baselineSeconds,
        "black hole cost " + b.seconds() + " s against " + baselineSeconds + " s fault-free");
  }

  /** worker-2's compiler kills itself with SIGSEGV: at most 5 of the 34 compiles go to it. */
  @Test
  @Order(5)
  void segfaultingCompiler() throws Exception {
    Path fake = fakeGcc("segv", "raise(SIGSEGV);");
    gridWithFaultyCompiler(fake);
    CompletableFuture<Build> f = startBuild(true);
    Build b = finish("compiler segfaults on one worker", f);
    assertEquals(34, b.remote(), b.output());
    JsonNode bad = worker("worker-2");
    System.out.println(
        "CHAOS segfault worker-2: tasks_assigned="
            + bad.get("tasks_assigned")
            + " circuit_state="
            + bad.get("circuit_state"));
    assertTrue(bad.get("tasks_assigned").asLong() <= 5, bad.toString());
  }

  private static final Pattern TIME = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");

  private static LocalTime lastTime(String log, String needle) {
    LocalTime t = null;
    for (String line : log.lines().toList()) {
      Matcher m = TIME.matcher(line);
      if (line.contains(needle) && m.find()) {
        t = LocalTime.parse(m.group(1));
      }
    }
    if (t == null) {
      throw new AssertionError("no log line with '" + needle + "'");
    }
    return t;
  }

  /**
   * kill -9 the coordinator mid-build and restart it: the build finishes (compiles during the
   * outage fall back). Then workers are back within 2 s of its start (log timestamps), and a
   * --no-fallback build started as soon as it answers succeeds with every compile remote.
   */
  @Test
  @Order(6)
  void killNineTheCoordinatorAndRestartIt() throws Exception {
    grid(Map.of());
    CompletableFuture<Build> f = startBuild(false);
    awaitCompleted(6);
    grid.signal("coord", "KILL");
    grid.process("coord").waitFor(10, TimeUnit.SECONDS);
    Thread.sleep(3000); // the outage: long enough for a worker's backoff to grow
    grid.restartCoordinator();
    finish("kill -9 the coordinator, restart", f);

    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    grid.signal("coord", "KILL");
    grid.process("coord").waitFor(10, TimeUnit.SECONDS);
    Thread.sleep(3000);
    grid.restartCoordinator();
    await(() -> stat("workers") >= 0, Duration.ofSeconds(60), "coordinator answering");
    Build strict = finish("coordinator restarted, --no-fallback right after", startBuild(true));
    assertEquals(34, strict.remote(), strict.output());

    String coordLog = grid.log("coord");
    LocalTime listening = lastTime(coordLog, "listening: gRPC");
    for (String w : List.of("worker-1", "worker-2")) {
      LocalTime joined = lastTime(coordLog, "worker " + w + " joined");
      Duration back = Duration.between(listening, joined);
      System.out.println(
          "CHAOS restart: coordinator listening "
              + listening
              + ", "
              + w
              + " joined "
              + joined
              + " ("
              + back.toMillis()
              + " ms)");
      assertTrue(back.compareTo(Duration.ofSeconds(2)) <= 0, w + " back after " + back);
    }
  }

  /** SIGTERM to a worker mid-build: it drains (finishes its compiles, takes none) and exits. */
  @Test
  @Order(7)
  void drainAWorkerMidBuild() throws Exception {
    grid(Map.of());
    CompletableFuture<Build> f = startBuild(true);
    awaitCompleted(6);
    Instant t0 = Instant.now();
    grid.signal("worker-1", "TERM");
    assertTrue(grid.process("worker-1").waitFor(90, TimeUnit.SECONDS), "worker-1 did not exit");
    System.out.println(
        "CHAOS drain: worker-1 exited "
            + grid.process("worker-1").exitValue()
            + " after "
            + Duration.between(t0, Instant.now()).toMillis()
            + " ms");
    Build b = finish("drain a worker mid-build (SIGTERM)", f);
    assertEquals(34, b.remote(), b.output());
    // 143 is the JVM's status after SIGTERM once its shutdown hook (the drain) has run.
    int exit = grid.process("worker-1").exitValue();
    assertTrue(exit == 0 || exit == 143, "worker-1 exit status " + exit);
    assertTrue(grid.log("worker-1").contains("draining:"), grid.log("worker-1"));
  }

  /**
   * Cut a worker's network for 10 s mid-build. The coordinator, worker-1 and the build run in one
   * network namespace, worker-2 in another, joined by a veth pair; worker-2's end goes down for 10
   * s. Needs root (ip netns); otherwise skipped with the reason printed.
   */
  @Test
  @Order(8)
  void cutAWorkersNetworkForTenSeconds() throws Exception {
    NetnsPair ns;
    try {
      ns = NetnsPair.create();
    } catch (Exception e) {
      System.out.println("SKIP: network namespaces not available: " + e.getMessage());
      Assumptions.abort("network namespaces not available: " + e.getMessage());
      return;
    }
    Path logs = Files.createTempDirectory("hg-chaos-netns-");
    try (ns) {
      // Workers run as root here and their sandbox as nobody, which must reach the task dirs.
      Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwx--x--x"));
      String coord = ns.addressA + ":9000";
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("HG_NO_MDNS", "1");
      ns.start(
          ns.nsA,
          List.of(
              DIST.resolve("bin/hg-coord").toString(),
              "serve",
              "--no-mdns",
              // Not loopback: without tokens the coordinator needs --insecure, which suits a
              // network that exists only inside this test's namespaces.
              "--insecure",
              "--bind",
              ns.addressA,
              "--grpc-port",
              "9000",
              "--http-port",
              "9080",
              "--state-dir",
              logs.resolve("state").toString()),
          env,
          logs.resolve("coord.log"));
      for (String[] w : new String[][] {{"worker-1", ns.nsA}, {"worker-2", ns.nsB}}) {
        ns.start(
            w[1],
            List.of(
                DIST.resolve("bin/hg-worker").toString(),
                "serve",
                "--no-mdns",
                "--coordinator",
                coord,
                "--max-parallel",
                "2",
                "--id",
                w[0],
                "--work-dir",
                logs.resolve("work-" + w[0]).toString(),
                "--cas-dir",
                logs.resolve("cas-" + w[0]).toString()),
            env,
            logs.resolve(w[0] + ".log"));
      }
      String statsUrl = "http://" + ns.addressA + ":9080/api/v1/stats";
      java.util.function.ToLongFunction<String> stat =
          field -> {
            try {
              Shell.Result r = ns.run(ns.nsA, logs, "curl -s --max-time 5 " + statsUrl, 30);
              return new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(r.output())
                  .get(field)
                  .asLong();
            } catch (Exception e) {
              return -1;
            }
          };
      await(() -> stat.applyAsLong("workers") == 2, Duration.ofSeconds(90), "2 workers in netns");

      Map<String, String> buildEnv = new HashMap<>(daemon.env());
      buildEnv.put("HG_COORDINATOR", coord);
      buildEnv.put("HG_VERBOSE", "1");
      buildEnv.put("HG_NO_CACHE", "1");
      String make =
          "make -C src posix -j2 CC='" + DIST.resolve("bin/hgbuild") + " gcc -std=gnu99' 2>&1";
      CompletableFuture<Build> f =
          CompletableFuture.supplyAsync(
              () -> {
                long t0 = System.nanoTime();
                try {
                  Shell.Result r =
                      Shell.run(
                          lua,
                          buildEnv,
                          "ip netns exec " + ns.nsA + " bash -c \"" + make + "\"",
                          900);
                  return new Build(r.exitCode(), r.output(), (System.nanoTime() - t0) / 1e9);
                } catch (IOException | InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      await(() -> stat.applyAsLong("tasks_completed") >= 6, Duration.ofMinutes(5), "6 compiles");
      ns.linkB(false);
      Thread.sleep(10_000); // the outage itself
      ns.linkB(true);
      Build b = f.get(15, TimeUnit.MINUTES);
      System.out.printf(
          "CHAOS scenario=cut a worker's network for 10 s exit=%d seconds=%.1f remote=%d"
              + " fallbacks=%d retried=%d hedged=%d hedges_won=%d baseline=%.1f%n",
          b.exitCode(),
          b.seconds(),
          b.remote(),
          b.fallbacks(),
          stat.applyAsLong("tasks_retried"),
          stat.applyAsLong("tasks_hedged"),
          stat.applyAsLong("hedges_won"),
          baselineSeconds);
      assertEquals(0, b.exitCode(), b.output());
      assertIdenticalObjects();
    } finally {
      Scratch.keepOnlyLogs(logs); // after ns.close() stopped the processes in the namespaces
    }
  }
}
