package io.hybridgrid.coord.status;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.action.ActionCache;
import io.hybridgrid.coord.action.ToolchainLedger;
import io.hybridgrid.coord.cache.CacheStats;
import io.hybridgrid.coord.cache.ResultCache;
import io.hybridgrid.coord.cas.CasStats;
import io.hybridgrid.coord.cas.ContentStore;
import io.hybridgrid.coord.dispatch.DispatchStats;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.events.ConnectivityEvent;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.registry.WorkerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** The read-only view of the coordinator that status RPCs, the HTTP API and the page share. */
public final class CoordinatorStatus {
  /** Events returned when a caller does not say how many. */
  public static final int DEFAULT_EVENT_LIMIT = 100;

  private final Dispatcher<?, ?> dispatcher;
  private final EventLog events;
  private final ResultCache cache;
  private final ContentStore cas;
  private final ActionCache actionCache;
  private final ToolchainLedger toolchains;
  private final Clock clock;
  private final Instant startedAt;

  /** A view without events or cache (both empty). */
  public CoordinatorStatus(Dispatcher<?, ?> dispatcher, Clock clock) {
    this(dispatcher, EventLog.inMemory(1), ResultCache.disabled(), clock);
  }

  public CoordinatorStatus(
      Dispatcher<?, ?> dispatcher, EventLog events, ResultCache cache, Clock clock) {
    this(dispatcher, events, cache, clock, null, null);
  }

  /**
   * @param cas the content store, or null (its counters read 0)
   * @param actionCache the action cache, or null (its counters read 0)
   */
  public CoordinatorStatus(
      Dispatcher<?, ?> dispatcher,
      EventLog events,
      ResultCache cache,
      Clock clock,
      ContentStore cas,
      ActionCache actionCache) {
    this(dispatcher, events, cache, clock, cas, actionCache, null);
  }

  /**
   * As above, with the toolchains seen in actions.
   *
   * @param toolchains the ledger of shipped toolchains, or null (its counters read 0)
   */
  public CoordinatorStatus(
      Dispatcher<?, ?> dispatcher,
      EventLog events,
      ResultCache cache,
      Clock clock,
      ContentStore cas,
      ActionCache actionCache,
      ToolchainLedger toolchains) {
    this.toolchains = toolchains;
    this.dispatcher = dispatcher;
    this.events = events;
    this.cache = cache;
    this.cas = cas;
    this.actionCache = actionCache;
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
   * @param state active, draining or quarantined
   * @param compilers compilers it serves
   * @param connectedAt when it registered
   * @param lastHeartbeat when it last reported
   * @param reportedActive compiles running by its last heartbeat
   * @param freeMemoryBytes memory available by its last heartbeat (0 = unknown)
   * @param loadAverage load average by its last heartbeat (negative = unknown)
   * @param rttMillis round-trip time average, -1 until measured
   * @param taskMillis task time average, -1 until measured
   * @param assigned tasks sent to it since it registered (retries and hedges included)
   * @param circuitState its circuit breaker's state: CLOSED, OPEN or HALF_OPEN
   * @param runsOwnCompilers whether it runs its installed compilers
   * @param acceptsShippedToolchains whether it runs toolchains clients ship
   * @param toolchainsHeld shipped toolchains it said it holds (last heartbeat)
   * @param toolchainDigests shipped toolchains the coordinator saw it run, oldest first
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
      Instant lastHeartbeat,
      int reportedActive,
      long freeMemoryBytes,
      double loadAverage,
      double rttMillis,
      double taskMillis,
      long assigned,
      String circuitState,
      boolean runsOwnCompilers,
      boolean acceptsShippedToolchains,
      int toolchainsHeld,
      List<String> toolchainDigests) {

    /** {@code own}, {@code shipped} or {@code both}: the worker's --toolchains. */
    public String toolchainMode() {
      return runsOwnCompilers && acceptsShippedToolchains
          ? "both"
          : acceptsShippedToolchains ? "shipped" : "own";
    }
  }

  /** Distinct shipped toolchains seen in actions (0 without a ledger). */
  public long toolchainsSeen() {
    return toolchains == null ? 0 : toolchains.toolchains();
  }

  /** Bytes of toolchain files new to this coordinator, summed over toolchains first seen. */
  public long toolchainBytesUploaded() {
    return toolchains == null ? 0 : toolchains.bytes();
  }

  public DispatchStats stats() {
    return dispatcher.stats();
  }

  public CacheStats cacheStats() {
    return cache.stats();
  }

  /** The content store's counters (all 0 without one). */
  public CasStats casStats() {
    return cas == null ? new CasStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) : cas.stats();
  }

  /** The action cache's counters (all 0 without one). */
  public ActionCache.Stats actionCacheStats() {
    return actionCache == null ? new ActionCache.Stats(0, 0, 0, 0) : actionCache.stats();
  }

  public Duration uptime() {
    return Duration.between(startedAt, clock.instant());
  }

  /**
   * Drains the connected worker {@code id} (admin call): no new tasks, running ones finish.
   *
   * @return false when no such worker is connected
   */
  public boolean drain(String id) {
    return dispatcher.drain(id);
  }

  public List<WorkerView> workers() {
    return dispatcher.workers(CoordinatorStatus::view);
  }

  /**
   * The most recent connectivity events, oldest first.
   *
   * @param limit how many; must be at least 1
   */
  public List<ConnectivityEvent> events(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("event limit must be at least 1, not " + limit);
    }
    return events.recent(limit);
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
        w.quarantined() ? "quarantined" : w.draining() ? "draining" : "active",
        d.compilers().stream().sorted(Comparator.comparing(CompilerIdentity::describe)).toList(),
        w.connectedAt(),
        w.lastHeartbeat(),
        w.reportedActive(),
        w.freeMemoryBytes(),
        w.loadAverage(),
        orMinusOne(w.rttMillis()),
        orMinusOne(w.taskMillis()),
        w.assigned(),
        w.circuitState(),
        d.runsOwnCompilers(),
        d.acceptsShippedToolchains(),
        w.toolchainsReported(),
        w.toolchains());
  }

  private static double orMinusOne(double v) {
    return Double.isNaN(v) ? -1 : v;
  }
}
