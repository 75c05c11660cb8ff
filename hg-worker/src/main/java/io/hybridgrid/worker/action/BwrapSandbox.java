package io.hybridgrid.worker.action;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one command in bubblewrap over a task's root tree.
 *
 * <p>With {@link SandboxExec}'s helper, the worker's resident {@link SandboxLauncher} forks a child
 * that does what {@code hg-sandbox-exec --status FILE --cpu ... --as ... --fsize ... [--user
 * UID:GID] -- bwrap ... -- argv} does and execs bubblewrap; without it, {@code sh -c 'exec
 * 3>status; exec "$@"' prlimit ... -- [setpriv ...] bwrap ... -- argv} does the same in three
 * process images started by this JVM ({@link #command}). The host side opens the file bubblewrap
 * reports its status to as descriptor 3, so that a sandbox that could not be set up (an
 * infrastructure failure) is told apart from a command that ran and failed; sets CPU time,
 * address-space and file-size limits and no core dumps; and, when the worker is root, drops to the
 * unprivileged sandbox user (no groups, no capabilities, no new privileges) before bubblewrap
 * starts, so the command is not root inside or outside. bubblewrap then unshares every namespace
 * (no network: a fresh network namespace holds only a down loopback), forbids further user
 * namespaces, mounts the tree read-only as {@code /}, the writable directories over it, the
 * toolchain's host files read-only, a fresh {@code /proc} and a minimal {@code /dev}, and dies with
 * its parent. On timeout the whole process tree is killed.
 */
final class BwrapSandbox {
  private static final Pattern EXIT = Pattern.compile("\"exit-code\"\\s*:\\s*(-?\\d+)");
  private static final Pattern CHILD = Pattern.compile("\"child-pid\"\\s*:\\s*(\\d+)");

  /**
   * What to run.
   *
   * @param taskDir the task directory (holds root/, status, stdout, stderr)
   * @param tree the root tree
   * @param cwd where the command starts, as the client named it
   * @param argv the command
   * @param env its whole environment
   * @param writable resolved directories mounted writable
   * @param readOnly host files and directories mounted read-only: host path -> resolved path
   * @param timeout how long it may run
   */
  record Run(
      Path taskDir,
      Path tree,
      String cwd,
      List<String> argv,
      Map<String, String> env,
      List<String> writable,
      List<Map.Entry<String, String>> readOnly,
      Duration timeout) {}

  /**
   * What the command did.
   *
   * @param exitCode its exit status
   * @param stdout its standard output
   * @param stderr its standard error
   * @param micros wall time
   */
  record Result(int exitCode, byte[] stdout, byte[] stderr, long micros) {}

  /** The sandbox could not be set up, or the command did not finish in time. */
  static final class SandboxFailure extends IOException {
    private static final long serialVersionUID = 1L;

    SandboxFailure(String message) {
      super(message);
    }
  }

  private final SandboxSettings settings;

  /** Starts commands when the helper is there; else each starts through the shell chain. */
  private final SandboxLauncher launcher;

  private final int ownUid;
  private final int ownGid;

  BwrapSandbox(SandboxSettings settings) {
    this.settings = settings;
    this.launcher = settings.exec() == null ? null : new SandboxLauncher(settings.exec());
    this.ownUid = currentId("Uid:");
    this.ownGid = currentId("Gid:");
  }

  /**
   * The full host command line for {@code run} in one process chain (for tests and logs; with the
   * helper, the resident launcher runs the same: its child does what the helper's one-shot form
   * does, then execs {@link #bwrap}).
   */
  List<String> command(Run run) {
    Path status = run.taskDir().resolve("status");
    List<String> cmd = new ArrayList<>();
    long cpuSeconds = cpuSeconds(run);
    SandboxSettings.SandboxUser user = settings.user();
    if (settings.exec() != null) {
      cmd.add(settings.exec().toString());
      cmd.add("--status");
      cmd.add(status.toString());
      cmd.add("--cpu");
      cmd.add(Long.toString(cpuSeconds));
      cmd.add("--as");
      cmd.add(Long.toString(settings.memoryBytes()));
      cmd.add("--fsize");
      cmd.add(Long.toString(settings.fileBytes()));
      if (user != null) {
        cmd.add("--user");
        cmd.add(user.uid() + ":" + user.gid());
      }
      cmd.add("--");
    } else {
      cmd.add("/bin/sh");
      cmd.add("-c");
      cmd.add("exec 3>\"$0\" && exec \"$@\"");
      cmd.add(status.toString());
      cmd.add("/usr/bin/prlimit");
      cmd.add("--cpu=" + cpuSeconds + ":" + (cpuSeconds + 5));
      cmd.add("--as=" + settings.memoryBytes());
      cmd.add("--fsize=" + settings.fileBytes());
      cmd.add("--core=0");
      cmd.add("--");
      if (user != null) {
        cmd.add("/usr/bin/setpriv");
        cmd.add("--reuid=" + user.uid());
        cmd.add("--regid=" + user.gid());
        cmd.add("--clear-groups");
        cmd.add("--inh-caps=-all");
        cmd.add("--no-new-privs");
        cmd.add("--");
      }
    }
    cmd.addAll(bwrap(run));
    return cmd;
  }

  private static long cpuSeconds(Run run) {
    return Math.max(1, run.timeout().toSeconds());
  }

  /** bubblewrap's command line for {@code run}, from its path to the command's last argument. */
  List<String> bwrap(Run run) {
    List<String> cmd = new ArrayList<>();
    SandboxSettings.SandboxUser user = settings.user();
    int uid = user != null ? user.uid() : ownUid;
    int gid = user != null ? user.gid() : ownGid;
    cmd.add(settings.bwrap().toString());
    cmd.add("--unshare-all");
    cmd.add("--unshare-user");
    cmd.add("--disable-userns");
    cmd.add("--uid");
    cmd.add(Integer.toString(uid));
    cmd.add("--gid");
    cmd.add(Integer.toString(gid));
    cmd.add("--hostname");
    cmd.add("sandbox");
    cmd.add("--die-with-parent");
    cmd.add("--new-session");
    // The command itself is the pid namespace's init: no init of bubblewrap's between them, one
    // process fewer per action. When it exits the kernel kills whatever it left in the namespace.
    cmd.add("--as-pid-1");
    cmd.add("--json-status-fd");
    cmd.add("3");
    cmd.add("--ro-bind");
    cmd.add(run.tree().toString());
    cmd.add("/");
    for (String w : run.writable()) {
      cmd.add("--bind");
      cmd.add(host(run.tree(), w));
      cmd.add(w);
    }
    for (Map.Entry<String, String> m : run.readOnly()) {
      cmd.add("--ro-bind");
      cmd.add(m.getKey());
      cmd.add(m.getValue());
    }
    cmd.add("--proc");
    cmd.add("/proc");
    cmd.add("--dev");
    cmd.add("/dev");
    cmd.add("--chdir");
    cmd.add(run.cwd());
    cmd.add("--");
    cmd.addAll(run.argv());
    return cmd;
  }

  private static String host(Path tree, String resolved) {
    return resolved.equals("/") ? tree.toString() : tree + resolved;
  }

  Result run(Run run) throws IOException {
    Path stdout = run.taskDir().resolve("stdout");
    Path stderr = run.taskDir().resolve("stderr");
    // A reused task directory holds the last command's report: it must not pass for this one's.
    Files.deleteIfExists(run.taskDir().resolve("status"));
    long start = System.nanoTime();
    int exitCode = launcher != null ? launched(run, stdout, stderr) : chained(run, stdout, stderr);
    long micros = (System.nanoTime() - start) / 1000;
    String status =
        Files.exists(run.taskDir().resolve("status"))
            ? Files.readString(run.taskDir().resolve("status"), StandardCharsets.UTF_8)
            : "";
    byte[] err = Files.readAllBytes(stderr);
    // bubblewrap reports a child even when mounting inside it failed; it then exits 1 with its own
    // "bwrap: " message. A compiler's diagnostics never start so (they name a file or the
    // driver); a command that fakes it only turns its own result into a retry.
    boolean setupFailed =
        exitCode == 1
            && new String(err, 0, Math.min(err.length, 7), StandardCharsets.UTF_8)
                .equals("bwrap: ");
    if (!CHILD.matcher(status).find() || setupFailed) {
      throw new SandboxFailure(
          "the sandbox could not be set up (exit "
              + exitCode
              + "): "
              + new String(err, StandardCharsets.UTF_8).strip());
    }
    Matcher exit = EXIT.matcher(status);
    int code = exit.find() ? Integer.parseInt(exit.group(1)) : exitCode;
    return new Result(code, Files.readAllBytes(stdout), err, micros);
  }

  /** Runs {@code run} through the resident launcher; its exit status. */
  private int launched(Run run, Path stdout, Path stderr) throws IOException {
    SandboxLauncher.Launched l;
    try {
      l =
          launcher.start(
              bwrap(run),
              run.env(),
              stdout,
              stderr,
              run.taskDir().resolve("status"),
              cpuSeconds(run),
              settings.memoryBytes(),
              settings.fileBytes(),
              settings.user());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while starting the sandbox");
    }
    try {
      return l.exit().get(run.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      killTree(l);
      throw timedOut(run);
    } catch (InterruptedException e) {
      killTree(l);
      throw killedOnInterrupt();
    } catch (ExecutionException e) {
      throw new SandboxFailure(e.getCause().getMessage());
    }
  }

  /** Runs {@code run} as a process of this JVM's through {@link #command}; its exit status. */
  private int chained(Run run, Path stdout, Path stderr) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command(run))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(run.env());
    Process p = pb.start();
    try {
      if (!p.waitFor(run.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(p);
        throw timedOut(run);
      }
    } catch (InterruptedException e) {
      killTree(p);
      throw killedOnInterrupt();
    }
    return p.exitValue();
  }

  /** For a command killed because its thread was interrupted; the interrupt stays set. */
  private static java.io.InterruptedIOException killedOnInterrupt() {
    Thread.currentThread().interrupt();
    return new java.io.InterruptedIOException("interrupted; the command was killed");
  }

  private static SandboxFailure timedOut(Run run) {
    return new SandboxFailure(
        "the command did not finish within "
            + run.timeout().toSeconds()
            + " s and was killed with every process it started");
  }

  /** Kills bubblewrap and everything under it, then waits up to 10 s for its exit. */
  private static void killTree(SandboxLauncher.Launched l) throws IOException {
    List<ProcessHandle> tree =
        ProcessHandle.of(l.pid()).map(h -> h.descendants().toList()).orElse(List.of());
    l.kill();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      l.exit().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Gone with the launcher, or not reaped yet: the kill was sent either way.
    }
  }

  static void killTree(Process p) {
    // Snapshot first: once bubblewrap is dead its children are no longer its descendants (the
    // command, the namespace's init, dies with it anyway, --die-with-parent, and the kernel then
    // kills the rest of the namespace).
    List<ProcessHandle> tree = p.descendants().toList();
    p.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** This process's real uid ({@code flag} "Uid:") or gid ("Gid:") from /proc/self/status. */
  static int currentId(String flag) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(flag)) {
          return Integer.parseInt(line.substring(flag.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot read this process's ids: " + e, e);
    }
    throw new IllegalStateException("no " + flag + " line in /proc/self/status");
  }
}
