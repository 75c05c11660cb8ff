package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mDNS discovery between two hosts, simulated by two network namespaces joined by veth: hg-coord
 * (mDNS on) in namespace A, hg-worker with no address in namespace B. The worker must find the
 * coordinator by mDNS alone, and hgbuild in namespace B, also given no address, must find it too
 * and compile through it. Multicast stays inside the two namespaces. Skipped, with the reason
 * printed, where {@code ip netns} is not permitted (not root, no iproute2, no netns support).
 */
class MdnsNetnsIT {
  private static final Path DIST =
      Path.of(System.getProperty("hg.dist", "../dist")).toAbsolutePath();
  private static final int GRPC_PORT = 19000;
  private static final int HTTP_PORT = 18080;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static NetnsPair ns;
  private static Path logs;

  @BeforeAll
  static void createNamespaces() throws Exception {
    try {
      ns = NetnsPair.create();
    } catch (Exception e) {
      String reason =
          "network namespaces not available (needs root and ip netns): " + e.getMessage();
      System.out.println("MdnsNetnsIT skipped: " + reason);
      Assumptions.abort(reason);
    }
    logs = Files.createTempDirectory("hg-netns-logs-");
    // The worker runs as root and its sandbox as nobody, which must reach the task directories.
    Files.setPosixFilePermissions(
        logs, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
  }

  @AfterAll
  static void deleteNamespaces() throws Exception {
    if (ns != null) {
      ns.close();
    }
    Scratch.keepOnlyLogs(logs);
  }

  @Test
  void workerAndClientFindCoordinatorByMdnsAloneAndBuildRunsThroughIt(@TempDir Path tmp)
      throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Map<String, String> env =
        Map.of("PATH", System.getenv("PATH"), "HOME", home.toString(), "LANG", "C");
    ns.start(
        ns.nsA,
        List.of(
            DIST.resolve("bin/hg-coord").toString(),
            "serve",
            // The namespace is the test's own network: listening beyond loopback without tokens
            // is fine there, and mDNS announces the veth address.
            "--bind",
            "0.0.0.0",
            "--insecure",
            "--grpc-port",
            Integer.toString(GRPC_PORT),
            "--http-port",
            Integer.toString(HTTP_PORT),
            "--mdns-interface",
            ns.addressA,
            "--state-dir",
            tmp.resolve("coord-state").toString()),
        env,
        logs.resolve("coord.log"));
    // No --coordinator, no HG_COORDINATOR: mDNS is the only way to find it.
    ns.start(
        ns.nsB,
        List.of(
            DIST.resolve("bin/hg-worker").toString(),
            "serve",
            "--id",
            "ns-worker",
            "--max-parallel",
            "2",
            "--work-dir",
            logs.resolve("work").toString(),
            "--cas-dir",
            logs.resolve("cas").toString()),
        env,
        logs.resolve("worker.log"));

    JsonNode worker = awaitWorker("ns-worker", Duration.ofSeconds(90));
    assertEquals("active", worker.get("state").asText(), worker.toString());
    String workerLog = Files.readString(logs.resolve("worker.log"));
    assertTrue(
        workerLog.contains("mDNS: found coordinator")
            && workerLog.contains("at " + ns.addressA + ":" + GRPC_PORT),
        workerLog);

    Path src = Files.createDirectories(tmp.resolve("src"));
    for (String f : List.of("a", "b", "c")) {
      Files.writeString(
          src.resolve(f + ".c"),
          "#include <string.h>\nint "
              + f
              + "(const char *s) { return (int) strlen(s) * 3 + '"
              + f
              + "'; }\n");
    }
    // hgbuild in B without any address: the first compile looks (bounded), later ones remember.
    // The launcher starts a daemon inside namespace B; stop it before the namespace goes away.
    StringBuilder cmd =
        new StringBuilder("trap 'HG_DAEMON_SOCKET=")
            .append(tmp.resolve("d/daemon.sock"))
            .append(' ')
            .append(DIST.resolve("bin/hgbuild"))
            .append(" daemon --stop >/dev/null 2>&1' EXIT; set -e; cd ")
            .append(src)
            .append("; ");
    for (String f : List.of("a", "b", "c")) {
      cmd.append("gcc -O2 -g -c ").append(f).append(".c -o ").append(f).append(".local.o; ");
      cmd.append("env -u HG_COORDINATOR -u HG_NO_MDNS HOME=")
          .append(home)
          .append(" HG_NO_FALLBACK=1 HG_VERBOSE=1 HG_NO_CACHE=1 HG_DAEMON_IDLE_TIMEOUT=60")
          .append(" HG_DAEMON_SOCKET=")
          .append(tmp.resolve("d/daemon.sock"))
          .append(' ')
          .append(DIST.resolve("bin/hgbuild"))
          .append(" gcc -O2 -g -c ")
          .append(f)
          .append(".c -o ")
          .append(f)
          .append(".remote.o 2>&1; ");
    }
    Shell.Result r = ns.run(ns.nsB, tmp, cmd.toString(), 300);
    assertEquals(0, r.exitCode(), r.output() + "\nlogs in " + logs);
    for (String f : List.of("a", "b", "c")) {
      assertTrue(r.output().contains(f + ".c [remote ns-worker]"), r.output());
      assertArrayEquals(
          Files.readAllBytes(src.resolve(f + ".local.o")),
          Files.readAllBytes(src.resolve(f + ".remote.o")),
          f + ".o differs from a local compile");
    }
    String remembered = Files.readString(home.resolve(".hybridgrid/coordinator"));
    assertTrue(remembered.contains("address=" + ns.addressA + ":" + GRPC_PORT), remembered);
    assertEquals(
        3, awaitWorker("ns-worker", Duration.ofSeconds(10)).get("tasks_completed").asInt());
  }

  /** Polls the coordinator's /api/v1/workers from inside namespace A until {@code id} shows up. */
  private static JsonNode awaitWorker(String id, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      Shell.Result r =
          ns.run(
              ns.nsA,
              logs,
              "curl -s --max-time 2 http://" + ns.addressA + ":" + HTTP_PORT + "/api/v1/workers",
              10);
      last = r.output();
      if (r.exitCode() == 0 && last.startsWith("[")) {
        for (JsonNode w : JSON.readTree(last)) {
          if (w.get("id").asText().equals(id)) {
            return w;
          }
        }
      }
      Thread.sleep(500); // polling with a deadline
    }
    throw new AssertionError(
        "worker "
            + id
            + " did not register within "
            + timeout
            + "; last answer: "
            + last
            + "; logs in "
            + logs);
  }
}
