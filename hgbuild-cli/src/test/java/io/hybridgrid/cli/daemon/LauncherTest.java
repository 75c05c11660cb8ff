package io.hybridgrid.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native launcher (built into target/native by this module) against the Java daemon server with
 * a fake compile handler: the two ends of the protocol agree, and every way the daemon can fail
 * ends in a local compile. A fake hgbuild-jvm next to the launcher records what reaches it.
 */
class LauncherTest {
  @TempDir Path tmp;

  private Path launcher;
  private Path jvmCalls;
  private Path work;
  private Path fakes;
  private DaemonPaths paths;
  private DaemonServer server;
  private final List<LauncherRequest> requests = new CopyOnWriteArrayList<>();

  private record Result(int exit, String out, String err) {}

  @BeforeEach
  void layout() throws IOException {
    String built = System.getProperty("hg.launcher");
    Assumptions.assumeTrue(
        built != null && Files.isExecutable(Path.of(built)), "native launcher not built");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    launcher = bin.resolve("hgbuild");
    Files.copy(Path.of(built), launcher, StandardCopyOption.COPY_ATTRIBUTES);
    jvmCalls = tmp.resolve("jvm-calls");
    Path jvm = bin.resolve("hgbuild-jvm");
    Files.writeString(
        jvm,
        "#!/bin/sh\necho \"$*\" >> '"
            + jvmCalls
            + "'\necho \"jvm: $*\"\n[ \"$1\" = daemon ] && exit 1\nexit 0\n");
    Files.setPosixFilePermissions(jvm, PosixFilePermissions.fromString("rwx------"));
    // Stand-ins for compilers (printf and cat under names that read as compilers), so a local
    // compile shows what it was given.
    fakes = Files.createDirectories(tmp.resolve("fakes"));
    Files.createSymbolicLink(fakes.resolve("printfcc"), which("printf"));
    Files.createSymbolicLink(fakes.resolve("catcc"), which("cat"));
    Files.createSymbolicLink(fakes.resolve("mycc"), which("printf"));
    work = Files.createDirectories(tmp.resolve("work"));
    paths = DaemonPaths.of(tmp.resolve("run/daemon.sock"));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void startDaemon(CompileHandler handler) throws IOException {
    server =
        new DaemonServer(
            new DaemonSettings(
                paths, Duration.ZERO, 64, Duration.ofSeconds(30), Duration.ofSeconds(10)),
            handler,
            Clock.systemUTC());
    server.start();
  }

  private final CompileHandler recording =
      (request, out, err) -> {
        requests.add(request);
        out.print("out:" + String.join(",", request.argv()));
        err.print("err:" + request.cwd() + ":" + request.env().get("HG_TEST_VALUE"));
        return 42;
      };

  private Result run(Map<String, String> extraEnv, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().put("HG_DAEMON_SOCKET", paths.socket().toString());
    pb.environment().putAll(extraEnv);
    pb.environment().put("PATH", fakes + ":" + pb.environment().get("PATH"));
    Process p = pb.start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p, false));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p, true));
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish: " + cmd);
    return new Result(
        p.exitValue(),
        new String(out.join(), StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8));
  }

  private static Path which(String program) {
    for (String dir : System.getenv("PATH").split(":")) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(program + " not on PATH");
  }

  private Result run(String... args) throws IOException, InterruptedException {
    return run(Map.of(), null, args);
  }

  private static byte[] readAll(Process p, boolean err) {
    try {
      return (err ? p.getErrorStream() : p.getInputStream()).readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private String jvmCalls() throws IOException {
    return Files.exists(jvmCalls) ? Files.readString(jvmCalls) : "";
  }

  @Test
  void compileGoesToTheDaemonWithArgvCwdEnvAndFlags() throws Exception {
    startDaemon(recording);
    Result r =
        run(
            Map.of("HG_TEST_VALUE", "v=1 2"),
            null,
            "-v",
            "-C",
            "coord:7",
            "--no-fallback",
            "mycc",
            "-c",
            "a b.c",
            "");
    assertEquals(42, r.exit());
    assertEquals("out:mycc,-c,a b.c,", r.out());
    assertEquals("err:" + work.toRealPath() + ":v=1 2", r.err());
    LauncherRequest q = requests.get(0);
    assertEquals("coord:7", q.coordinator());
    assertTrue(q.verbose());
    assertTrue(q.noFallback());
    assertEquals(fakes + ":" + System.getenv("PATH"), q.env().get("PATH"));
    assertEquals("1", q.env().get("HG_DAEMON_CHILD"), "the daemon's compiler must not call back");
    assertEquals("", jvmCalls());
  }

  @Test
  void attachedOptionSpellingsAreUnderstood() throws Exception {
    startDaemon(recording);
    assertEquals(42, run("-Chost:1", "gcc").exit());
    assertEquals(42, run("--coordinator=h2:2", "gcc").exit());
    assertEquals("host:1", requests.get(0).coordinator());
    assertEquals("h2:2", requests.get(1).coordinator());
  }

  @Test
  void connectionDroppedBeforeTheExitCodeCompilesLocally() throws Exception {
    Files.createDirectories(
        paths.socket().getParent(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try (ServerSocketChannel fake = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      fake.bind(UnixDomainSocketAddress.of(paths.socket()));
      CompletableFuture<Void> daemon =
          CompletableFuture.runAsync(
              () -> {
                try (SocketChannel ch = fake.accept()) {
                  ch.read(ByteBuffer.allocate(1));
                  byte[] text = "partial".getBytes(StandardCharsets.UTF_8);
                  ch.write(
                      ByteBuffer.allocate(5 + text.length)
                          .put((byte) '1')
                          .putInt(text.length)
                          .put(text)
                          .flip());
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      Result r = run("printfcc", "%s-%s", "a", "b");
      daemon.get(30, TimeUnit.SECONDS);
      assertEquals(0, r.exit());
      assertEquals("partiala-b", r.out(), "what came before the drop, then the local compile");
      assertTrue(
          r.err().contains("lost the daemon before the compile finished; compiling locally"),
          r.err());
    }
  }

  @Test
  void refusedRequestCompilesLocallyAndSaysWhy() throws Exception {
    startDaemon(
        (request, out, err) -> {
          throw new IllegalArgumentException("HG_TIMEOUT must be a number of seconds, not 'x'");
        });
    Result r = run("printfcc", "local");
    assertEquals(0, r.exit());
    assertEquals("local", r.out());
    assertEquals(
        "hgbuild: warning: the daemon refused the request: HG_TIMEOUT must be a number of seconds,"
            + " not 'x'; compiling locally\n",
        r.err());
  }

  @Test
  void exitCodeOfAFailedCompileComesThrough() throws Exception {
    startDaemon((request, out, err) -> 1);
    assertEquals(1, run("gcc", "-c", "bad.c").exit());
  }

  @Test
  void unsafeSocketDirectoryMeansALocalCompile() throws Exception {
    Files.createDirectories(paths.socket().getParent());
    Files.setPosixFilePermissions(
        paths.socket().getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
    Result r = run("printfcc", "local");
    assertEquals(0, r.exit());
    assertEquals("local", r.out());
    assertTrue(r.err().contains(paths.socket().getParent() + " must be owned by uid"), r.err());
    assertTrue(r.err().contains("mode 777"), r.err());
    assertEquals("", jvmCalls(), "no daemon is started in a directory others control");
  }

  @Test
  void socketDirectoryThatCannotExistMeansALocalCompile() throws Exception {
    Files.writeString(tmp.resolve("file"), "");
    Result r =
        run(
            Map.of("HG_DAEMON_SOCKET", tmp.resolve("file/sub/daemon.sock").toString()),
            null,
            "printfcc",
            "ok");
    assertEquals(0, r.exit());
    assertEquals("ok", r.out());
    assertTrue(
        r.err().contains("cannot create " + tmp.resolve("file/sub") + ": Not a directory"),
        r.err());
  }

  @Test
  void socketPathTooLongForTheKernelMeansALocalCompile() throws Exception {
    String longPath = tmp.resolve("x".repeat(100)).resolve("daemon.sock").toString();
    Result r = run(Map.of("HG_DAEMON_SOCKET", longPath), null, "printfcc", "ok");
    assertEquals(0, r.exit());
    assertEquals("ok", r.out());
    assertTrue(r.err().contains("is longer than the 107 bytes a Unix socket allows"), r.err());
  }

  @Test
  void compileReadingStdinRunsTheCompilerDirectly() throws Exception {
    startDaemon(recording);
    Result r = run(Map.of(), "from stdin", "catcc", "-");
    assertEquals("from stdin", r.out());
    assertEquals(0, r.exit());
    assertEquals(List.of(), requests);
    Result outputToStdout = run("gcc", "-E", "x.c", "-o", "-");
    assertEquals(42, outputToStdout.exit(), "'-o -' writes stdout and reads nothing");
  }

  @Test
  void subcommandsHelpAndVersionReachTheJvmCli() throws Exception {
    assertEquals("jvm: status\n", run("status").out());
    assertEquals("jvm: -C h:1 workers\n", run("-C", "h:1", "workers").out());
    assertEquals("jvm: --version\n", run("--version").out());
    assertEquals("jvm: -h\n", run("-h").out());
    assertEquals("jvm: --bogus gcc\n", run("--bogus", "gcc").out());
    assertEquals("jvm: \n", run().out());
    assertEquals("jvm: daemon --stop\n", run("daemon", "--stop").out());
    assertEquals("jvm: cache stats\n", run("cache", "stats").out());
  }

  @Test
  void wordsThatAreNeitherSubcommandsNorCompilersGoToTheJvmCliToBeExplained() throws Exception {
    startDaemon(recording);
    assertEquals("jvm: statsu\n", run("statsu").out());
    assertEquals("jvm: echo hi\n", run("echo", "hi").out(), "echo is on PATH but no compiler");
    assertEquals("jvm: -v nosuchcc -c x.c\n", run("-v", "nosuchcc", "-c", "x.c").out());
    assertEquals(List.of(), requests);
    assertEquals(42, run("x86_64-linux-gnu-gcc-12", "-c", "x.c").exit(), "a compiler name");
  }

  @Test
  void makeInACmakeBuildDirectoryWithoutTheLauncherSaysHowToFixIt() throws Exception {
    Path build = Files.createDirectories(work.resolve("build"));
    Files.writeString(build.resolve("Makefile"), "all:\n\t@true\n");
    Files.writeString(build.resolve("CMakeCache.txt"), "CMAKE_C_COMPILER:FILEPATH=/usr/bin/cc\n");
    Result r = run("make", "-C", "build");
    assertEquals(0, r.exit(), r.err());
    assertTrue(
        r.err()
            .contains(
                "hgbuild: warning: build/CMakeCache.txt was configured without hgbuild, so this"
                    + " build compiles everything locally; reconfigure it once with: cmake"
                    + " -DCMAKE_C_COMPILER_LAUNCHER="),
        r.err());
    Files.writeString(
        build.resolve("CMakeCache.txt"),
        "CMAKE_C_COMPILER:FILEPATH=/usr/bin/cc\nCMAKE_C_COMPILER_LAUNCHER:STRING="
            + launcher
            + "\n");
    Result configured = run("make", "-C", "build");
    assertEquals(0, configured.exit(), configured.err());
    assertTrue(!configured.err().contains("configured without hgbuild"), configured.err());
  }

  @Test
  void hgbuildAsItsOwnCompilerIsSkipped() throws Exception {
    startDaemon(recording);
    Result r =
        run(
            Map.of("PATH", launcher.getParent() + ":" + System.getenv("PATH")),
            null,
            launcher.toString(),
            "hgbuild",
            "-v",
            "gcc",
            "-c",
            "x.c");
    assertEquals(42, r.exit());
    assertEquals(List.of("gcc", "-c", "x.c"), requests.get(0).argv());
    assertTrue(requests.get(0).verbose());
  }

  @Test
  void runByTheDaemonItExecsTheRealCompilerPastMasqueradeLinks() throws Exception {
    startDaemon(recording);
    Path masq = Files.createDirectories(tmp.resolve("masq"));
    Files.createSymbolicLink(masq.resolve("printf"), launcher);
    Result r =
        run(
            Map.of("HG_DAEMON_CHILD", "1", "PATH", masq + ":" + System.getenv("PATH")),
            null,
            masq.resolve("printf").toString(),
            "%s",
            "real");
    assertEquals(0, r.exit(), r.err());
    assertEquals("real", r.out());
    assertEquals(List.of(), requests, "a compile the daemon runs never goes back to it");
  }

  @Test
  void daemonThatFailsToStartMeansALocalCompileAndNoRetryStorm() throws Exception {
    Result first = run("printfcc", "one");
    assertEquals(0, first.exit());
    assertEquals("one", first.out());
    assertTrue(first.err().contains("has exited (see " + paths.logFile() + ")"), first.err());
    assertEquals("daemon --socket " + paths.socket() + "\n", jvmCalls());
    assertTrue(Files.readString(paths.logFile()).contains("jvm: daemon --socket"));
    Result second = run("printfcc", "two");
    assertEquals("two", second.out());
    assertEquals(1, jvmCalls().lines().count(), "no second start within the respawn window");
  }

  @Test
  void wrapSetsCompilersAndCmakeLaunchersAndPassesTheExitCode() throws Exception {
    startDaemon(recording);
    String self = launcher.toRealPath().toString();
    Map<String, String> env = new HashMap<>();
    env.put("HG_CXX", "clang++");
    env.put("CC", "");
    Result r =
        run(
            env,
            null,
            "-C",
            "c:9",
            "wrap",
            "sh",
            "-c",
            "echo \"$CC|$CXX|$CMAKE_C_COMPILER_LAUNCHER|$CMAKE_CXX_COMPILER_LAUNCHER|$HG_COORDINATOR\";"
                + " exit 7");
    assertEquals(7, r.exit());
    assertEquals(self + " gcc|" + self + " clang++|" + self + "|" + self + "|c:9\n", r.out());
  }

  @Test
  void makeGetsCompilerVariablesOnItsCommandLine() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/make")), "make not installed");
    startDaemon(recording);
    Files.writeString(
        work.resolve("Makefile"), "CC = gcc -std=gnu99\nall:\n\t@echo \"CC=$(CC)\"\n");
    String self = launcher.toRealPath().toString();
    assertEquals(
        "CC=" + self + " gcc -std=gnu99\n",
        run(Map.of("HG_CC", "gcc -std=gnu99"), null, "make", "-s").out());
    assertEquals(
        "CC=" + self + " gcc\n", run("make", "-s").out(), "the Makefile's CC is overridden");
    assertEquals("CC=mine\n", run("make", "-s", "CC=mine").out(), "the user's CC= wins");
  }
}
