package io.hybridgrid.coord;

import io.hybridgrid.common.grpc.WireCompression;
import io.hybridgrid.coord.action.ActionLimits;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.cas.CasSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.hybridgrid.coord.tasks.TaskLogSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@code hg-coord serve} is configured with besides its addresses, parsed once in main.
 *
 * @param dispatch queue, retry and timeout limits
 * @param heartbeatInterval the interval workers are told to use
 * @param scheduler the placement policy
 * @param stateDir where connectivity events are kept across restarts; null keeps them in memory
 * @param cache the shared result cache (the action cache's memory and disk tiers)
 * @param cas the content-addressed store; null puts it in a temporary directory deleted on close
 *     (tests)
 * @param actionLimits bounds on one action
 * @param taskLog the optional JSON-lines task log
 * @param security tokens, TLS and the in-flight request budget
 * @param compression how responses to clients and messages to workers are compressed
 */
public record CoordinatorConfig(
    DispatchSettings dispatch,
    Duration heartbeatInterval,
    SchedulerKind scheduler,
    Path stateDir,
    CacheSettings cache,
    CasSettings cas,
    ActionLimits actionLimits,
    TaskLogSettings taskLog,
    CoordinatorSecurity security,
    WireCompression compression) {
  public CoordinatorConfig {
    Objects.requireNonNull(dispatch, "dispatch");
    Objects.requireNonNull(taskLog, "taskLog");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(actionLimits, "actionLimits");
    Objects.requireNonNull(compression, "compression");
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeat interval must be positive");
    }
  }

  /**
   * A configuration with a temporary CAS, the default action limits, no task log, no tokens or TLS,
   * and no compression.
   */
  public CoordinatorConfig(
      DispatchSettings dispatch,
      Duration heartbeatInterval,
      SchedulerKind scheduler,
      Path stateDir,
      CacheSettings cache) {
    this(
        dispatch,
        heartbeatInterval,
        scheduler,
        stateDir,
        cache,
        null,
        ActionLimits.defaults(),
        TaskLogSettings.off(),
        CoordinatorSecurity.open(),
        WireCompression.NONE);
  }

  /** The same with {@code newSecurity}. */
  public CoordinatorConfig withSecurity(CoordinatorSecurity newSecurity) {
    return new CoordinatorConfig(
        dispatch,
        heartbeatInterval,
        scheduler,
        stateDir,
        cache,
        cas,
        actionLimits,
        taskLog,
        newSecurity,
        compression);
  }

  /** P2C, no state directory (events in memory), no result cache: what in-process tests want. */
  public static CoordinatorConfig inMemory(DispatchSettings dispatch, Duration heartbeatInterval) {
    return new CoordinatorConfig(
        dispatch, heartbeatInterval, SchedulerKind.P2C, null, CacheSettings.off());
  }

  /** The same configuration with {@code newCas} and {@code newLimits}. */
  public CoordinatorConfig withCas(CasSettings newCas, ActionLimits newLimits) {
    return new CoordinatorConfig(
        dispatch,
        heartbeatInterval,
        scheduler,
        stateDir,
        cache,
        newCas,
        newLimits,
        taskLog,
        security,
        compression);
  }

  /** The same configuration with {@code newTaskLog}. */
  public CoordinatorConfig withTaskLog(TaskLogSettings newTaskLog) {
    return new CoordinatorConfig(
        dispatch,
        heartbeatInterval,
        scheduler,
        stateDir,
        cache,
        cas,
        actionLimits,
        newTaskLog,
        security,
        compression);
  }

  /** The same configuration with {@code newCompression}. */
  public CoordinatorConfig withCompression(WireCompression newCompression) {
    return new CoordinatorConfig(
        dispatch,
        heartbeatInterval,
        scheduler,
        stateDir,
        cache,
        cas,
        actionLimits,
        taskLog,
        security,
        newCompression);
  }

  /** The file connectivity events are appended to, or null. */
  public Path eventsFile() {
    return stateDir == null ? null : stateDir.resolve("events.jsonl");
  }
}
