package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.Tools;
import io.hybridgrid.worker.cas.BlobDigest;
import io.hybridgrid.worker.cas.CasFetcher;
import io.hybridgrid.worker.cas.FakeCasClient;
import io.hybridgrid.worker.cas.LocalCas;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox is the wall: whatever an action's command does, it sees only its input root and the
 * toolchain, writes only its task directory, has no network and is not root. Compiles use the real
 * gcc; the rest uses a small static probe program shipped as the action's toolchain.
 */
class SandboxSecurityTest {
  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final FakeCasClient store = new FakeCasClient();
  private final boolean root = BwrapSandbox.currentId("Uid:") == 0;
  private ActionExecutor executor;
  private Path probe;

  private static final String PROBE_C =
      """
      #include <errno.h>
      #include <fcntl.h>
      #include <netinet/in.h>
      #include <stdio.h>
      #include <stdlib.h>
      #include <string.h>
      #include <sys/resource.h>
      #include <sys/socket.h>
      #include <unistd.h>
      int main(int argc, char **argv) {
        const char *m = argv[1];
        if (!strcmp(m, "id")) {
          printf("uid=%d euid=%d gid=%d\\n", (int) getuid(), (int) geteuid(), (int) getgid());
          FILE *f = fopen("/proc/self/uid_map", "r");
          char line[256];
          while (f && fgets(line, sizeof line, f)) printf("uid_map %s", line);
          return 0;
        }
        if (!strcmp(m, "connect")) {
          int s = socket(AF_INET, SOCK_STREAM, 0);
          struct sockaddr_in a;
          memset(&a, 0, sizeof a);
          a.sin_family = AF_INET;
          a.sin_port = htons(atoi(argv[2]));
          a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          int r = connect(s, (struct sockaddr *) &a, sizeof a);
          printf("connect %s\\n", r == 0 ? "ok" : strerror(errno));
          return r == 0 ? 0 : 3;
        }
        if (!strcmp(m, "read")) {
          int fd = open(argv[2], O_RDONLY);
          printf("read %s\\n", fd >= 0 ? "ok" : strerror(errno));
          return fd >= 0 ? 0 : 3;
        }
        if (!strcmp(m, "write")) {
          int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
          printf("write %s\\n", fd >= 0 ? "ok" : strerror(errno));
          if (fd >= 0) { write(fd, "x", 1); close(fd); }
          return fd >= 0 ? 0 : 3;
        }
        if (!strcmp(m, "symlink")) {
          int r = symlink(argv[2], argv[3]);
          printf("symlink %s\\n", r == 0 ? "ok" : strerror(errno));
          return 0;
        }
        if (!strcmp(m, "limits")) {
          int ids[] = {RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_CORE};
          const char *names[] = {"cpu", "as", "fsize", "core"};
          for (int i = 0; i < 4; i++) {
            struct rlimit r;
            getrlimit(ids[i], &r);
            printf("%s %llu %llu\\n", names[i], (unsigned long long) r.rlim_cur,
                   (unsigned long long) r.rlim_max);
          }
          return 0;
        }
        if (!strcmp(m, "hang")) {
          if (fork() == 0) for (;;) pause();
          for (;;) pause();
        }
        if (!strcmp(m, "orphan")) {
          if (fork() == 0) for (;;) pause();
          printf("pid %d\\n", (int) getpid());
          return 0;
        }
        return 2;
      }
      """;

  @BeforeEach
  void setUp() throws Exception {
    ActionExecutorTest.assumeSandbox();
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    executor = executor(SandboxExec.locate().orElse(null), "work", "cas");
    Path src = Tools.write(tmp, "probe/probe.c", PROBE_C);
    probe = tmp.resolve("probe/probe");
    Tools.ok(tmp, Tools.GCC, "-static", "-O1", "-o", probe.toString(), src.toString());
  }

  private ActionExecutor executor(Path exec, String workDir, String casDir) throws Exception {
    Path gcc = Path.of("/usr/bin/gcc");
    return new ActionExecutor(
        new InstalledCompilers(Map.of(CompilerProbe.probe(gcc).orElseThrow(), gcc)),
        new CasFetcher(LocalCas.open(tmp.resolve(casDir), 1L << 30), pool),
        new SandboxSettings(
            tmp.resolve(workDir),
            Path.of("/usr/bin/bwrap"),
            exec,
            root ? new SandboxSettings.SandboxUser(65534, 65534) : null,
            Duration.ofSeconds(30),
            8L << 30,
            1L << 30,
            1L << 20, // 1 MiB of inputs at most: the size-bound test goes past it
            10_000,
            SandboxSettings.INLINE_OUTPUT_BYTES));
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  /** An action running the probe, shipped as the toolchain at /opt/probe/probe. */
  private ActionSpec probeAction(String... args) throws Exception {
    BlobDigest d = store.add(Files.readAllBytes(probe));
    List<String> argv = new ArrayList<>();
    argv.add("/opt/probe/probe");
    argv.addAll(List.of(args));
    return new ActionSpec(
        argv,
        "/work/dir",
        Map.of("PATH", "/usr/bin"),
        List.of(),
        List.of(),
        List.of("/work/dir"),
        List.of("/work/dir/out"),
        new CompilerIdentity("gcc", "12", "x86_64-linux-gnu", false),
        "/opt/probe/probe",
        new ActionSpec.Toolchain(
            List.of(new ActionSpec.InputFile("/opt/probe/probe", d, true)), List.of(), ""));
  }

  private ActionOutcome run(ActionSpec a) throws TaskRefusedException {
    return executor.execute(a, Duration.ofSeconds(20), store);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void doesNotRunAsRoot() throws Exception {
    ActionOutcome out = run(probeAction("id"));
    String s = text(out.stdout());
    assertEquals(0, out.exitCode(), text(out.stderr()));
    assertFalse(s.contains("uid=0 "), s);
    assertFalse(s.contains("euid=0 "), s);
  }

  /**
   * What the probe's {@code limits} prints under this test's settings: CPU 20 s (the action's own
   * timeout, below the worker's 30 s) with the hard limit 5 s above, 8 GiB of address space, 1 GiB
   * files, no core dumps.
   */
  private static final String LIMITS =
      "cpu 20 25\nas 8589934592 8589934592\nfsize 1073741824 1073741824\ncore 0 0\n";

  @Test
  void theCommandRunsUnderItsLimits() throws Exception {
    assertTrue(
        SandboxExec.locate().isPresent(), "the build puts hg-sandbox-exec in target/libexec");
    assertEquals(LIMITS, text(run(probeAction("limits")).stdout()));
  }

  @Test
  void theShellChainWithoutTheHelperBuildsTheSameWalls() throws Exception {
    // A worker without hg-sandbox-exec starts bubblewrap through sh, prlimit and setpriv.
    ActionExecutor chain = executor(null, "work-chain", "cas-chain");
    ActionOutcome id = chain.execute(probeAction("id"), Duration.ofSeconds(20), store);
    assertEquals(0, id.exitCode(), text(id.stderr()));
    assertTrue(text(id.stdout()).startsWith(root ? "uid=65534 euid=65534 gid=65534\n" : "uid="));
    assertFalse(text(id.stdout()).contains("uid=0 "), text(id.stdout()));
    assertEquals(
        LIMITS, text(chain.execute(probeAction("limits"), Duration.ofSeconds(20), store).stdout()));
    assertEquals(
        "read No such file or directory\n",
        text(
            chain
                .execute(probeAction("read", "/etc/hostname"), Duration.ofSeconds(20), store)
                .stdout()));
  }

  @Test
  void isNotRootOutsideTheSandboxEither() throws Exception {
    assumeTrue(root, "the worker is not root here: commands run as its own user anyway");
    String token = "uid-" + UUID.randomUUID();
    ActionSpec a = probeAction("hang", token);
    ExecutorService bg = Executors.newSingleThreadExecutor();
    try {
      var running = bg.submit(() -> executor.execute(a, Duration.ofSeconds(5), store));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      List<ProcessHandle> seen = List.of();
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        seen = withArgument(token);
      }
      assertFalse(seen.isEmpty(), "the probe never appeared");
      for (ProcessHandle p : seen) {
        // The host's view of the process's user (from /proc/<pid>/status on this side).
        assertEquals("nobody", p.info().user().orElse("?"), p.toString());
      }
      assertThrows(java.util.concurrent.ExecutionException.class, running::get);
    } finally {
      bg.shutdownNow();
    }
  }

  /**
   * Processes whose arguments hold {@code token}, once past the host-side launch: hg-sandbox-exec
   * (or the shell, prlimit and setpriv) carries the same arguments as root for the instant before
   * it drops to the sandbox user and execs bubblewrap, so it is not the compile's process.
   */
  /** The processes with {@code token} still alive after up to 10 s of waiting for none. */
  private static List<ProcessHandle> awaitGone(String token) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<ProcessHandle> left = withArgument(token);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10); // polling with a deadline
      left = withArgument(token);
    }
    return left;
  }

  private static List<ProcessHandle> withArgument(String token) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(args -> List.of(args).contains(token)).orElse(false))
        .filter(
            p ->
                p.info()
                    .command()
                    .map(
                        c ->
                            !LAUNCH_CHAIN.contains(
                                java.nio.file.Path.of(c).getFileName().toString()))
                    .orElse(false))
        .toList();
  }

  private static final java.util.Set<String> LAUNCH_CHAIN =
      java.util.Set.of("sh", "dash", "bash", "prlimit", "setpriv", SandboxExec.NAME);

  @Test
  void hasNoNetwork() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(listener.getLocalPort());
      // The probe reaches the listener when not sandboxed: this test can fail.
      Tools.Result outside = Tools.run(tmp, List.of(probe.toString(), "connect", port));
      assertEquals("connect ok\n", text(outside.stdout()));
      ActionOutcome in = run(probeAction("connect", port));
      assertEquals(3, in.exitCode(), text(in.stdout()));
      assertTrue(text(in.stdout()).startsWith("connect "), text(in.stdout()));
      assertNotEquals("connect ok\n", text(in.stdout()));
    }
  }

  @Test
  void cannotReadWorkerFiles() throws Exception {
    assertEquals(0, Tools.run(tmp, List.of(probe.toString(), "read", "/etc/hostname")).exitCode());
    ActionOutcome out = run(probeAction("read", "/etc/hostname"));
    assertEquals("read No such file or directory\n", text(out.stdout()));
    ActionOutcome cas = run(probeAction("read", tmp.resolve("cas").toString()));
    assertEquals("read No such file or directory\n", text(cas.stdout()));
  }

  @Test
  void cannotWriteOutsideItsTaskDirectory() throws Exception {
    // The input root is read-only outside the outputs' directories and /tmp.
    ActionOutcome ro = run(probeAction("write", "/opt/probe/probe"));
    assertEquals(3, ro.exitCode(), text(ro.stdout()));
    ActionOutcome rootDir = run(probeAction("write", "/evil"));
    assertEquals(3, rootDir.exitCode(), text(rootDir.stdout()));
    // Writable places are the task's own: nothing reaches the host.
    Path hostTmp = Path.of("/tmp/hg-sandbox-" + UUID.randomUUID());
    ActionOutcome t = run(probeAction("write", hostTmp.toString()));
    assertEquals("write ok\n", text(t.stdout()));
    assertFalse(Files.exists(hostTmp), "a write to /tmp stayed in the task");
    ActionOutcome undeclared = run(probeAction("write", "/work/dir/other"));
    assertEquals("write ok\n", text(undeclared.stdout()));
    assertTrue(undeclared.outputs().isEmpty(), "only declared outputs come back");
    ActionOutcome declared = run(probeAction("write", "/work/dir/out"));
    assertEquals(1, declared.outputs().size());
    assertEquals("x", text(declared.outputs().get(0).contents()));
  }

  @Test
  void aSymlinkLeftAtAnOutputPathIsNotFollowed() throws Exception {
    Path secret = Tools.write(tmp, "secret", "worker secret");
    ActionOutcome out = run(probeAction("symlink", secret.toString(), "/work/dir/out"));
    assertEquals("symlink ok\n", text(out.stdout()));
    assertTrue(out.outputs().isEmpty(), "the symlink is not returned, nor what it points to");
  }

  @Test
  void theWholeProcessTreeIsKilledOnTimeout() throws Exception {
    String token = "hang-" + UUID.randomUUID();
    ActionSpec a = probeAction("hang", token);
    TaskRefusedException e =
        assertThrows(
            TaskRefusedException.class, () -> executor.execute(a, Duration.ofSeconds(2), store));
    assertEquals(Rejection.INFRASTRUCTURE, e.reason());
    assertTrue(e.getMessage().contains("did not finish within 2 s"), e.getMessage());
    List<ProcessHandle> left = awaitGone(token);
    assertTrue(left.isEmpty(), "processes left: " + left);
  }

  @Test
  void aProcessLeftBehindDiesWithTheCommand() throws Exception {
    // The command is the pid namespace's init (--as-pid-1): when it exits, the kernel kills what
    // it forked and left running, so nothing of an action outlives it on the worker.
    String token = "orphan-" + UUID.randomUUID();
    ActionOutcome out = run(probeAction("orphan", token));
    assertEquals(0, out.exitCode(), text(out.stderr()));
    assertEquals("pid 1\n", text(out.stdout()));
    List<ProcessHandle> left = awaitGone(token);
    assertTrue(left.isEmpty(), "processes left: " + left);
  }

  /** The resident launchers ({@code hg-sandbox-exec --serve}) this JVM has started. */
  private static java.util.Set<Long> launchers() {
    return ProcessHandle.current()
        .children()
        .filter(
            p -> p.info().arguments().map(a -> List.of(a).equals(List.of("--serve"))).orElse(false))
        .map(ProcessHandle::pid)
        .collect(java.util.stream.Collectors.toSet());
  }

  /** Runs one action so that this test's executor has its launcher, and returns that launcher. */
  private ProcessHandle launcherOfThisExecutor() throws Exception {
    java.util.Set<Long> before = launchers();
    assertEquals(0, run(probeAction("id")).exitCode());
    java.util.Set<Long> mine = launchers();
    mine.removeAll(before);
    assertEquals(1, mine.size(), "one launcher started by the first action: " + mine);
    return ProcessHandle.of(mine.iterator().next()).orElseThrow();
  }

  @Test
  void aCommandDiesWithItsLauncherAndTheNextOneStartsAnother() throws Exception {
    ProcessHandle launcher = launcherOfThisExecutor();
    String token = "launcher-" + UUID.randomUUID();
    ExecutorService bg = Executors.newSingleThreadExecutor();
    try {
      var running =
          bg.submit(
              () -> executor.execute(probeAction("hang", token), Duration.ofSeconds(60), store));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (withArgument(token).size() < 2) { // the probe and the child it forked
        assertTrue(System.nanoTime() < deadline, "the command did not start");
        Thread.sleep(10); // polling with a deadline
      }

      launcher.destroyForcibly(); // as if the kernel's OOM killer had chosen it

      var e =
          assertThrows(
              java.util.concurrent.ExecutionException.class,
              () -> running.get(20, TimeUnit.SECONDS));
      TaskRefusedException refused = assertInstanceOf(TaskRefusedException.class, e.getCause());
      assertEquals(Rejection.INFRASTRUCTURE, refused.reason());
      assertTrue(
          refused.getMessage().contains("hg-sandbox-exec --serve stopped"), refused.getMessage());
      List<ProcessHandle> left = awaitGone(token);
      assertTrue(left.isEmpty(), "processes left: " + left);
    } finally {
      bg.shutdownNow();
    }
    ActionOutcome next = run(probeAction("id"));
    assertEquals(0, next.exitCode(), text(next.stderr()));
    assertTrue(launchers().stream().noneMatch(p -> p == launcher.pid()));
  }

  /** Starts {@code argv} through {@code launcher}, outside bubblewrap, output into tmp. */
  private SandboxLauncher.Launched start(SandboxLauncher launcher, List<String> argv)
      throws Exception {
    return launcher.start(
        argv,
        Map.of("PATH", "/usr/bin:/bin"),
        tmp.resolve("o"),
        tmp.resolve("e"),
        tmp.resolve("s"),
        20,
        8L << 30,
        1L << 30,
        null);
  }

  private int runTrue(SandboxLauncher launcher) throws Exception {
    return start(launcher, List.of("/bin/true")).exit().get(20, TimeUnit.SECONDS);
  }

  @Test
  void aCommandWhoseStartWasInterruptedIsKilledAndTheLauncherStays() throws Exception {
    Path exec = SandboxExec.locate().orElseThrow();
    SandboxLauncher launcher = new SandboxLauncher(exec);
    java.util.Set<Long> before = launchers();
    assertEquals(0, runTrue(launcher));
    java.util.Set<Long> mine = launchers();
    mine.removeAll(before);
    assertEquals(1, mine.size(), mine.toString());

    String token = "interrupted-" + UUID.randomUUID();
    // One process that carries the token and runs until killed (tail follows /dev/null; the token
    // is a file it cannot open).
    List<String> argv = List.of("/usr/bin/tail", "-f", "/dev/null", token);
    Thread.currentThread().interrupt(); // as a CancelTask does, while the request is on its way
    assertThrows(InterruptedException.class, () -> start(launcher, argv));
    assertFalse(Thread.interrupted()); // get() cleared it when it threw
    List<ProcessHandle> left = awaitGone(token);
    assertTrue(left.isEmpty(), "processes left: " + left);
    // The same launcher serves the next command: the abandoned one's answers had a place.
    assertEquals(0, runTrue(launcher));
    assertTrue(launchers().containsAll(mine), "the launcher was replaced");
  }

  @Test
  void aSandboxThatCannotStartIsAnInfrastructureFailureNamingWhy() throws Exception {
    // A bwrap that is there and executable, but whose exec fails (its interpreter is missing).
    Path bwrap = Tools.write(tmp, "broken/bwrap", "#!/no/such/interpreter\n");
    Files.setPosixFilePermissions(bwrap, PosixFilePermissions.fromString("rwxr-xr-x"));
    ActionExecutor broken =
        new ActionExecutor(
            new InstalledCompilers(Map.of()),
            new CasFetcher(LocalCas.open(tmp.resolve("cas-broken"), 1L << 30), pool),
            new SandboxSettings(
                tmp.resolve("work-broken"),
                bwrap,
                SandboxExec.locate().orElseThrow(),
                root ? new SandboxSettings.SandboxUser(65534, 65534) : null,
                Duration.ofSeconds(30),
                8L << 30,
                1L << 30,
                1L << 20,
                10_000,
                SandboxSettings.INLINE_OUTPUT_BYTES));
    TaskRefusedException e =
        assertThrows(
            TaskRefusedException.class,
            () -> broken.execute(probeAction("id"), Duration.ofSeconds(20), store));
    assertEquals(Rejection.INFRASTRUCTURE, e.reason());
    assertTrue(
        e.getMessage().contains("hg-sandbox-exec: " + bwrap + ": No such file or directory"),
        e.getMessage());
  }

  @Test
  void theWholeProcessTreeIsKilledWhenTheActionIsCancelled() throws Exception {
    String token = "hang-" + UUID.randomUUID();
    ActionSpec a = probeAction("hang", token);
    java.util.concurrent.CompletableFuture<Throwable> thrown =
        new java.util.concurrent.CompletableFuture<>();
    Thread runner =
        new Thread(
            () -> {
              try {
                executor.execute(a, Duration.ofSeconds(60), store);
                thrown.complete(null);
              } catch (Throwable t) {
                thrown.complete(t);
              }
            });
    runner.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (withArgument(token).size() < 2) { // the probe and the child it forked
      assertTrue(System.nanoTime() < deadline, "the command did not start");
      Thread.sleep(10); // polling with a deadline
    }

    runner.interrupt(); // what the worker's task executor does on CancelTask

    Throwable t = thrown.get(20, TimeUnit.SECONDS);
    TaskRefusedException e = assertInstanceOf(TaskRefusedException.class, t);
    assertTrue(e.reason().retryable(), e.reason() + ": " + e.getMessage());
    List<ProcessHandle> left = awaitGone(token);
    assertTrue(left.isEmpty(), "processes left: " + left);
  }

  @Test
  void inputPathsThatClimbOutOfTheRootStayInsideTheTaskTree() throws Exception {
    // The old worker's equivalent: a source path escaping the task directory was refused. Here
    // ".." at the root stays at the root and a symlink the client sent is followed inside the
    // tree, so nothing is written outside the task directory.
    Path outside = tmp.resolve("outside");
    String viaDots = "/../../.." + outside + "/dots.h";
    String viaLink = "/work/dir/up" + outside + "/link.h";
    BlobDigest d = store.add("int x;\n".getBytes(StandardCharsets.UTF_8));
    ActionSpec base = probeAction("read", outside + "/link.h");
    ActionSpec a =
        new ActionSpec(
            base.argv(),
            base.cwd(),
            base.env(),
            List.of(
                new ActionSpec.InputFile(viaDots, d, false),
                new ActionSpec.InputFile(viaLink, d, false)),
            List.of(new ActionSpec.Symlink("/work/dir/up", "../../../../../..")),
            base.directories(),
            base.outputPaths(),
            base.compiler(),
            base.compilerPath(),
            base.toolchain());

    ActionOutcome out = run(a);

    assertEquals("read ok\n", text(out.stdout()), "the input is where the link leads, inside");
    assertFalse(Files.exists(outside), "nothing was written outside the task directory");
  }

  // ---- compiles: the real gcc in the sandbox ----

  private Path source(String text) throws Exception {
    Path dir = tmp.resolve("src");
    Tools.write(dir, "x.c", text);
    return dir;
  }

  private ActionOutcome compile(Path cwd, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("gcc"));
    argv.addAll(List.of(args));
    return run(ClientSide.action(Tools.GCC, cwd, argv, List.of("x.o"), store));
  }

  @Test
  void aCompileCannotIncludeWorkerFiles() throws Exception {
    Path dir = source("#include \"/etc/hostname\"\nint x;\n");
    // The client had no /etc/hostname: it is not in the input root.
    ActionOutcome out =
        run(
            ClientSide.action(
                Tools.GCC,
                dir,
                List.of("gcc", "-c", "x.c", "-o", "x.o"),
                List.of("x.o"),
                store,
                List.of("/etc/hostname")));
    assertEquals(1, out.exitCode());
    assertTrue(
        text(out.stderr()).contains("/etc/hostname: No such file or directory"),
        text(out.stderr()));
    Path plain = tmp.resolve("plain");
    Tools.write(plain, "x.c", "int x;\n");
    ActionOutcome forced =
        run(
            ClientSide.action(
                Tools.GCC,
                plain,
                List.of("gcc", "-include", "/etc/passwd", "-c", "x.c", "-o", "x.o"),
                List.of("x.o"),
                store,
                List.of("/etc/passwd")));
    assertEquals(1, forced.exitCode());
    assertTrue(
        text(forced.stderr()).contains("/etc/passwd: No such file or directory"),
        text(forced.stderr()));
  }

  @Test
  void assemblerListingsCannotReachTheWorker() throws Exception {
    Path dir = source("int x = 1;\n");
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path listing = outside.resolve("listing.txt");
    // Run locally, the listing reaches the worker's directory: the test below can fail.
    Tools.ok(dir, Tools.GCC, "-c", "x.c", "-o", "x.o", "-Wa,-adhln=" + listing);
    assertTrue(Files.exists(listing));
    Files.delete(listing);
    // In the sandbox that directory does not exist (as only warns that it cannot open it).
    for (String option :
        List.of("-Wa,-adhln=" + listing, "-Wa,-a=" + listing, "--for-assembler=-a=" + listing)) {
      ActionOutcome a = compile(dir, "-c", "x.c", "-o", "x.o", option);
      assertTrue(text(a.stderr()).contains("can't open " + listing), text(a.stderr()));
      assertFalse(Files.exists(listing), option);
    }
    // Into /tmp and the cwd: allowed inside, and gone with the task.
    Path hostTmp = Path.of("/tmp/hg-listing-" + UUID.randomUUID());
    ActionOutcome d = compile(dir, "-c", "x.c", "-o", "x.o", "-Wa,-adhln=" + hostTmp);
    assertEquals(0, d.exitCode(), text(d.stderr()));
    assertFalse(Files.exists(hostTmp));
    ActionOutcome e = compile(dir, "-c", "x.c", "-o", "x.o", "-Wa,-a=" + dir.resolve("x.lst"));
    assertEquals(0, e.exitCode(), text(e.stderr()));
    assertFalse(Files.exists(dir.resolve("x.lst")));
    assertEquals(List.of(dir + "/x.o"), e.outputs().stream().map(o -> o.path()).toList());
  }

  // ---- bad input ----

  @Test
  void aMissingInputIsNamed() throws Exception {
    Path dir = source("#include \"h.h\"\nint x;\n");
    Tools.write(dir, "h.h", "int y;\n");
    ActionSpec a =
        ClientSide.action(
            Tools.GCC, dir, List.of("gcc", "-c", "x.c", "-o", "x.o"), List.of("x.o"), store);
    store.blobs.clear(); // the client never uploaded them
    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> run(a));
    assertEquals(Rejection.INVALID_TASK, e.reason());
    assertTrue(e.getMessage().contains(dir + "/h.h"), e.getMessage());
  }

  @Test
  void aBlobThatDoesNotMatchItsDigestIsRefused() throws Exception {
    Path dir = source("int x;\n");
    ActionSpec a =
        ClientSide.action(
            Tools.GCC, dir, List.of("gcc", "-c", "x.c", "-o", "x.o"), List.of("x.o"), store);
    BlobDigest d = a.inputs().get(0).digest();
    store.blobs.put(d, "int evil;\n".getBytes(StandardCharsets.UTF_8));
    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> run(a));
    assertTrue(e.getMessage().contains("refused, not stored"), e.getMessage());
  }

  @Test
  void anInputRootPastTheBoundIsRefusedNamingIt() throws Exception {
    Path dir = source("int x;\n");
    ActionSpec small =
        ClientSide.action(
            Tools.GCC, dir, List.of("gcc", "-c", "x.c", "-o", "x.o"), List.of("x.o"), store);
    List<ActionSpec.InputFile> inputs = new ArrayList<>(small.inputs());
    inputs.add(new ActionSpec.InputFile("/big/blob", store.add(new byte[(1 << 20) + 1]), false));
    ActionSpec big =
        new ActionSpec(
            small.argv(),
            small.cwd(),
            small.env(),
            inputs,
            small.symlinks(),
            small.directories(),
            small.outputPaths(),
            small.compiler(),
            small.compilerPath(),
            small.toolchain());
    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> run(big));
    assertEquals(Rejection.INVALID_TASK, e.reason());
    assertTrue(e.getMessage().contains("at most 1048576 bytes"), e.getMessage());
  }

  @Test
  void anOutputThatIsAlsoAnInputIsRefused() throws Exception {
    Path dir = source("int x;\n");
    ActionSpec a =
        ClientSide.action(
            Tools.GCC, dir, List.of("gcc", "-c", "x.c", "-o", "x.c"), List.of("x.c"), store);
    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> run(a));
    assertTrue(e.getMessage().contains("is also an input"), e.getMessage());
  }

  @Test
  void anEnvironmentVariableOutsideTheListIsRefused() throws Exception {
    ActionSpec p = probeAction("id");
    ActionSpec a =
        new ActionSpec(
            p.argv(),
            p.cwd(),
            Map.of("LD_PRELOAD", "/x.so"),
            p.inputs(),
            p.symlinks(),
            p.directories(),
            p.outputPaths(),
            p.compiler(),
            p.compilerPath(),
            p.toolchain());
    TaskRefusedException e = assertThrows(TaskRefusedException.class, () -> run(a));
    assertTrue(e.getMessage().contains("LD_PRELOAD"), e.getMessage());
  }
}
