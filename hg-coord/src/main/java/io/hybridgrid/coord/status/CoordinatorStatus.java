package io.hybridgrid.coord.status;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.dispatch.DispatchStats;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.registry.WorkerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The read-only view of the coordinator that status RPCs, the HTTP API and the page share. */
public final class CoordinatorStatus {
  private final Dispatcher<?, ?> dispatcher;
  private final Clock clock;
  private final Instant startedAt;

  public CoordinatorStatus(Dispatcher<?, ?> dispatcher, Clock clock) {
    this.dispatcher = dispatcher;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  /**
   * One worker as status pages show it.
   *
   * @param id worker id
   * @param hostname host name
   * @param cores cores
   * @param memoryBytes memory
   * @param arch architecture
   * @param os operating system
   * @param maxParallel slots
   * @param active running tasks
   * @param completed tasks that returned a result
   * @param failed tasks that did not
   * @param state active or draining
   * @param compilers compilers it serves
   * @param connectedAt when it registered
   * @param lastHeartbeat when it last reported
   */
  public record WorkerView(
      String id,
      String hostname,
      int cores,
      long memoryBytes,
      String arch,
      String os,
      int maxParallel,
      int active,
      long completed,
      long failed,
      String state,
      List<CompilerIdentity> compilers,
      Instant connectedAt,
      Instant lastHeartbeat) {}

  public DispatchStats stats() {
    return dispatcher.stats();
  }

  public Duration uptime() {
    return Duration.between(startedAt, clock.instant());
  }

  public List<WorkerView> workers() {
    return dispatcher.workers(CoordinatorStatus::view);
  }

  private static WorkerView view(WorkerState<?> w) {
    var d = w.descriptor();
    return new WorkerView(
        d.id(),
        d.hostname(),
        d.cores(),
        d.memoryBytes(),
        d.arch(),
        d.os(),
        d.maxParallel(),
        w.active(),
        w.completed(),
        w.failed(),
        w.draining() ? "draining" : "active",
        d.compilers().stream()
            .sorted(java.util.Comparator.comparing(CompilerIdentity::describe))
            .toList(),
        w.connectedAt(),
        w.lastHeartbeat());
  }
}
