package io.hybridgrid.coord;

import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
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
 * @param cache the shared result cache
 * @param security tokens, TLS and the in-flight request budget
 */
public record CoordinatorConfig(
    DispatchSettings dispatch,
    Duration heartbeatInterval,
    SchedulerKind scheduler,
    Path stateDir,
    CacheSettings cache,
    CoordinatorSecurity security) {
  public CoordinatorConfig {
    Objects.requireNonNull(dispatch, "dispatch");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(cache, "cache");
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeat interval must be positive");
    }
  }

  /** Without tokens or TLS. */
  public CoordinatorConfig(
      DispatchSettings dispatch,
      Duration heartbeatInterval,
      SchedulerKind scheduler,
      Path stateDir,
      CacheSettings cache) {
    this(dispatch, heartbeatInterval, scheduler, stateDir, cache, CoordinatorSecurity.open());
  }

  /** The same with {@code security}. */
  public CoordinatorConfig withSecurity(CoordinatorSecurity security) {
    return new CoordinatorConfig(dispatch, heartbeatInterval, scheduler, stateDir, cache, security);
  }

  /** P2C, no state directory (events in memory), no result cache: what in-process tests want. */
  public static CoordinatorConfig inMemory(DispatchSettings dispatch, Duration heartbeatInterval) {
    return new CoordinatorConfig(
        dispatch, heartbeatInterval, SchedulerKind.P2C, null, CacheSettings.off());
  }

  /** The file connectivity events are appended to, or null. */
  public Path eventsFile() {
    return stateDir == null ? null : stateDir.resolve("events.jsonl");
  }
}
