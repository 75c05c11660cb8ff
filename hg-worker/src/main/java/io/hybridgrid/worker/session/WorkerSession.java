package io.hybridgrid.worker.session;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.ClientSecurity;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Drain;
import io.hybridgrid.proto.v1.Heartbeat;
import io.hybridgrid.proto.v1.Ping;
import io.hybridgrid.proto.v1.Pong;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskRejection;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import io.hybridgrid.worker.action.ActionExecutor;
import io.hybridgrid.worker.action.ActionOutcome;
import io.hybridgrid.worker.cas.GrpcCasClient;
import io.hybridgrid.worker.compiler.CompileJob;
import io.hybridgrid.worker.compiler.CompileOutput;
import io.hybridgrid.worker.compiler.CompilerRunner;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of the session stream: it dials hg-coord, registers, sends heartbeats, runs the
 * tasks it is given and sends the results back. When the stream breaks it reconnects with
 * exponential backoff and jitter; the coordinator re-queues whatever was running here.
 */
public final class WorkerSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerSession.class);

  private final WorkerSettings settings;
  private final CompilerRunner runner;

  /** Runs actions (hermetic replay); null when this worker cannot sandbox. */
  private final ActionExecutor actions;

  private final Set<CompilerIdentity> compilers;
  private final Capabilities.Builder capabilities;
  private final String version;
  private final Random random;
  private final LongSupplier freeMemory;
  private final ThreadPoolExecutor compileExecutor;
  private final ScheduledExecutorService timer;
  private final AtomicInteger active = new AtomicInteger();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread connector;

  /**
   * Finds the coordinator again (mDNS) when the address was discovered rather than given; empty
   * when it was given. Asked after {@link #REDISCOVER_AFTER} attempts in a row that did not
   * register, so a coordinator that came back elsewhere is found without restarting the worker.
   */
  private final Supplier<Optional<HostPort>> rediscover;

  /** Longest one call to the coordinator's content store may take. */
  static final Duration CAS_CALL_DEADLINE = Duration.ofMinutes(5);

  private final ClientSecurity security;

  /** Failed attempts in a row before {@link #rediscover} is asked. */
  static final int REDISCOVER_AFTER = 3;

  private volatile HostPort target;
  private volatile boolean running = true;
  private volatile Stream current;
  private volatile boolean everRegistered;

  /**
   * @param settings the configuration
   * @param runner runs compiles (behind the circuit breaker)
   * @param compilers the identities to advertise
   * @param capabilities the machine description to advertise (compilers are added)
   * @param version this worker's version
   * @param random jitter source for the reconnect backoff
   * @param freeMemory memory available to new compiles now, reported in heartbeats (0 = unknown)
   */
  public WorkerSession(
      WorkerSettings settings,
      CompilerRunner runner,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      Random random,
      LongSupplier freeMemory) {
    this(settings, runner, compilers, capabilities, version, random, freeMemory, Optional::empty);
  }

  /**
   * As above, plus {@code rediscover}: where the coordinator is now (mDNS), asked after several
   * failed connection attempts in a row; use it only when the address was discovered.
   */
  public WorkerSession(
      WorkerSettings settings,
      CompilerRunner runner,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      Random random,
      LongSupplier freeMemory,
      Supplier<Optional<HostPort>> rediscover) {
    this(
        settings,
        runner,
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
      CompilerRunner runner,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      Random random,
      LongSupplier freeMemory,
      Supplier<Optional<HostPort>> rediscover,
      ActionExecutor actions) {
    this(
        settings,
        runner,
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
      CompilerRunner runner,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      Random random,
      LongSupplier freeMemory,
      Supplier<Optional<HostPort>> rediscover,
      ActionExecutor actions,
      ClientSecurity security) {
    this.actions = actions;
    this.security = security;
    this.rediscover = rediscover;
    this.target = settings.coordinator();
    this.settings = settings;
    this.runner = runner;
    this.compilers = Set.copyOf(compilers);
    this.capabilities = capabilities.toBuilder();
    this.version = version;
    this.random = random;
    this.freeMemory = freeMemory;
    AtomicInteger n = new AtomicInteger();
    this.compileExecutor =
        new ThreadPoolExecutor(
            settings.maxParallel(),
            settings.maxParallel(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(settings.maxParallel()),
            r -> {
              Thread t = new Thread(r, "hg-compile-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hg-worker-timer");
              t.setDaemon(true);
              return t;
            });
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

  /** Connection attempts in a row that fail before the retries are logged as warnings. */
  static final int WARN_AFTER_FAILURES = 5;

  private void connectLoop() {
    long backoffMillis = 250;
    int failedInARow = 0;
    int unreachableInARow = 0;
    while (running) {
      if (unreachableInARow == 0) {
        log.info("connecting to coordinator {}", target);
      } else {
        log.debug("connecting to coordinator {}", target);
      }
      ManagedChannel channel = Channels.forAddress(target, security);
      Stream stream = new Stream();
      current = stream;
      try {
        stream.open(channel);
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
      if (stream.registered) {
        backoffMillis = 250;
        failedInARow = 0;
        unreachableInARow = 0;
      } else if (++failedInARow >= REDISCOVER_AFTER) {
        failedInARow = 0;
        Optional<HostPort> found = rediscover.get();
        if (found.isPresent() && !found.get().equals(target)) {
          log.info("coordinator moved: {} -> {} (found by mDNS)", target, found.get());
          target = found.get();
          backoffMillis = 250;
          continue;
        }
      }
      long wait = backoffMillis / 2 + (long) (random.nextDouble() * backoffMillis / 2);
      if (!stream.registered) {
        unreachableInARow++;
      }
      String retry =
          "coordinator {} not reachable ({}); retrying in {} ms, at {} (attempt {} failed)";
      Object[] args = {
        target,
        stream.endReason,
        wait,
        java.time.LocalTime.now().plus(java.time.Duration.ofMillis(wait)).withNano(0),
        unreachableInARow
      };
      if (unreachableInARow >= WARN_AFTER_FAILURES) {
        log.warn(retry + "; is hg-coord running there, and is that its gRPC port?", args);
      } else {
        log.info(retry, args);
      }
      try {
        Thread.sleep(wait); // reconnect backoff, not a test wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      backoffMillis = Math.min(backoffMillis * 2, settings.maxBackoff().toMillis());
    }
    stopped.countDown();
  }

  /** One session stream; a new one is made for every connection attempt. */
  private final class Stream implements StreamObserver<CoordinatorMessage> {
    final CountDownLatch ended = new CountDownLatch(1);
    volatile boolean registered;
    volatile String endReason = "closed";
    private StreamObserver<WorkerMessage> out;
    private ScheduledFuture<?> heartbeats;
    private volatile ManagedChannel channel;

    void open(ManagedChannel channel) {
      this.channel = channel;
      out =
          WorkerServiceGrpc.newStub(channel)
              .withCompression(GrpcLimits.COMPRESSION)
              .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
              .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
              .session(this);
      Capabilities caps =
          capabilities
              .clone()
              .clearCompilers()
              .setMaxParallel(settings.maxParallel())
              .addAllCompilers(compilers.stream().map(WireTypes::toWire).toList())
              .build();
      send(
          WorkerMessage.newBuilder()
              .setRegister(
                  Register.newBuilder()
                      .setWorkerId(settings.workerId())
                      .setHostname(settings.hostname())
                      .setCapabilities(caps)
                      .setVersion(version))
              .build());
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
      if (heartbeats != null) {
        heartbeats.cancel(false);
      }
    }

    @Override
    public void onNext(CoordinatorMessage message) {
      switch (message.getKindCase()) {
        case REGISTERED -> {
          registered = true;
          everRegistered = true;
          long interval =
              message.getRegistered().getHeartbeatIntervalMs() > 0
                  ? message.getRegistered().getHeartbeatIntervalMs()
                  : settings.heartbeatInterval().toMillis();
          heartbeats =
              timer.scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
          log.info(
              "connected: registered with coordinator {} as {} ({} compilers, {} slots)",
              target,
              settings.workerId(),
              compilers.size(),
              settings.maxParallel());
        }
        case ASSIGNMENT -> accept(message.getAssignment());
        case CANCEL -> log.debug("cancel of {} ignored; it finishes", message.getCancel());
        case PING -> pong(message.getPing());
        default -> log.debug("unknown message {}", message.getKindCase());
      }
    }

    /** Echoes a ping at once, so the coordinator can measure the round trip. */
    private void pong(Ping ping) {
      send(
          WorkerMessage.newBuilder()
              .setPong(
                  Pong.newBuilder()
                      .setNonce(ping.getNonce())
                      .setPingSentAtUnixMicros(ping.getSentAtUnixMicros()))
              .build());
    }

    private void heartbeat() {
      send(
          WorkerMessage.newBuilder()
              .setHeartbeat(
                  Heartbeat.newBuilder()
                      .setActiveTasks(active.get())
                      .setLoadAverage(
                          java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                              .getSystemLoadAverage())
                      .setFreeMemoryBytes(freeMemory.getAsLong())
                      .setToolchainsHeld(actions == null ? 0 : actions.toolchainsHeld())
                      .setSentAtUnixMicros(System.currentTimeMillis() * 1000))
              .build());
    }

    private void accept(TaskAssignment assignment) {
      try {
        compileExecutor.execute(() -> runTask(assignment));
      } catch (RejectedExecutionException e) {
        send(rejection(assignment.getTaskId(), TaskRejection.Reason.UNAVAILABLE, "worker is full"));
      }
    }

    private void runTask(TaskAssignment assignment) {
      active.incrementAndGet();
      try {
        if (assignment.hasAction()) {
          runAction(assignment);
          return;
        }
        CompileOutput out = runner.compile(fromProto(assignment.getTask()));
        send(
            WorkerMessage.newBuilder()
                .setResult(
                    TaskResult.newBuilder()
                        .setTaskId(assignment.getTaskId())
                        .setResult(
                            CompileResult.newBuilder()
                                .setExitCode(out.exitCode())
                                .setObject(ByteString.copyFrom(out.object()))
                                .setStdout(ByteString.copyFrom(out.stdout()))
                                .setStderr(ByteString.copyFrom(out.stderr()))
                                .setWorkerId(settings.workerId())
                                .setCompileMicros(out.micros())))
                .build());
      } catch (TaskRefusedException e) {
        log.info("task {} refused: {}", assignment.getTaskId(), e.getMessage());
        send(rejection(assignment.getTaskId(), toProto(e.reason()), e.getMessage()));
      } catch (IllegalArgumentException e) {
        send(rejection(assignment.getTaskId(), TaskRejection.Reason.INVALID_TASK, e.getMessage()));
      } catch (RuntimeException e) {
        log.warn("task {} failed", assignment.getTaskId(), e);
        send(rejection(assignment.getTaskId(), TaskRejection.Reason.INFRASTRUCTURE, e.toString()));
      } finally {
        active.decrementAndGet();
      }
    }

    /** Hermetic replay: inputs come from the coordinator's store over this session's channel. */
    private void runAction(TaskAssignment assignment) throws TaskRefusedException {
      if (actions == null) {
        throw new TaskRefusedException(
            TaskRefusedException.Reason.UNAVAILABLE, "this worker does not run actions");
      }
      // Defence in depth behind the sandbox: the one argument policy (aliases and abbreviations
      // included), which the coordinator applied before dispatch too.
      java.util.List<String> argv = assignment.getAction().getArgvList();
      java.util.Optional<String> refused =
          argv.isEmpty()
              ? java.util.Optional.empty()
              : io.hybridgrid.common.compiler.ActionPolicy.firstLocalReason(
                  io.hybridgrid.common.compiler.ArgParser.parse(argv.subList(1, argv.size())));
      if (refused.isPresent()) {
        throw new TaskRefusedException(
            TaskRefusedException.Reason.FORBIDDEN_ARGUMENT, "argument refused: " + refused.get());
      }
      ActionOutcome out =
          actions.execute(
              ActionWire.fromProto(assignment.getAction()),
              Duration.ofMillis(assignment.getTimeoutMs()),
              new GrpcCasClient(channel, CAS_CALL_DEADLINE));
      send(
          WorkerMessage.newBuilder()
              .setResult(
                  TaskResult.newBuilder()
                      .setTaskId(assignment.getTaskId())
                      .setActionResult(ActionWire.toProto(out, settings.workerId())))
              .build());
    }

    @Override
    public void onError(Throwable t) {
      endReason = Channels.explain(t, security.tls() != null);
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

  private static WorkerMessage rejection(
      String taskId, TaskRejection.Reason reason, String message) {
    return WorkerMessage.newBuilder()
        .setResult(
            TaskResult.newBuilder()
                .setTaskId(taskId)
                .setRejection(
                    TaskRejection.newBuilder()
                        .setReason(reason)
                        .setMessage(message == null ? "" : message)))
        .build();
  }

  private static TaskRejection.Reason toProto(TaskRefusedException.Reason reason) {
    return switch (reason) {
      case UNKNOWN_COMPILER -> TaskRejection.Reason.UNKNOWN_COMPILER;
      case FORBIDDEN_ARGUMENT -> TaskRejection.Reason.FORBIDDEN_ARGUMENT;
      case INVALID_TASK -> TaskRejection.Reason.INVALID_TASK;
      case UNAVAILABLE -> TaskRejection.Reason.UNAVAILABLE;
      case INFRASTRUCTURE -> TaskRejection.Reason.INFRASTRUCTURE;
    };
  }

  static CompileJob fromProto(CompileTask task) {
    return new CompileJob(
        WireTypes.fromWire(task.getCompiler()),
        WireTypes.fromWire(task.getLanguage()),
        task.getArgsList(),
        task.getSourcePath(),
        task.getClientCwd(),
        task.getPreprocessed().toByteArray(),
        task.getEnvMap());
  }

  /**
   * Stops taking tasks, lets running compiles finish (bounded by the drain timeout), then closes
   * the stream.
   */
  @Override
  public void close() {
    running = false;
    Stream s = current;
    if (s != null) {
      s.send(
          WorkerMessage.newBuilder()
              .setDrain(Drain.newBuilder().setReason("worker shutting down"))
              .build());
    }
    compileExecutor.shutdown();
    try {
      if (!compileExecutor.awaitTermination(
          settings.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        compileExecutor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      compileExecutor.shutdownNow();
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
