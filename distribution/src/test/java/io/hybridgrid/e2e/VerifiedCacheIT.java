package io.hybridgrid.e2e;

import static io.hybridgrid.e2e.BuildOutputs.assertIdentical;
import static io.hybridgrid.e2e.BuildOutputs.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verified shared cache with the real dist/ processes: a hostile worker whose gcc appends a
 * byte to every object (in the worker's own mount namespace its system gcc driver is replaced by
 * {@code verify/lying-gcc.c}, as on a compromised host) serves a first client's Lua build alone;
 * then two honest workers join. The coordinator re-runs the hostile results on them, finds the
 * mismatch, quarantines the hostile worker, and a second client's build (its own daemon and cache)
 * gets objects byte-identical to a local build. Once with a {@code worker} token, once with a
 * {@code trusted-worker} token and {@code --verify-sample-rate 1}.
 */
class VerifiedCacheIT {
  static final Path DIST = TwoWorkerGridTest.DIST;
  static final String CLIENT = "client-verify-0123456789abcdef";
  static final String EVIL = "evil-verify-0123456789abcdef";
  static final String HONEST_1 = "honest1-verify-0123456789abcdef";
  static final String HONEST_2 = "honest2-verify-0123456789abcdef";

  @TempDir Path secrets;
  LoopbackGrid grid;
  final List<PrivateDaemon> daemons = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (PrivateDaemon d : daemons) {
      d.close();
    }
    if (grid != null) {
      grid.close();
    }
  }

  @Test
  void aLyingWorkerTokenNeverReachesASecondClientAndIsQuarantined(@TempDir Path tmp)
      throws Exception {
    run(tmp, "worker", List.of());
  }

  @Test
  void aLyingTrustedWorkerSampledAtOneIsCaughtTheSameWay(@TempDir Path tmp) throws Exception {
    run(tmp, "trusted-worker", List.of("--verify-sample-rate", "1"));
  }

  private void run(Path tmp, String evilRole, List<String> coordArgs) throws Exception {
    Optional<Path> src =
        Workloads.unpack(TwoWorkerGridTest.ROOT, "lua-5.4.4.tar.gz", "lua5.4", tmp);
    Assumptions.assumeTrue(src.isPresent(), "Lua 5.4.4 sources not available");
    Path lua = src.get();
    Shell.Result plain = Shell.run(lua, "make -C src posix 2>&1");
    assertEquals(0, plain.exitCode(), plain.output());
    Map<String, byte[]> reference = BuildOutputs.under(lua.resolve("src"), ".o");
    assertEquals(34, reference.size());
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());

    Path tokens =
        secret(
            "tokens",
            "client "
                + CLIENT
                + " alice\n"
                + evilRole
                + " "
                + EVIL
                + " evil-box\nworker "
                + HONEST_1
                + " honest-1\nworker "
                + HONEST_2
                + " honest-2\n");
    List<String> coord = new ArrayList<>(List.of("--tokens", tokens.toString()));
    coord.addAll(coordArgs);
    grid = new LoopbackGrid(DIST, 0, coord, List.of());
    String driver = Path.of("/usr/bin/gcc").toRealPath().toString();
    Path lying = lyingGcc(tmp, driver);
    // A compromised host: in the hostile worker's own mount namespace its gcc driver is the lying
    // one; the rest of the machine (and the honest workers) are untouched. It runs its own
    // compilers (--toolchains own): with a shipped toolchain the sandbox would run the client's
    // driver, fetched by digest, and the lie would never happen.
    grid.addWorker(
        "evil",
        List.of(
            "--token-file", secret("evil-token", EVIL + "\n").toString(), "--toolchains", "own"),
        List.of(
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount --bind \"$0\" " + driver + " && exec \"$@\"",
            lying.toString()));
    grid.awaitWorkers(1, Duration.ofSeconds(60));

    // The first client: every compile on the hostile worker, every object it gets is wrong.
    Shell.Result first = build(lua, tmp.resolve("client-1"));
    assertEquals(34, count(first.output(), "[remote evil]"), first.output());
    Map<String, byte[]> poisoned = BuildOutputs.under(lua.resolve("src"), ".o");
    for (var e : reference.entrySet()) {
      assertFalse(
          java.util.Arrays.equals(e.getValue(), poisoned.get(e.getKey())),
          e.getKey() + ": the lying gcc did not change it; the test proves nothing");
    }
    assertEquals(0, grid.stats().get("action_cache_stores").asLong(), "nothing shared unverified");

    // Honest workers join: the waiting re-runs go to them, the mismatch is found.
    grid.addWorker("honest-1", List.of("--token-file", secret("h1", HONEST_1 + "\n").toString()));
    grid.addWorker("honest-2", List.of("--token-file", secret("h2", HONEST_2 + "\n").toString()));
    grid.awaitWorkers(3, Duration.ofSeconds(60));
    awaitQuarantined("evil", Duration.ofSeconds(300));

    // The second client: its own daemon and cache; nothing of the hostile worker reaches it.
    assertEquals(0, Shell.run(lua, "make -C src clean").exitCode());
    Shell.Result second = build(lua, tmp.resolve("client-2"));
    assertEquals(0, second.exitCode(), second.output());
    assertEquals(0, count(second.output(), "[remote evil]"), second.output());
    assertIdentical(reference, BuildOutputs.under(lua.resolve("src"), ".o"));

    // Quarantined where people look: workers endpoint, hgbuild workers, events, metrics.
    JsonNode evil = null;
    for (JsonNode w : grid.get("/api/v1/workers")) {
      if (w.get("id").asText().equals("evil")) {
        evil = w;
      }
    }
    assertTrue(evil != null && evil.get("state").asText().equals("quarantined"), "" + evil);
    Map<String, String> env = new HashMap<>();
    env.put("HG_COORDINATOR", grid.coordinator());
    env.put("HG_TOKEN", CLIENT);
    env.put("HG_NO_MDNS", "1");
    Shell.Result workers =
        Shell.run(tmp, env, DIST.resolve("bin/hgbuild-jvm") + " workers 2>&1", 120);
    assertEquals(0, workers.exitCode(), workers.output());
    assertTrue(
        workers.output().lines().anyMatch(l -> l.contains("evil") && l.contains("quarantined")),
        workers.output());
    String events = grid.getText("/api/v1/events");
    assertTrue(events.contains("\"type\":\"quarantine\""), events);
    assertTrue(events.contains("shared cache entries it wrote"), events);
    String metrics = grid.getText("/metrics");
    assertTrue(metrics.contains("hybridgrid_quarantines_total 1.0"), metrics);
    System.out.println(
        "VerifiedCacheIT["
            + evilRole
            + "]: "
            + metrics
                .lines()
                .filter(
                    l ->
                        l.startsWith("hybridgrid_verifications_total")
                            || l.startsWith("hybridgrid_quarantines_total"))
                .toList());
  }

  private Shell.Result build(Path lua, Path cache) throws Exception {
    PrivateDaemon daemon = new PrivateDaemon(DIST);
    daemons.add(daemon);
    Map<String, String> env = new HashMap<>();
    env.put("HG_COORDINATOR", grid.coordinator());
    env.put("HG_TOKEN", CLIENT);
    env.put("HG_NO_FALLBACK", "1");
    env.put("HG_VERBOSE", "1");
    env.put("HG_CACHE_DIR", cache.toString());
    return Shell.run(
        lua,
        daemon.env(env),
        "make -C src posix -j2 CC='" + grid.hgbuild() + " gcc -std=gnu99' 2>&1",
        900);
  }

  /**
   * Builds the lying gcc (test code) next to a copy of the real driver {@code driver}, which it
   * runs; returns the lying one.
   */
  private static Path lyingGcc(Path tmp, String driver) throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        Shell.run(tmp, "unshare -m --propagation private true 2>&1").exitCode() == 0,
        "needs mount namespaces (root) to give one worker a lying gcc");
    Path dir = tmp.resolve("lying-bin");
    Files.createDirectories(dir);
    Path copy = dir.resolve("real-gcc");
    Files.copy(Path.of(driver), copy, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Path source = dir.resolve("lying-gcc.c");
    try (InputStream in = VerifiedCacheIT.class.getResourceAsStream("/verify/lying-gcc.c")) {
      Files.copy(in, source);
    }
    Shell.Result cc =
        Shell.run(
            dir,
            driver
                + " -O2 -DREAL='\""
                + copy
                + "\"' -o lying-gcc lying-gcc.c 2>&1 && rm lying-gcc.c");
    assertEquals(0, cc.exitCode(), cc.output());
    // Workers run as root here and their sandbox as nobody, which must reach both.
    for (Path p = dir; p != null && p.startsWith(tmp); p = p.getParent()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return dir.resolve("lying-gcc");
  }

  private Path secret(String name, String text) throws IOException {
    Path f = secrets.resolve(name);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private void awaitQuarantined(String id, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (JsonNode q : grid.get("/api/v1/quarantine")) {
        if (q.get("worker").asText().equals(id)) {
          return;
        }
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError(
        id + " not quarantined within " + timeout + "; events: " + grid.getText("/api/v1/events"));
  }
}
