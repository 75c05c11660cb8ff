package io.hybridgrid.worker.session;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.concurrent.DaemonThreads;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.ClientSecurity;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import io.hybridgrid.worker.action.ActionExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's connection to hg-coord: dials it (through a {@link ChannelFactory}), registers,
 * sends heartbeats, hands assignments to the {@link TaskExecutor}, forwards CancelTask to it and
 * sends results back. When the stream breaks it reconnects with {@link ReconnectBackoff} (fast
 * while a coordinator it had is expected back); the coordinator re-queues whatever was running
 * here. What a task is lives in the {@link TaskRunner} ({@link WorkTaskRunner}: actions in the
 * sandbox); what is said on the wire in {@link SessionMessages}.
 */
public final class WorkerSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerSession.class);

  /** Failed attempts in a row before {@link #rediscover} is asked. */
  static final int REDISCOVER_AFTER = 3;

  /** Connection attempts in a row that fail before the retries are logged as warnings. */
  static final int WARN_AFTER_FAILURES = 5;

  private static final java.time.format.DateTimeFormatter RETRY_TIME =
      java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss");

  /** Waits between connection attempts; a test passes one that does not sleep. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final WorkerSettings settings;
  private final TaskExecutor executor;
  private final SessionMessages messages;
  private final ChannelFactory channels;
  private final ReconnectBackoff backoff;
  private final Sleeper sleeper;
  private final ScheduledExecutorService timer;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread connector;
  private final boolean tls;

  /**
   * Finds the coordinator again (mDNS) when the address was discovered rather than given; empty
   * when it was given. Asked after {@link #REDISCOVER_AFTER} attempts in a row that did not
   * register, so a coordinator that came back elsewhere is found without restarting the worker.
   */
  private final Supplier<Optional<HostPort>> rediscover;

  private volatile HostPort target;
  private volatile boolean running = true;
  private volatile Stream current;
  private volatile boolean everRegistered;

  /**
   * @param settings the configuration
   * @param compilers the identities to advertise
   * @param capabilities the machine description to advertise (compilers are added)
   * @param version this worker's version
   * @param random jitter source for the reconnect backoff
   * @param freeMemory memory available to new compiles now, reported in heartbeats (0 = unknown)
   */
  public WorkerSession(
      WorkerSettings settings,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      Random random,
      LongSupplier freeMemory) {
    this(settings, compilers, capabilities, version, random, freeMemory, Optional::empty);
  }

  /**
   * As above, plus {@code rediscover}: where the coordinator is now (mDNS), asked after several
   * failed connection attempts in a row; use it only when the address was discovered.
   */
  public WorkerSession(
      WorkerSettings settings,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      Random random,
      LongSupplier freeMemory,
      Supplier<Optional<HostPort>> rediscover) {
    this(
        settings,
        compilers,
        capabilities,
        version,
        random,
        freeMemory,
        rediscover,
        null,
        ClientSecurity.NONE);
  }

  /**
   * As above, plus {@code actions}: runs action assignments (hermetic replay in the sandbox),
   * fetching inputs over this session's channel; null refuses them as UNAVAILABLE.
   */
  public WorkerSession(
      WorkerSettings settings,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      Random random,
      LongSupplier freeMemory,
      Supplier<Optional<HostPort>> rediscover,
      ActionExecutor actions) {
    this(
        settings,
        compilers,
        capabilities,
        version,
        random,
        freeMemory,
        rediscover,
        actions,
        ClientSecurity.NONE);
  }

  /**
   * As above, presenting {@code security}'s token and speaking its TLS to the coordinator. A caller
   * that found the coordinator by mDNS passes {@link ClientSecurity#forDiscovered()}.
   */
  public WorkerSession(
      WorkerSettings settings,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      Random random,
      LongSupplier freeMemory,
      Supplier<Optional<HostPort>> rediscover,
      ActionExecutor actions,
      ClientSecurity security) {
    this(
        settings,
        (Supplier<ManagedChannel> channel) ->
            new WorkTaskRunner(actions, channel, settings.workerId()),
        compilers,
        capabilities,
        version,
        freeMemory,
        rediscover,
        target -> Channels.forAddress(target, security),
        security.tls() != null,
        Clock.systemUTC(),
        random,
        d -> Thread.sleep(d.toMillis()),
        actions == null ? () -> 0 : actions::toolchainsHeld);
  }

  /**
   * The full form, for tests and other task kinds.
   *
   * @param settings the configuration
   * @param tasks runs assigned tasks
   * @param compilers the identities to advertise
   * @param capabilities the machine description to advertise (compilers are added)
   * @param version this worker's version
   * @param freeMemory memory available to new compiles now, reported in heartbeats (0 = unknown)
   * @param rediscover where the coordinator is now, or empty (see the field)
   * @param channels opens a channel to the coordinator
   * @param clock time source (backoff window, heartbeat times)
   * @param random jitter source for the reconnect backoff
   * @param sleeper waits between connection attempts
   */
  public WorkerSession(
      WorkerSettings settings,
      TaskRunner tasks,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      LongSupplier freeMemory,
      Supplier<Optional<HostPort>> rediscover,
      ChannelFactory channels,
      Clock clock,
      Random random,
      Sleeper sleeper) {
    this(
        settings,
        channel -> tasks,
        compilers,
        capabilities,
        version,
        freeMemory,
        rediscover,
        channels,
        false,
        clock,
        random,
        sleeper,
        () -> 0);
  }

  /** Makes the task runner once the session can tell it the current channel. */
  private interface RunnerFactory {
    TaskRunner create(Supplier<ManagedChannel> currentChannel);
  }

  private WorkerSession(
      WorkerSettings settings,
      RunnerFactory tasks,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      LongSupplier freeMemory,
      Supplier<Optional<HostPort>> rediscover,
      ChannelFactory channels,
      boolean tls,
      Clock clock,
      Random random,
      Sleeper sleeper,
      IntSupplier toolchainsHeld) {
    this.settings = settings;
    this.target = settings.coordinator();
    this.rediscover = rediscover;
    this.executor =
        new TaskExecutor(
            settings.maxParallel(),
            tasks.create(
                () -> {
                  Stream s = current;
                  return s == null ? null : s.channel;
                }));
    this.messages =
        new SessionMessages(
            settings,
            compilers,
            capabilities,
            version,
            executor::active,
            freeMemory,
            toolchainsHeld,
            clock);
    this.channels = channels;
    this.tls = tls;
    this.backoff = new ReconnectBackoff(settings.maxBackoff(), clock, random);
    this.sleeper = sleeper;
    this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("hg-worker-timer"));
    this.connector = new Thread(this::connectLoop, "hg-worker-session");
  }

  /** Starts dialling the coordinator in the background. */
  public void start() {
    connector.start();
  }

  /** Whether the worker is currently registered with a coordinator. */
  public boolean connected() {
    Stream s = current;
    return s != null && s.registered;
  }

  /** Whether a registration ever succeeded (for tests and logs). */
  public boolean everRegistered() {
    return everRegistered;
  }

  /** Tasks running now. */
  public int activeTasks() {
    return executor.active();
  }

  private void connectLoop() {
    int failedInARow = 0;
    int unreachableInARow = 0;
    while (running) {
      if (unreachableInARow == 0) {
        log.info("connecting to coordinator {}", target);
      } else {
        log.debug("connecting to coordinator {}", target);
      }
      ManagedChannel channel = channels.open(target);
      Stream stream = new Stream(channel);
      current = stream;
      try {
        stream.open();
        stream.ended.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        stream.stopHeartbeats();
        channel.shutdownNow();
      }
      if (!running) {
        break;
      }
      if (stream.wasRegistered) {
        backoff.lost();
        failedInARow = 0;
        unreachableInARow = 0;
        log.warn("lost coordinator {} ({}); reconnecting", target, stream.endReason);
      } else if (++failedInARow >= REDISCOVER_AFTER) {
        failedInARow = 0;
        Optional<HostPort> found = rediscover.get();
        if (found.isPresent() && !found.get().equals(target)) {
          log.info("coordinator moved: {} -> {} (found by mDNS)", target, found.get());
          target = found.get();
          backoff.reset();
          continue;
        }
      }
      Duration wait = backoff.next();
      unreachableInARow++;
      String retry =
          "coordinator {} not reachable ({}); retrying in {} ms, at {} (attempt {} failed)";
      Object[] args = {
        target,
        stream.endReason,
        wait.toMillis(),
        // HH:mm:ss always: LocalTime's own text drops ":00" seconds.
        RETRY_TIME.format(LocalTime.now().plus(wait)),
        unreachableInARow
      };
      if (unreachableInARow >= WARN_AFTER_FAILURES) {
        log.warn(retry + "; is hg-coord running there, and is that its gRPC port?", args);
      } else {
        log.info(retry, args);
      }
      try {
        sleeper.sleep(wait); // reconnect backoff, not a test wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stopped.countDown();
  }

  /** One session stream; a new one is made for every connection attempt. */
  private final class Stream implements StreamObserver<CoordinatorMessage> {
    final CountDownLatch ended = new CountDownLatch(1);
    final ManagedChannel channel;
    volatile boolean registered;
    volatile boolean wasRegistered;
    volatile String endReason = "closed";
    private StreamObserver<WorkerMessage> out;
    private volatile ScheduledFuture<?> heartbeats;

    Stream(ManagedChannel channel) {
      this.channel = channel;
    }

    void open() {
      StreamObserver<WorkerMessage> o =
          WorkerServiceGrpc.newStub(channel)
              .withCompression(settings.compression().encoding())
              .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
              .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
              .session(this);
      synchronized (this) {
        out = o;
      }
      send(messages.register());
    }

    synchronized void send(WorkerMessage message) {
      if (out == null) {
        return;
      }
      try {
        out.onNext(message);
      } catch (RuntimeException e) {
        log.debug("send failed: {}", e.toString());
      }
    }

    synchronized void complete() {
      if (out != null) {
        try {
          out.onCompleted();
        } catch (RuntimeException e) {
          log.debug("complete failed: {}", e.toString());
        }
        out = null;
      }
    }

    void stopHeartbeats() {
      ScheduledFuture<?> h = heartbeats;
      if (h != null) {
        h.cancel(false);
      }
    }

    @Override
    public void onNext(CoordinatorMessage message) {
      switch (message.getKindCase()) {
        case REGISTERED -> {
          registered = true;
          wasRegistered = true;
          everRegistered = true;
          backoff.registered();
          long interval =
              message.getRegistered().getHeartbeatIntervalMs() > 0
                  ? message.getRegistered().getHeartbeatIntervalMs()
                  : settings.heartbeatInterval().toMillis();
          heartbeats =
              timer.scheduleAtFixedRate(
                  () -> send(messages.heartbeat()), interval, interval, TimeUnit.MILLISECONDS);
          log.info(
              "connected: registered with coordinator {} as {} ({} compilers, {} slots)",
              target,
              settings.workerId(),
              messages.compilerCount(),
              settings.maxParallel());
        }
        case ASSIGNMENT -> accept(message.getAssignment());
        case CANCEL -> {
          String id = message.getCancel().getTaskId();
          if (executor.cancel(id)) {
            log.info("task {} cancelled by the coordinator; its process tree is killed", id);
          }
        }
        case PING -> send(SessionMessages.pong(message.getPing()));
        default -> log.debug("unknown message {}", message.getKindCase());
      }
    }

    private void accept(TaskAssignment assignment) {
      if (!running || !executor.submit(assignment, r -> send(SessionMessages.result(r)))) {
        send(
            SessionMessages.result(
                WorkTaskRunner.rejection(
                    assignment.getTaskId(),
                    Rejection.UNAVAILABLE,
                    running ? "worker is full" : "worker is draining")));
      }
    }

    @Override
    public void onError(Throwable t) {
      endReason = Channels.explain(t, tls);
      registered = false;
      ended.countDown();
    }

    @Override
    public void onCompleted() {
      endReason = "coordinator closed the session";
      registered = false;
      complete();
      ended.countDown();
    }
  }

  /**
   * Drains: tells the coordinator (no new tasks), lets running tasks finish within the drain
   * timeout (cancelling what is left), then closes the stream.
   */
  @Override
  public void close() {
    running = false;
    Stream s = current;
    if (s != null) {
      s.send(SessionMessages.drain("worker shutting down"));
    }
    log.info(
        "draining: {} tasks running, waiting up to {} s",
        executor.active(),
        settings.drainTimeout().toSeconds());
    if (!executor.drain(settings.drainTimeout())) {
      log.warn("drain timeout: tasks still running were cancelled");
    }
    if (s != null) {
      s.complete();
      s.ended.countDown();
    }
    connector.interrupt();
    try {
      stopped.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
  }
}
