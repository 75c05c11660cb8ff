package io.hybridgrid.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two Linux network namespaces joined by a veth pair, with private IPv4 addresses, multicast on and
 * a 224.0.0.0/4 route, so mDNS between them works and never reaches the host's own network. Needs
 * root ({@code ip netns}). Names carry this JVM's pid, so parallel runs do not collide; {@link
 * #close()} stops every process started in them and deletes both namespaces (the veth pair goes
 * with them).
 */
final class NetnsPair implements AutoCloseable {
  final String nsA;
  final String nsB;
  final String addressA;
  final String addressB;
  private final String vethA;
  private final String vethB;
  private final List<Process> processes = new ArrayList<>();
  private final List<String> created = new ArrayList<>();

  private NetnsPair(long id) {
    this.nsA = "hg-ns-" + id + "-a";
    this.nsB = "hg-ns-" + id + "-b";
    this.vethA = "hgv" + id + "a";
    this.vethB = "hgv" + id + "b";
    String net = "10.213." + (20 + id % 200) + ".";
    this.addressA = net + "1";
    this.addressB = net + "2";
  }

  /**
   * Creates the pair.
   *
   * @throws IllegalStateException naming the command that failed (e.g. not root)
   */
  static NetnsPair create() throws IOException, InterruptedException {
    NetnsPair p = new NetnsPair(ProcessHandle.current().pid());
    try {
      p.setUp();
      return p;
    } catch (IOException | InterruptedException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  private void setUp() throws IOException, InterruptedException {
    ip("netns", "add", nsA);
    created.add(nsA);
    ip("netns", "add", nsB);
    created.add(nsB);
    ip("link", "add", vethA, "type", "veth", "peer", "name", vethB);
    ip("link", "set", vethA, "netns", nsA);
    ip("link", "set", vethB, "netns", nsB);
    configure(nsA, vethA, addressA);
    configure(nsB, vethB, addressB);
  }

  private void configure(String ns, String dev, String address)
      throws IOException, InterruptedException {
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "addr", "add", address + "/24", "dev", dev);
    ip("-n", ns, "link", "set", dev, "multicast", "on");
    ip("-n", ns, "link", "set", dev, "up");
    ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", dev);
  }

  /** Starts {@code cmd} inside {@code ns} with exactly {@code env}, output to {@code log}. */
  Process start(String ns, List<String> cmd, Map<String, String> env, Path log) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(cmd);
    ProcessBuilder pb =
        new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** Takes namespace B's end of the link down (its network is cut) or up again. */
  void linkB(boolean up) throws IOException, InterruptedException {
    ip("-n", nsB, "link", "set", vethB, up ? "up" : "down");
  }

  /** Runs a bash command inside {@code ns}, bounded in time. */
  Shell.Result run(String ns, Path dir, String command, long timeoutSeconds)
      throws IOException, InterruptedException {
    return Shell.run(
        dir, Map.of(), "ip netns exec " + ns + " bash -c " + quote(command), timeoutSeconds);
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Runs {@code ip args...}; returns its output or throws naming the failed command. */
  private static String ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " timed out");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.strip());
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
    // A veth left in the host namespace (set-up failed before moving it) is removed too.
    try {
      ip("link", "show", vethA);
      ip("link", "del", vethA);
    } catch (IOException | RuntimeException e) {
      // not there: the usual case
    }
    for (String ns : created) {
      try {
        // Anything still running in a namespace this test made was started by this test.
        for (String pid : ip("netns", "pids", ns).split("\\s+")) {
          if (!pid.isBlank()) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
        ip("netns", "del", ns);
      } catch (IOException | RuntimeException e) {
        System.err.println("NetnsPair: could not delete namespace " + ns + ": " + e.getMessage());
      }
    }
    created.clear();
  }
}
