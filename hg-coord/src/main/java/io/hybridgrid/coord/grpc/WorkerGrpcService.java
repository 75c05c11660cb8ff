package io.hybridgrid.coord.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.registry.TaskSink;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.registry.WorkerLoad;
import io.hybridgrid.proto.v1.CancelTask;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Heartbeat;
import io.hybridgrid.proto.v1.Ping;
import io.hybridgrid.proto.v1.RegisterAck;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker session stream: translates messages to dispatcher calls and back. Each heartbeat is
 * answered with a ping carrying this coordinator's clock; the worker's pong echoes it, and the
 * difference from the clock on arrival is the round-trip time (no clock sync needed).
 */
public final class WorkerGrpcService extends WorkerServiceGrpc.WorkerServiceImplBase {
  private final Dispatcher<CompileTask, CompileResult> dispatcher;
  private final int heartbeatIntervalMillis;
  private final Clock clock;
  private final AtomicLong nonces = new AtomicLong();

  public WorkerGrpcService(
      Dispatcher<CompileTask, CompileResult> dispatcher, int heartbeatIntervalMillis, Clock clock) {
    this.dispatcher = dispatcher;
    this.heartbeatIntervalMillis = heartbeatIntervalMillis;
    this.clock = clock;
  }

  @Override
  public StreamObserver<WorkerMessage> session(StreamObserver<CoordinatorMessage> out) {
    Session session = new Session(out);
    ((ServerCallStreamObserver<CoordinatorMessage>) out)
        .setOnCancelHandler(() -> session.onError(Status.CANCELLED.asRuntimeException()));
    return session;
  }

  /** Sends to one worker; gRPC stream observers are not thread-safe, so sends are serialized. */
  private static final class StreamSink implements TaskSink<CompileTask> {
    private final StreamObserver<CoordinatorMessage> out;
    private boolean closed;

    StreamSink(StreamObserver<CoordinatorMessage> out) {
      this.out = out;
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
    public void assign(String taskId, CompileTask payload, long timeoutMillis) {
      send(
          CoordinatorMessage.newBuilder()
              .setAssignment(
                  TaskAssignment.newBuilder()
                      .setTaskId(taskId)
                      .setTask(payload)
                      .setTimeoutMs(timeoutMillis))
              .build());
    }

    @Override
    public void cancel(String taskId) {
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
    private volatile String workerId;

    Session(StreamObserver<CoordinatorMessage> out) {
      this.sink = new StreamSink(out);
    }

    @Override
    public void onNext(WorkerMessage message) {
      if (workerId == null && message.getKindCase() != WorkerMessage.KindCase.REGISTER) {
        sink.disconnect("first message must be register");
        return;
      }
      switch (message.getKindCase()) {
        case REGISTER -> register(message);
        case HEARTBEAT -> heartbeat(message.getHeartbeat());
        case PONG -> dispatcher.pong(workerId, micros(message.getPong().getPingSentAtUnixMicros()));
        case RESULT -> result(message.getResult());
        case DRAIN -> dispatcher.drain(workerId);
        default -> sink.disconnect("unknown message kind");
      }
    }

    private void heartbeat(Heartbeat h) {
      dispatcher.heartbeat(
          workerId, new WorkerLoad(h.getActiveTasks(), h.getLoadAverage(), h.getFreeMemoryBytes()));
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
      workerId = descriptor.id();
      sink.send(
          CoordinatorMessage.newBuilder()
              .setRegistered(
                  RegisterAck.newBuilder()
                      .setWorkerId(workerId)
                      .setHeartbeatIntervalMs(heartbeatIntervalMillis))
              .build());
      dispatcher.register(descriptor, sink);
    }

    private void result(TaskResult r) {
      if (r.hasResult()) {
        dispatcher.result(workerId, r.getTaskId(), r.getResult());
        return;
      }
      dispatcher.rejected(
          workerId,
          r.getTaskId(),
          WireTypes.fromWire(r.getRejection().getReason()),
          r.getRejection().getMessage());
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
