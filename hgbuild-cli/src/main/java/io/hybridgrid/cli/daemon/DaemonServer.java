package io.hybridgrid.cli.daemon;

import io.hybridgrid.common.concurrent.DaemonThreads;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident daemon's server: accepts launchers on a Unix socket, decodes each request and hands
 * compiles to a {@link CompileHandler} on a bounded pool, streaming output back as frames.
 *
 * <p>One daemon per socket: it holds a lock on the pid file for its lifetime, so a second one fails
 * with {@link DaemonAlreadyRunningException}, and a socket file left by a dead daemon is replaced.
 * It exits after the idle timeout without requests, or when asked by a stop request; either way it
 * removes its socket. Nothing a launcher sends can stop it from serving others: a bad request is
 * answered with a refusal naming the problem.
 */
public final class DaemonServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DaemonServer.class);

  private final DaemonSettings settings;
  private final CompileHandler handler;
  private final Clock clock;
  private final long startMillis;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong lastActivityMillis;
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final ThreadPoolExecutor pool;
  private final ScheduledExecutorService timer;

  /** One thread per compile in flight, noticing when its launcher goes away. */
  private final java.util.concurrent.ExecutorService watchers;

  private ServerSocketChannel server;
  private FileChannel pidChannel;
  private FileLock pidLock;
  private Thread acceptor;

  /**
   * @param settings where and how to run
   * @param handler serves compiles
   * @param clock for the idle timeout and the uptime
   */
  public DaemonServer(DaemonSettings settings, CompileHandler handler, Clock clock) {
    this.settings = settings;
    this.handler = handler;
    this.clock = clock;
    this.startMillis = clock.millis();
    this.lastActivityMillis = new AtomicLong(startMillis);
    int max = settings.maxConcurrentRequests();
    HandOffQueue queue = new HandOffQueue(max * 4);
    this.pool =
        new ThreadPoolExecutor(0, max, 30, TimeUnit.SECONDS, queue, named("request"), queue);
    ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(1, named("timer"));
    // Every request schedules its read guard and cancels it within milliseconds: drop cancelled
    // tasks at once rather than keeping thousands queued until their time comes.
    timerPool.setRemoveOnCancelPolicy(true);
    this.timer = timerPool;
    this.watchers = Executors.newCachedThreadPool(DaemonThreads.named("hgbuild-daemon-watch"));
  }

  /**
   * The request pool's queue: a request goes to an idle pooled thread when there is one, else the
   * pool starts a thread (up to the maximum), and only when every thread is busy does it wait here,
   * up to {@code capacity} requests deep; beyond that it is refused. (A fixed pool over a plain
   * queue starts a new thread for every request until it holds the maximum, even while others idle:
   * on a build's hit path that thread start cost more than the lookup.)
   */
  private static final class HandOffQueue extends LinkedTransferQueue<Runnable>
      implements java.util.concurrent.RejectedExecutionHandler {
    private static final long serialVersionUID = 1L;
    private final int capacity;

    HandOffQueue(int capacity) {
      this.capacity = capacity;
    }

    /** Taken only by a thread that waits for work; else the pool starts one or rejects. */
    @Override
    public boolean offer(Runnable r) {
      return tryTransfer(r);
    }

    /** Every thread is busy: wait in line, unless the line is full or the pool shut down. */
    @Override
    public void rejectedExecution(Runnable r, ThreadPoolExecutor executor) {
      synchronized (this) {
        if (executor.isShutdown() || size() >= capacity) {
          throw new RejectedExecutionException("request pool and queue full, or shut down");
        }
        put(r);
      }
    }
  }

  private static java.util.concurrent.ThreadFactory named(String role) {
    AtomicInteger n = new AtomicInteger();
    return r -> new Thread(r, "hgbuild-daemon-" + role + "-" + n.incrementAndGet());
  }

  /**
   * Takes the socket and starts serving.
   *
   * @throws DaemonAlreadyRunningException when another daemon serves this socket
   * @throws IOException when the directory is unsafe or the socket cannot be bound
   */
  public void start() throws IOException {
    DaemonPaths paths = settings.paths();
    paths.prepareDirectory();
    pidChannel =
        FileChannel.open(
            paths.pidFile(),
            java.util.Set.of(
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      pidLock = pidChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      pidLock = null; // another daemon in this JVM (tests)
    }
    if (pidLock == null) {
      String pid = new String(Files.readAllBytes(paths.pidFile()), StandardCharsets.UTF_8).strip();
      pidChannel.close();
      throw new DaemonAlreadyRunningException(paths.socket(), pid);
    }
    try {
      if (paths.socketExists()) {
        if (DaemonClient.answers(paths.socket())) {
          throw new DaemonAlreadyRunningException(paths.socket(), "");
        }
        log.info("replacing the stale socket {}", paths.socket());
        Files.delete(paths.socket());
      }
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(paths.socket()), 1024);
      pidChannel.truncate(0);
      pidChannel.write(
          ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
          0);
    } catch (IOException | RuntimeException e) {
      releasePidLock();
      if (server != null) {
        server.close();
      }
      throw e;
    }
    acceptor = new Thread(this::acceptLoop, "hgbuild-daemon-accept");
    acceptor.start();
    if (!settings.idleTimeout().isZero()) {
      long period = Math.max(100, Math.min(1000, settings.idleTimeout().toMillis() / 4));
      timer.scheduleWithFixedDelay(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
    }
  }

  private void acceptLoop() {
    while (!closed.get()) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed.get()) {
          log.warn("accept failed: {}", e.toString());
        }
        continue;
      }
      active.incrementAndGet();
      lastActivityMillis.set(clock.millis());
      try {
        pool.execute(() -> serve(ch));
      } catch (RejectedExecutionException e) {
        finish();
        try (ch) {
          new FrameWriter(Channels.newOutputStream(ch))
              .refuse("the daemon is busy (" + active.get() + " requests in flight)");
        } catch (IOException ignored) {
          // the launcher compiles locally either way
        }
      }
    }
  }

  private void finish() {
    lastActivityMillis.set(clock.millis());
    active.decrementAndGet();
  }

  private void serve(SocketChannel ch) {
    try (ch) {
      FrameWriter writer = new FrameWriter(Channels.newOutputStream(ch));
      String stranger = stranger(ch);
      if (stranger != null) {
        writer.refuse(stranger);
        return;
      }
      LauncherRequest request;
      ScheduledFuture<?> guard =
          timer.schedule(
              () -> closeQuietly(ch),
              settings.requestReadTimeout().toMillis(),
              TimeUnit.MILLISECONDS);
      try {
        request =
            LauncherRequest.read(
                new FrameReader(Channels.newInputStream(ch), LauncherRequest.MAX_REQUEST_BYTES));
      } catch (ProtocolException e) {
        log.warn("bad request: {}", e.getMessage());
        writer.refuse("protocol error: " + e.getMessage());
        return;
      } finally {
        guard.cancel(false);
      }
      served.incrementAndGet();
      switch (request.kind()) {
        case PING -> writer.exit(0);
        case STATUS -> {
          writer.write(Frame.STDOUT, status());
          writer.exit(0);
        }
        case STOP -> {
          writer.exit(0);
          requestClose("stopped by a stop request");
        }
        case COMPILE -> compile(request, writer, ch);
      }
    } catch (EOFException | ClosedChannelException e) {
      log.debug("launcher went away: {}", e.toString());
    } catch (IOException e) {
      log.debug("launcher connection failed: {}", e.toString());
    } catch (RuntimeException e) {
      log.error("request failed", e);
    } finally {
      finish();
    }
  }

  private void compile(LauncherRequest request, FrameWriter writer, SocketChannel ch)
      throws IOException {
    ChunkStream outChunks = new ChunkStream(writer, Frame.STDOUT);
    ChunkStream errChunks = new ChunkStream(writer, Frame.STDERR);
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(outChunks, 8 * 1024), false, StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(
            new BufferedOutputStream(errChunks, 8 * 1024), false, StandardCharsets.UTF_8);
    int code;
    try (HangupWatch watch = HangupWatch.start(ch, timer, watchers)) {
      code = handler.compile(request, out, err);
    } catch (InterruptedException e) {
      if (closed.get()) {
        out.flush();
        err.flush();
        writer.refuse("the daemon is shutting down");
      }
      return;
    } catch (java.io.InterruptedIOException e) {
      return; // cancelled because the launcher went away: nobody to answer
    } catch (Exception e) {
      // Whatever the handler printed so far, the launcher now compiles locally: a build never
      // breaks on the daemon, at worst a diagnostic shows twice.
      log.warn("compile failed in the daemon: {}", request.argv(), e);
      out.flush();
      err.flush();
      writer.refuse(e.getMessage() == null ? e.toString() : e.getMessage());
      return;
    }
    out.flush();
    err.flush();
    writer.exit(code);
  }

  /**
   * Interrupts the thread serving a compile when its launcher hangs up (make was stopped, the
   * launcher killed), so the compile is cancelled and writes no output. The launcher sends nothing
   * after its request, so a read on the connection returns only when it goes away. Closing ends the
   * watch, on every path out of the compile, and clears an interrupt that raced with its end: the
   * pooled thread must not carry it into its next request.
   *
   * <p>The watch starts only once the compile has run for {@link #WATCH_AFTER_MILLIS}: a cache hit
   * is over long before, and a watching thread costs it a hand-off, and at the end a signal to wake
   * that thread from its read (measured: a few percent of the daemon's CPU per hit). A launcher
   * that hangs up earlier is noticed as soon as the watch starts.
   */
  private static final class HangupWatch implements AutoCloseable {
    static final long WATCH_AFTER_MILLIS = 20;
    private final Thread served = Thread.currentThread();
    private boolean over; // guarded by this
    private ScheduledFuture<?> pending;

    static HangupWatch start(
        SocketChannel ch, ScheduledExecutorService timer, java.util.concurrent.Executor watchers) {
      HangupWatch w = new HangupWatch();
      try {
        w.pending =
            timer.schedule(
                () -> watchers.execute(() -> w.watch(ch)),
                WATCH_AFTER_MILLIS,
                TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // shutting down: the drain interrupts compiles that outlast it anyway
      }
      return w;
    }

    private void watch(SocketChannel ch) {
      try {
        while (ch.read(java.nio.ByteBuffer.allocate(1)) >= 0) {
          // a well-behaved launcher never sends more; ignore it
        }
      } catch (IOException e) {
        // closed by us after the reply, or broken: either way the request is over
      }
      synchronized (this) {
        if (!over) {
          served.interrupt();
        }
      }
    }

    @Override
    public void close() {
      if (pending != null) {
        pending.cancel(false);
      }
      synchronized (this) {
        over = true;
      }
      Thread.interrupted();
    }
  }

  /** Null when the peer is this daemon's user; else why it is refused. */
  private static String stranger(SocketChannel ch) {
    try {
      UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
      String me = System.getProperty("user.name");
      if (peer != null && me != null && !peer.user().getName().equals(me)) {
        return "this daemon serves user " + me + " only, not " + peer.user().getName();
      }
    } catch (IOException | UnsupportedOperationException e) {
      // the socket's 0700 directory already keeps other users out
    }
    return null;
  }

  private String status() {
    return String.format(
        "pid           %d%nsocket        %s%nuptime        %d s%nrequests      %d (in flight %d)%n"
            + "idle timeout  %s%nprotocol      %d%n",
        ProcessHandle.current().pid(),
        settings.paths().socket(),
        (clock.millis() - startMillis) / 1000,
        served.get(),
        Math.max(0, active.get() - 1),
        settings.idleTimeout().isZero() ? "never" : settings.idleTimeout().toSeconds() + " s",
        LauncherRequest.PROTOCOL_VERSION);
  }

  /** Starts shutting down when the idle timeout has passed without requests; true if so. */
  boolean checkIdle() {
    Duration idle = settings.idleTimeout();
    if (idle.isZero()
        || active.get() > 0
        || clock.millis() - lastActivityMillis.get() < idle.toMillis()) {
      return false;
    }
    requestClose("idle for " + idle.toSeconds() + " s");
    return true;
  }

  private void requestClose(String why) {
    if (closeRequested.compareAndSet(false, true)) {
      log.info("shutting down: {}", why);
      new Thread(this::close, "hgbuild-daemon-close").start();
    }
  }

  /** Connections accepted and not yet finished. */
  public int requestsInFlight() {
    return active.get();
  }

  /** Requests served so far (all kinds). */
  public long requestsServed() {
    return served.get();
  }

  /** Waits until the daemon has shut down. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /** Waits up to {@code timeout} until the daemon has shut down; true if it has. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops accepting, removes the socket, lets requests in flight finish (up to the drain timeout,
   * then interrupts them: their launchers compile locally) and releases the pid lock.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (server != null) {
        closeQuietly(server);
        Files.deleteIfExists(settings.paths().socket());
      }
      pool.shutdown();
      if (!pool.awaitTermination(settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", settings.paths().socket(), e.toString());
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      timer.shutdownNow();
      watchers.shutdownNow();
      releasePidLock();
      terminated.countDown();
    }
  }

  private void releasePidLock() {
    try {
      if (pidLock != null) {
        pidChannel.truncate(0);
        pidLock.release();
      }
      if (pidChannel != null) {
        pidChannel.close();
      }
    } catch (IOException e) {
      log.warn("cannot release {}: {}", settings.paths().pidFile(), e.toString());
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing is all we wanted
    }
  }
}
