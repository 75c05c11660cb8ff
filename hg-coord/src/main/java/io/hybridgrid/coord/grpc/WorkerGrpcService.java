package io.hybridgrid.coord.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.auth.AuthInterceptor;
import io.hybridgrid.common.auth.Identity;
import io.hybridgrid.common.grpc.FieldLimits;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.coord.action.ActionOutcome;
import io.hybridgrid.coord.cas.ContentStore;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.coord.compile.Work;
import io.hybridgrid.coord.compile.WorkResult;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.metrics.GridMetrics;
import io.hybridgrid.coord.registry.TaskSink;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.registry.WorkerLoad;
import io.hybridgrid.coord.verify.Trust;
import io.hybridgrid.coord.verify.WorkerTrust;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.CancelTask;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Heartbeat;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Ping;
import io.hybridgrid.proto.v1.RegisterAck;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker session stream: translates messages to dispatcher calls and back. Each heartbeat is
 * answered with a ping carrying this coordinator's clock; the worker's pong echoes it, and the
 * difference from the clock on arrival is the round-trip time (no clock sync needed).
 */
public final class WorkerGrpcService extends WorkerServiceGrpc.WorkerServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(WorkerGrpcService.class);

  private final Dispatcher<Work, WorkResult> dispatcher;
  private final ContentStore cas;
  private final int heartbeatIntervalMillis;
  private final Clock clock;
  private final AtomicLong nonces = new AtomicLong();
  private final GridMetrics metrics;
  private final WorkerTrust trust;

  /**
   * @param dispatcher where sessions, results and refusals go
   * @param cas where action outputs that come inline are stored, and where those that come by
   *     digest must already be (the worker uploaded them)
   * @param heartbeatIntervalMillis the interval workers are told to use
   * @param clock time for pings
   */
  public WorkerGrpcService(
      Dispatcher<Work, WorkResult> dispatcher,
      ContentStore cas,
      int heartbeatIntervalMillis,
      Clock clock) {
    this(dispatcher, cas, heartbeatIntervalMillis, clock, GridMetrics.NONE);
  }

  /**
   * @param metrics counts the bytes of assignments sent and results received
   */
  public WorkerGrpcService(
      Dispatcher<Work, WorkResult> dispatcher,
      ContentStore cas,
      int heartbeatIntervalMillis,
      Clock clock,
      GridMetrics metrics) {
    this(dispatcher, cas, heartbeatIntervalMillis, clock, metrics, new WorkerTrust());
  }

  /**
   * @param trust told each accepted registration's trust (from the session's role), which decides
   *     how its results are verified
   */
  public WorkerGrpcService(
      Dispatcher<Work, WorkResult> dispatcher,
      ContentStore cas,
      int heartbeatIntervalMillis,
      Clock clock,
      GridMetrics metrics,
      WorkerTrust trust) {
    this.trust = trust;
    this.metrics = metrics;
    this.dispatcher = dispatcher;
    this.cas = cas;
    this.heartbeatIntervalMillis = heartbeatIntervalMillis;
    this.clock = clock;
  }

  @Override
  public StreamObserver<WorkerMessage> session(StreamObserver<CoordinatorMessage> out) {
    Identity identity = AuthInterceptor.IDENTITY.get();
    Session session = new Session(out, identity == null ? Identity.open() : identity);
    ((ServerCallStreamObserver<CoordinatorMessage>) out)
        .setOnCancelHandler(() -> session.onError(Status.CANCELLED.asRuntimeException()));
    return session;
  }

  /** Sends to one worker; gRPC stream observers are not thread-safe, so sends are serialized. */
  private static final class StreamSink implements TaskSink<Work> {
    private final StreamObserver<CoordinatorMessage> out;

    /** Output paths of each action sent and not yet answered (assign runs on other threads). */
    final Map<String, Set<String>> declaredOutputs = new ConcurrentHashMap<>();

    private final GridMetrics metrics;
    private boolean closed;

    StreamSink(StreamObserver<CoordinatorMessage> out, GridMetrics metrics) {
      this.out = out;
      this.metrics = metrics;
    }

    synchronized void send(CoordinatorMessage message) {
      if (closed) {
        return;
      }
      try {
        out.onNext(message);
      } catch (RuntimeException e) {
        // The stream was cancelled under us; the session's onError removes the worker and
        // re-queues what it held, so the failed send only has to stop further ones.
        closed = true;
      }
    }

    @Override
    public void assign(String taskId, Work payload, long timeoutMillis) {
      TaskAssignment.Builder a =
          TaskAssignment.newBuilder().setTaskId(taskId).setTimeoutMs(timeoutMillis);
      Work.Run r = (Work.Run) payload;
      declaredOutputs.put(taskId, Set.copyOf(r.action().outputPaths()));
      a.setAction(ProtoMapping.toWire(r.action()));
      CoordinatorMessage m = CoordinatorMessage.newBuilder().setAssignment(a).build();
      metrics.transfer("out", "worker", m.getSerializedSize());
      send(m);
    }

    @Override
    public void cancel(String taskId) {
      declaredOutputs.remove(taskId); // whatever it still sends for the task is ignored
      send(
          CoordinatorMessage.newBuilder()
              .setCancel(CancelTask.newBuilder().setTaskId(taskId))
              .build());
    }

    @Override
    public synchronized void disconnect(String reason) {
      if (!closed) {
        closed = true;
        out.onError(Status.UNAVAILABLE.withDescription(reason).asRuntimeException());
      }
    }

    /** Ends the stream with {@code status}, e.g. when the registration is refused. */
    synchronized void fail(Status status) {
      if (!closed) {
        closed = true;
        out.onError(status.asRuntimeException());
      }
    }

    synchronized void complete() {
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
    }
  }

  private static Instant micros(long unixMicros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(unixMicros, 1_000_000), Math.floorMod(unixMicros, 1_000_000) * 1000L);
  }

  private final class Session implements StreamObserver<WorkerMessage> {
    private final StreamSink sink;
    private final Identity identity;
    private volatile String workerId;
    private volatile boolean refused;

    Session(StreamObserver<CoordinatorMessage> out, Identity identity) {
      this.sink = new StreamSink(out, metrics);
      this.identity = identity;
    }

    @Override
    public void onNext(WorkerMessage message) {
      if (refused) {
        return;
      }
      if (workerId == null && message.getKindCase() != WorkerMessage.KindCase.REGISTER) {
        sink.disconnect("first message must be register");
        return;
      }
      switch (message.getKindCase()) {
        case REGISTER -> register(message);
        case HEARTBEAT -> heartbeat(message.getHeartbeat());
        case PONG -> dispatcher.pong(workerId, micros(message.getPong().getPingSentAtUnixMicros()));
        case RESULT -> {
          if (message.getResult().getTaskId().length() <= FieldLimits.MAX_ID) {
            result(message.getResult());
          }
        }
        case DRAIN -> dispatcher.drain(workerId);
        default -> sink.disconnect("unknown message kind");
      }
    }

    private void heartbeat(Heartbeat h) {
      dispatcher.heartbeat(
          workerId,
          new WorkerLoad(
              h.getActiveTasks(),
              h.getLoadAverage(),
              h.getFreeMemoryBytes(),
              h.getToolchainsHeld()));
      Instant now = clock.instant();
      sink.send(
          CoordinatorMessage.newBuilder()
              .setPing(
                  Ping.newBuilder()
                      .setNonce(nonces.incrementAndGet())
                      .setSentAtUnixMicros(now.getEpochSecond() * 1_000_000 + now.getNano() / 1000))
              .build());
    }

    private void register(WorkerMessage message) {
      if (workerId != null) {
        return; // registering twice on one stream is ignored
      }
      WorkerDescriptor descriptor;
      try {
        descriptor = ProtoMapping.descriptor(message.getRegister());
      } catch (IllegalArgumentException e) {
        sink.disconnect("invalid register: " + e.getMessage());
        return;
      }
      sink.send(
          CoordinatorMessage.newBuilder()
              .setRegistered(
                  RegisterAck.newBuilder()
                      .setWorkerId(descriptor.id())
                      .setHeartbeatIntervalMs(heartbeatIntervalMillis))
              .build());
      // The session belongs to the identity that authenticated it; with tokens off there is no
      // owner, and a live id can never be taken over.
      String owner = identity.authenticated() ? identity.name() : null;
      Optional<String> refusal = dispatcher.register(descriptor, sink, owner);
      if (refusal.isPresent()) {
        refused = true;
        sink.fail(Status.ALREADY_EXISTS.withDescription(refusal.get()));
        return;
      }
      trust.registered(descriptor.id(), Trust.of(identity));
      workerId = descriptor.id();
    }

    private void result(TaskResult r) {
      Set<String> declared = sink.declaredOutputs.remove(r.getTaskId());
      metrics.transfer("in", "worker", r.getSerializedSize());
      if (r.hasActionResult()) {
        if (declared == null) {
          log.debug("action result for unknown task {} from {} ignored", r.getTaskId(), workerId);
          return;
        }
        ActionOutcome outcome;
        try {
          outcome = acceptOutputs(r.getActionResult(), declared);
        } catch (IllegalArgumentException | IOException e) {
          // The worker's fault, not the action's: another worker gets it.
          dispatcher.rejected(
              workerId,
              r.getTaskId(),
              Rejection.INFRASTRUCTURE,
              "unusable result: " + e.getMessage());
          return;
        }
        dispatcher.result(workerId, r.getTaskId(), new WorkResult.ActionDone(outcome));
        return;
      }
      dispatcher.rejected(
          workerId,
          r.getTaskId(),
          WireTypes.fromWire(r.getRejection().getReason()),
          FieldLimits.cut(r.getRejection().getMessage(), FieldLimits.MAX_TEXT));
    }

    /**
     * Checks an action result's outputs: each at a declared path, once; inline ones must match
     * their digest and are stored in the CAS; the others must already be there (the worker uploaded
     * them). The outcome names this session's worker, whatever the message says.
     */
    private ActionOutcome acceptOutputs(ActionResult r, Set<String> declared) throws IOException {
      List<ActionOutcome.OutputFile> outputs = new ArrayList<>(r.getOutputsCount());
      Set<String> seen = new HashSet<>();
      for (OutputFile f : r.getOutputsList()) {
        if (!declared.contains(f.getPath()) || !seen.add(f.getPath())) {
          throw new IllegalArgumentException(
              "output " + f.getPath() + " is not a declared output path, or came twice");
        }
        Digest d = ProtoMapping.digest(f.getDigest());
        byte[] contents = null;
        if (!f.getContents().isEmpty() || d.size() == 0) {
          contents = f.getContents().toByteArray();
          cas.put(d, contents, false);
        } else if (!cas.contains(d)) {
          throw new IllegalArgumentException(
              "output " + f.getPath() + " (" + d + ") came by digest but is not in the CAS");
        }
        outputs.add(new ActionOutcome.OutputFile(f.getPath(), d, f.getExecutable(), contents));
      }
      return new ActionOutcome(
          r.getExitCode(),
          outputs,
          r.getStdout().toByteArray(),
          r.getStderr().toByteArray(),
          workerId,
          r.getCompileMicros());
    }

    @Override
    public void onError(Throwable t) {
      if (workerId != null) {
        dispatcher.workerGone(workerId, sink, "session broke: " + Status.fromThrowable(t));
      }
    }

    @Override
    public void onCompleted() {
      if (workerId != null) {
        dispatcher.workerGone(workerId, sink, "worker closed the session");
      }
      sink.complete();
    }
  }
}
