package io.hybridgrid.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonServerTest {
  @TempDir Path tmp;

  private final MutableClock clock = new MutableClock();
  private final List<DaemonServer> servers = new ArrayList<>();
  private DaemonPaths paths;

  /** Answers with the request's fields; special compilers make it misbehave. */
  private final CompileHandler echo =
      (request, out, err) -> {
        switch (request.argv().get(0)) {
          case "throw" -> throw new IllegalStateException("HG_TIMEOUT must be a number");
          case "boom" -> throw new OutOfMemoryError("not really");
          default -> {
            out.print("argv=" + request.argv() + " cwd=" + request.cwd());
            err.print("X=" + request.env().get("X") + " -C=" + request.coordinator());
            return 42;
          }
        }
      };

  @BeforeEach
  void paths() {
    paths = DaemonPaths.of(tmp.resolve("run/daemon.sock"));
  }

  @AfterEach
  void closeAll() {
    servers.forEach(DaemonServer::close);
  }

  private DaemonServer start(CompileHandler handler, Duration idle) throws IOException {
    DaemonServer s =
        new DaemonServer(
            new DaemonSettings(paths, idle, 128, Duration.ofSeconds(30), Duration.ofSeconds(10)),
            handler,
            clock);
    servers.add(s);
    s.start();
    return s;
  }

  private DaemonClient.Reply compile(String... argv) throws IOException {
    return DaemonClient.call(
            paths.socket(),
            new LauncherRequest(
                LauncherRequest.Kind.COMPILE,
                "c:1",
                false,
                true,
                List.of(argv),
                Path.of("/work"),
                Map.of("X", "y")))
        .orElseThrow();
  }

  /** Sends raw bytes; returns the frames answered until the daemon closed the connection. */
  private List<Frame> raw(byte[] bytes, boolean closeOutput) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(paths.socket()));
      ch.write(ByteBuffer.wrap(bytes));
      if (closeOutput) {
        ch.shutdownOutput();
      }
      FrameReader reader = new FrameReader(Channels.newInputStream(ch), Long.MAX_VALUE);
      List<Frame> frames = new ArrayList<>();
      try {
        for (; ; ) {
          frames.add(reader.next());
        }
      } catch (EOFException e) {
        return frames;
      }
    }
  }

  @Test
  void compileStreamsOutputAndExitCode() throws IOException {
    start(echo, Duration.ZERO);
    DaemonClient.Reply r = compile("gcc", "-c", "a.c");
    assertEquals(42, r.exitCode());
    assertEquals("argv=[gcc, -c, a.c] cwd=/work", r.stdout());
    assertEquals("X=y -C=c:1", r.stderr());
    assertNull(r.refusal());
  }

  @Test
  void sequentialCompilesReuseIdleThreads() throws IOException {
    // A fixed pool over a plain queue started a new thread for every request until it held the
    // maximum (128 here), even with the others idle: 40 requests ran on 40 threads.
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    start(
        (request, out, err) -> {
          threads.add(Thread.currentThread().getName());
          return 0;
        },
        Duration.ZERO);
    for (int i = 0; i < 40; i++) {
      assertEquals(0, compile("gcc", "-c", "a" + i + ".c").exitCode());
    }
    assertTrue(
        threads.size() <= 20, "40 sequential requests ran on " + threads.size() + " threads");
  }

  @Test
  void badFramesAreRefusedWithTheReasonAndTheDaemonServesOn() throws IOException {
    start(echo, Duration.ZERO);
    byte[] garbage = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
    List<Frame> answer = raw(garbage, true);
    assertEquals(1, answer.size());
    assertEquals(Frame.REFUSED, answer.get(0).type());
    assertEquals(
        "protocol error: frame of type 'G' declares 1163141167 payload bytes; the limit is "
            + Frame.MAX_PAYLOAD,
        answer.get(0).text());

    List<Frame> half = raw(new byte[] {'H', 0, 0, 0, 5, 0, 0}, true);
    assertEquals(
        "protocol error: connection closed after 2 of 5 payload bytes of a frame of type 'H'",
        half.get(0).text());

    assertTrue(DaemonClient.answers(paths.socket()));
    assertEquals(42, compile("gcc").exitCode());
  }

  @Test
  void launcherVanishingMidRequestHarmsNothing() throws IOException {
    start(echo, Duration.ZERO);
    for (int i = 0; i < 20; i++) {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(paths.socket()));
        ch.write(ByteBuffer.wrap(LauncherRequest.hello(LauncherRequest.Kind.COMPILE)));
      }
    }
    assertEquals(42, compile("gcc").exitCode());
  }

  @Test
  void handlerFailureBecomesARefusalSoTheLauncherCompilesLocally() throws IOException {
    start(echo, Duration.ZERO);
    DaemonClient.Reply r = compile("throw");
    assertEquals(-1, r.exitCode());
    assertEquals("HG_TIMEOUT must be a number", r.refusal());
    assertEquals(42, compile("gcc").exitCode());
  }

  @Test
  void anErrorInTheHandlerDoesNotKillTheDaemon() throws IOException {
    start(echo, Duration.ZERO);
    assertThrows(ProtocolException.class, () -> compile("boom"));
    assertEquals(42, compile("gcc").exitCode());
  }

  @Test
  void sixtyFourCompilesRunAtOnce() throws Exception {
    int n = 64;
    CountDownLatch arrived = new CountDownLatch(n);
    start(
        (request, out, err) -> {
          arrived.countDown();
          // Only returns when all 64 are inside the handler together: none waits for another.
          return arrived.await(60, TimeUnit.SECONDS) ? 0 : 99;
        },
        Duration.ZERO);
    ExecutorService clients = Executors.newFixedThreadPool(n);
    try {
      List<Future<DaemonClient.Reply>> replies = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        replies.add(clients.submit(() -> compile("gcc")));
      }
      for (Future<DaemonClient.Reply> f : replies) {
        assertEquals(0, f.get(90, TimeUnit.SECONDS).exitCode());
      }
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void secondDaemonOnTheSameSocketIsRefused() throws IOException {
    start(echo, Duration.ZERO);
    DaemonAlreadyRunningException e =
        assertThrows(DaemonAlreadyRunningException.class, () -> start(echo, Duration.ZERO));
    assertTrue(
        e.getMessage()
            .startsWith(
                "a daemon already runs on "
                    + paths.socket()
                    + " (pid "
                    + ProcessHandle.current().pid()
                    + ")"),
        e.getMessage());
    assertTrue(DaemonClient.answers(paths.socket()), "the first daemon still serves");
  }

  @Test
  void staleSocketFileIsReplaced() throws IOException {
    Files.createDirectories(
        paths.socket().getParent(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(paths.socket()));
    }
    assertTrue(Files.exists(paths.socket()), "closing a bound channel leaves its file");
    assertFalse(DaemonClient.answers(paths.socket()));
    start(echo, Duration.ZERO);
    assertTrue(DaemonClient.answers(paths.socket()));
  }

  /** Waits until the request threads have finished (they note activity after answering). */
  private static void settle(DaemonServer s) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (s.requestsInFlight() > 0) {
      assertTrue(System.nanoTime() < deadline, "requests never finished");
      Thread.sleep(5);
    }
  }

  @Test
  void idleTimeoutStopsTheDaemonAndRemovesTheSocket() throws Exception {
    DaemonServer s = start(echo, Duration.ofSeconds(600));
    assertEquals(42, compile("gcc").exitCode());
    settle(s);
    clock.advance(Duration.ofSeconds(599));
    assertFalse(s.checkIdle());
    assertTrue(DaemonClient.answers(paths.socket()));
    settle(s);
    clock.advance(Duration.ofSeconds(599));
    assertFalse(s.checkIdle(), "the ping was activity");
    clock.advance(Duration.ofSeconds(2));
    assertTrue(s.checkIdle());
    assertTrue(s.awaitTermination(Duration.ofSeconds(30)));
    assertFalse(Files.exists(paths.socket()));
    assertEquals(
        Optional.empty(),
        DaemonClient.call(paths.socket(), LauncherRequest.control(LauncherRequest.Kind.PING)));
  }

  @Test
  void launcherGoingAwayMidCompileCancelsTheCompile() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    start(
        (request, out, err) -> {
          if (!request.argv().get(0).equals("slow")) {
            return Thread.currentThread().isInterrupted() ? 99 : 5;
          }
          inside.countDown();
          try {
            Thread.sleep(60_000); // stands in for a compile; only an interrupt ends it early
            return 0;
          } catch (InterruptedException e) {
            cancelled.countDown();
            throw e;
          }
        },
        Duration.ZERO);
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(paths.socket()));
      new LauncherRequest(
              LauncherRequest.Kind.COMPILE,
              null,
              false,
              false,
              List.of("slow"),
              Path.of("/work"),
              Map.of())
          .write(new FrameWriter(Channels.newOutputStream(ch)));
      assertTrue(inside.await(30, TimeUnit.SECONDS));
    } // the launcher is gone (make stopped)
    assertTrue(cancelled.await(30, TimeUnit.SECONDS), "the compile was not cancelled");
    // The pool thread that ran it serves the next request with no interrupt left over.
    for (int i = 0; i < 4; i++) {
      assertEquals(5, compile("gcc").exitCode());
    }
  }

  @Test
  void aRequestInFlightKeepsTheDaemonAlive() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DaemonServer s =
        start(
            (request, out, err) -> {
              inside.countDown();
              return release.await(60, TimeUnit.SECONDS) ? 7 : 99;
            },
            Duration.ofSeconds(10));
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      Future<DaemonClient.Reply> reply = client.submit(() -> compile("gcc"));
      assertTrue(inside.await(30, TimeUnit.SECONDS));
      clock.advance(Duration.ofHours(1));
      assertFalse(s.checkIdle(), "a long compile is not idleness");
      release.countDown();
      assertEquals(7, reply.get(30, TimeUnit.SECONDS).exitCode());
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void stopRequestShutsDownAndFreesTheSocketForTheNextDaemon() throws Exception {
    DaemonServer s = start(echo, Duration.ZERO);
    DaemonClient.Reply r =
        DaemonClient.call(paths.socket(), LauncherRequest.control(LauncherRequest.Kind.STOP))
            .orElseThrow();
    assertEquals(0, r.exitCode());
    assertTrue(s.awaitTermination(Duration.ofSeconds(30)));
    assertFalse(Files.exists(paths.socket()));
    start(echo, Duration.ZERO);
    assertTrue(DaemonClient.answers(paths.socket()));
  }

  @Test
  void statusNamesTheSocketAndCounts() throws IOException {
    start(echo, Duration.ofSeconds(600));
    compile("gcc");
    DaemonClient.Reply r =
        DaemonClient.call(paths.socket(), LauncherRequest.control(LauncherRequest.Kind.STATUS))
            .orElseThrow();
    assertEquals(0, r.exitCode());
    assertTrue(r.stdout().contains("socket        " + paths.socket()), r.stdout());
    assertTrue(r.stdout().contains("requests      2 (in flight "), r.stdout());
    assertTrue(r.stdout().contains("idle timeout  600 s"), r.stdout());
  }

  @Test
  void directoryOthersCanEnterIsRefused() throws IOException {
    Files.createDirectories(paths.socket().getParent());
    Files.setPosixFilePermissions(
        paths.socket().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    IOException e = assertThrows(IOException.class, () -> start(echo, Duration.ZERO));
    assertTrue(e.getMessage().contains("must be owned by uid"), e.getMessage());
    assertTrue(e.getMessage().contains("rwxr-xr-x"), e.getMessage());
  }

  @Test
  void socketPathBeyondTheKernelLimitIsNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DaemonPaths.of(tmp.resolve("x".repeat(120)).resolve("daemon.sock")));
    assertTrue(e.getMessage().contains("holds at most 107"), e.getMessage());
  }

  @Test
  void pathsFollowTheLauncherRules() {
    assertEquals(
        Path.of("/s/x.sock"),
        DaemonPaths.resolve(null, Map.of("HG_DAEMON_SOCKET", "/s/x.sock"), 5).socket());
    assertEquals(
        Path.of("/run/user/5/hybridgrid/daemon.sock"),
        DaemonPaths.resolve(null, Map.of("XDG_RUNTIME_DIR", "/run/user/5"), 5).socket());
    DaemonPaths p = DaemonPaths.resolve(null, Map.of(), 5);
    assertEquals(Path.of("/tmp/hybridgrid-5/daemon.sock"), p.socket());
    assertEquals(Path.of("/tmp/hybridgrid-5/daemon.pid"), p.pidFile());
    assertEquals(Path.of("/tmp/hybridgrid-5/daemon.lock"), p.lockFile());
    assertEquals(Path.of("/tmp/hybridgrid-5/daemon.log"), p.logFile());
    assertEquals(Path.of("/f/flag"), DaemonPaths.resolve("/f/flag", Map.of(), 5).socket());
    assertEquals(Path.of("/f/flag.log"), DaemonPaths.resolve("/f/flag", Map.of(), 5).logFile());
  }

  @Test
  void idleTimeoutComesFromTheEnvironmentUnlessTheFlagSaysOtherwise() {
    assertEquals(
        Duration.ofSeconds(600), DaemonSettings.resolve(paths, null, Map.of()).idleTimeout());
    assertEquals(
        Duration.ofSeconds(5),
        DaemonSettings.resolve(paths, null, Map.of("HG_DAEMON_IDLE_TIMEOUT", "5")).idleTimeout());
    assertEquals(
        Duration.ZERO,
        DaemonSettings.resolve(paths, 0L, Map.of("HG_DAEMON_IDLE_TIMEOUT", "5")).idleTimeout());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DaemonSettings.resolve(paths, null, Map.of("HG_DAEMON_IDLE_TIMEOUT", "10m")));
    assertEquals("HG_DAEMON_IDLE_TIMEOUT must be a number of seconds, not '10m'", e.getMessage());
  }
}
