package io.hybridgrid.bench.scheduler;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Heartbeat;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Ping;
import io.hybridgrid.proto.v1.Pong;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker that speaks the real session protocol (register, heartbeats with live load, pongs,
 * results) over its own gRPC connection, and "compiles" by waiting: the task carries its cost on
 * the reference machine ({@link BenchTasks#COST_ARG}), and this worker answers after cost / speed.
 * Waiting is a timer, not a thread per slot, so hundreds of workers fit in one JVM.
 *
 * <p>On every assignment it records the time since the client sent the task ({@link
 * BenchTasks#SENT_ARG}, same JVM so the same {@link System#nanoTime} origin).
 */
final class SimulatedWorker implements StreamObserver<CoordinatorMessage>, AutoCloseable {
  private static final ByteString OBJECT = ByteString.copyFrom(new byte[256]);
  private static final io.hybridgrid.proto.v1.Digest OBJECT_DIGEST =
      BenchTasks.wire(Digest.of(OBJECT.toByteArray()));

  private final WorkerProfile profile;
  private final ScheduledExecutorService timer;
  private final LatencySamples sendToAssign;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger completed = new AtomicInteger();
  private final CompletableFuture<Void> registered = new CompletableFuture<>();
  private final StreamObserver<WorkerMessage> up;
  private ScheduledFuture<?> heartbeats; // guarded by this
  private boolean closed; // guarded by this

  SimulatedWorker(
      WorkerProfile profile,
      Channel channel,
      ScheduledExecutorService timer,
      LatencySamples sendToAssign) {
    this.profile = profile;
    this.timer = timer;
    this.sendToAssign = sendToAssign;
    this.up = WorkerServiceGrpc.newStub(channel).session(this);
  }

  /** Sends the register message; {@link #registered()} completes on the coordinator's ack. */
  void start() {
    Capabilities.Builder caps =
        Capabilities.newBuilder()
            .setCores(profile.cores())
            .setMemoryBytes(profile.memoryBytes())
            .setArch("amd64")
            .setOs("linux")
            .setMaxParallel(profile.cores());
    profile.compilers().forEach(c -> caps.addCompilers(WireTypes.toWire(c)));
    send(
        WorkerMessage.newBuilder()
            .setRegister(
                Register.newBuilder()
                    .setWorkerId(profile.id())
                    .setHostname(profile.id() + ".bench")
                    .setCapabilities(caps)
                    .setVersion("bench"))
            .build());
  }

  CompletableFuture<Void> registered() {
    return registered;
  }

  int completed() {
    return completed.get();
  }

  WorkerProfile profile() {
    return profile;
  }

  @Override
  public void onNext(CoordinatorMessage m) {
    switch (m.getKindCase()) {
      case REGISTERED -> startHeartbeats(m.getRegistered().getHeartbeatIntervalMs());
      case ASSIGNMENT -> accept(m.getAssignment());
      case PING -> pong(m.getPing());
      default -> {} // cancels: the simulated compile just finishes
    }
  }

  @Override
  public void onError(Throwable t) {
    registered.completeExceptionally(t);
    stopHeartbeats();
  }

  @Override
  public void onCompleted() {
    registered.completeExceptionally(new IllegalStateException("session ended"));
    stopHeartbeats();
  }

  private synchronized void startHeartbeats(int intervalMillis) {
    int interval = intervalMillis > 0 ? intervalMillis : 2000;
    if (!closed) {
      heartbeats =
          timer.scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
    }
    registered.complete(null);
  }

  private synchronized void stopHeartbeats() {
    if (heartbeats != null) {
      heartbeats.cancel(false);
    }
  }

  private void heartbeat() {
    send(
        WorkerMessage.newBuilder()
            .setHeartbeat(
                Heartbeat.newBuilder()
                    .setActiveTasks(active.get())
                    .setLoadAverage(active.get())
                    .setFreeMemoryBytes(profile.memoryBytes() - (long) active.get() * (256L << 20))
                    .setSentAtUnixMicros(System.currentTimeMillis() * 1000))
            .build());
  }

  private void pong(Ping ping) {
    send(
        WorkerMessage.newBuilder()
            .setPong(
                Pong.newBuilder()
                    .setNonce(ping.getNonce())
                    .setPingSentAtUnixMicros(ping.getSentAtUnixMicros()))
            .build());
  }

  private void accept(TaskAssignment a) {
    long now = System.nanoTime();
    BenchTasks.Stamp stamp = BenchTasks.stamp(a.getAction());
    sendToAssign.add(now - stamp.sentNanos());
    active.incrementAndGet();
    long micros = Math.max(1, Math.round(stamp.costMicros() / profile.speed()));
    var unused =
        timer.schedule(
            () -> {
              active.decrementAndGet();
              completed.incrementAndGet();
              send(
                  WorkerMessage.newBuilder()
                      .setResult(
                          TaskResult.newBuilder()
                              .setTaskId(a.getTaskId())
                              .setActionResult(
                                  ActionResult.newBuilder()
                                      .setExitCode(0)
                                      .addOutputs(
                                          OutputFile.newBuilder()
                                              .setPath(a.getAction().getOutputPaths(0))
                                              .setDigest(OBJECT_DIGEST)
                                              .setContents(OBJECT))
                                      .setWorkerId(profile.id())
                                      .setCompileMicros(micros)))
                      .build());
            },
            micros,
            TimeUnit.MICROSECONDS);
  }

  /** Stream observers are not thread-safe: timer and transport threads both send. */
  private synchronized void send(WorkerMessage m) {
    if (closed) {
      return;
    }
    try {
      up.onNext(m);
    } catch (RuntimeException e) {
      closed = true;
    }
  }

  /** Ends the session politely. */
  @Override
  public synchronized void close() {
    stopHeartbeats();
    if (!closed) {
      closed = true;
      try {
        up.onCompleted();
      } catch (RuntimeException e) {
        // already broken
      }
    }
  }
}
