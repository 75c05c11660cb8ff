package io.hybridgrid.worker.session;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.Drain;
import io.hybridgrid.proto.v1.Heartbeat;
import io.hybridgrid.proto.v1.Ping;
import io.hybridgrid.proto.v1.Pong;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What the worker says on the session stream: register, heartbeats (with the load sampled now),
 * pongs, results and drain, as {@code WorkerMessage}s.
 */
final class SessionMessages {
  private final WorkerSettings settings;
  private final Set<CompilerIdentity> compilers;
  private final Capabilities capabilities;
  private final String version;
  private final IntSupplier activeTasks;
  private final LongSupplier freeMemory;
  private final Clock clock;

  private final IntSupplier toolchainsHeld;

  SessionMessages(
      WorkerSettings settings,
      Set<CompilerIdentity> compilers,
      Capabilities capabilities,
      String version,
      IntSupplier activeTasks,
      LongSupplier freeMemory,
      IntSupplier toolchainsHeld,
      Clock clock) {
    this.toolchainsHeld = toolchainsHeld;
    this.settings = settings;
    this.compilers = Set.copyOf(compilers);
    this.capabilities =
        capabilities.toBuilder()
            .clearCompilers()
            .setMaxParallel(settings.maxParallel())
            .addAllCompilers(compilers.stream().map(WireTypes::toWire).toList())
            .build();
    this.version = version;
    this.activeTasks = activeTasks;
    this.freeMemory = freeMemory;
    this.clock = clock;
  }

  int compilerCount() {
    return compilers.size();
  }

  WorkerMessage register() {
    return WorkerMessage.newBuilder()
        .setRegister(
            Register.newBuilder()
                .setWorkerId(settings.workerId())
                .setHostname(settings.hostname())
                .setCapabilities(capabilities)
                .setVersion(version))
        .build();
  }

  /** A heartbeat with the load as it is now. */
  WorkerMessage heartbeat() {
    Instant now = clock.instant();
    return WorkerMessage.newBuilder()
        .setHeartbeat(
            Heartbeat.newBuilder()
                .setActiveTasks(activeTasks.getAsInt())
                .setLoadAverage(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
                .setFreeMemoryBytes(freeMemory.getAsLong())
                .setToolchainsHeld(toolchainsHeld.getAsInt())
                .setSentAtUnixMicros(now.getEpochSecond() * 1_000_000 + now.getNano() / 1000))
        .build();
  }

  /** Echoes a ping, so the coordinator can measure the round trip. */
  static WorkerMessage pong(Ping ping) {
    return WorkerMessage.newBuilder()
        .setPong(
            Pong.newBuilder()
                .setNonce(ping.getNonce())
                .setPingSentAtUnixMicros(ping.getSentAtUnixMicros()))
        .build();
  }

  static WorkerMessage result(TaskResult result) {
    return WorkerMessage.newBuilder().setResult(result).build();
  }

  static WorkerMessage drain(String reason) {
    return WorkerMessage.newBuilder().setDrain(Drain.newBuilder().setReason(reason)).build();
  }
}
