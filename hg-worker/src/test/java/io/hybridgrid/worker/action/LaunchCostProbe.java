package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (surefire does not pick it up by name): the whole machine's busy CPU
 * ({@code /proc/stat}) and the wall time per sandboxed {@code /usr/bin/true} started the two ways a
 * worker can start it: by the resident {@link SandboxLauncher} (a fork of {@code hg-sandbox-exec
 * --serve}, then bubblewrap) and as this JVM's own process ({@code jspawnhelper}, then {@code
 * hg-sandbox-exec}, then bubblewrap), alternating, three rounds. As root, on an idle machine
 * (docs/benchmarks.md, "What one sandbox costs"):
 *
 * <pre>
 * ./mvnw -o -q -pl hg-worker verify -Dtest=LaunchCostProbe \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dlaunch.runs=150
 * grep round hg-worker/target/surefire-reports/*LaunchCostProbe-output.txt
 * </pre>
 */
class LaunchCostProbe {
  @TempDir Path tmp;

  @Test
  void probe() throws Exception {
    String runs = System.getProperty("launch.runs");
    Assumptions.assumeTrue(runs != null, "set -Dlaunch.runs to the launches per round");
    Assumptions.assumeTrue(BwrapSandbox.currentId("Uid:") == 0, "run as root, as a worker is");
    Path exec = SandboxExec.locate().orElseThrow();
    int n = Integer.parseInt(runs);
    List<String> bwrap =
        List.of(
            "/usr/bin/bwrap",
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--uid",
            "65534",
            "--gid",
            "65534",
            "--hostname",
            "sandbox",
            "--die-with-parent",
            "--new-session",
            "--as-pid-1",
            "--json-status-fd",
            "3",
            "--ro-bind",
            "/",
            "/",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--chdir",
            "/tmp",
            "--",
            "/usr/bin/true");
    SandboxLauncher launcher = new SandboxLauncher(exec);
    for (int round = 0; round < 3; round++) {
      for (boolean resident : List.of(true, false)) {
        for (int i = 0; i < 10; i++) {
          once(resident, launcher, exec, bwrap);
        }
        long busy0 = busyTicks();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          once(resident, launcher, exec, bwrap);
        }
        long t1 = System.nanoTime();
        Thread.sleep(500); // namespace teardown finishes after the last exit
        long busy1 = busyTicks();
        System.out.printf(
            "round %d %-22s machine CPU %.1f ms, wall %.1f ms per launch%n",
            round,
            resident ? "resident launcher" : "process of the JVM",
            (busy1 - busy0) * 10.0 / n,
            (t1 - t0) / 1e6 / n);
      }
    }
  }

  private void once(boolean resident, SandboxLauncher launcher, Path exec, List<String> bwrap)
      throws Exception {
    Path out = tmp.resolve("out");
    Path err = tmp.resolve("err");
    Path status = tmp.resolve("status");
    int code;
    if (resident) {
      code =
          launcher
              .start(
                  bwrap,
                  Map.of("PATH", "/usr/bin"),
                  out,
                  err,
                  status,
                  600,
                  8L << 30,
                  2L << 30,
                  new SandboxSettings.SandboxUser(65534, 65534))
              .exit()
              .get();
    } else {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  exec.toString(),
                  "--status",
                  status.toString(),
                  "--cpu",
                  "600",
                  "--as",
                  Long.toString(8L << 30),
                  "--fsize",
                  Long.toString(2L << 30),
                  "--user",
                  "65534:65534",
                  "--"));
      cmd.addAll(bwrap);
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().clear();
      pb.environment().put("PATH", "/usr/bin");
      code = pb.start().waitFor();
    }
    assertEquals(0, code, Files.readString(err));
  }

  /** The machine's busy clock ticks: user, nice, system, irq, softirq, steal. */
  private static long busyTicks() throws Exception {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    return Long.parseLong(f[1])
        + Long.parseLong(f[2])
        + Long.parseLong(f[3])
        + Long.parseLong(f[6])
        + Long.parseLong(f[7])
        + Long.parseLong(f[8]);
  }
}
