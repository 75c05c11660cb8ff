package io.hybridgrid.coord.verify;

import io.hybridgrid.coord.action.ActionCache;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.metrics.GridMetrics;
import java.util.Map;

/**
 * The admin's side of quarantine ({@code /api/v1/quarantine}, {@code /api/v1/admin/...}): list,
 * quarantine by hand, lift, and purge a worker's shared cache entries.
 */
public final class Quarantines {
  private final Dispatcher<?, ?> dispatcher;
  private final ActionCache cache;
  private final VerifyGrid grid;
  private final GridMetrics metrics;

  public Quarantines(
      Dispatcher<?, ?> dispatcher, ActionCache cache, VerifyGrid grid, GridMetrics metrics) {
    this.dispatcher = dispatcher;
    this.cache = cache;
    this.grid = grid;
    this.metrics = metrics;
  }

  /** Quarantined worker ids and why, oldest first. */
  public Map<String, String> list() {
    return dispatcher.quarantined();
  }

  /**
   * Quarantines {@code workerId} and purges what it wrote.
   *
   * @return entries purged
   */
  public int quarantine(String workerId, String reason) {
    if (grid.quarantine(workerId, reason)) {
      metrics.quarantined(workerId);
    }
    return purge(workerId);
  }

  /** Lifts the quarantine of {@code workerId}; false when it was not quarantined. */
  public boolean release(String workerId) {
    return dispatcher.release(workerId, "quarantine lifted by an admin");
  }

  /**
   * Removes every shared cache entry {@code workerId} wrote (that this coordinator indexed).
   *
   * @return entries purged
   */
  public int purge(String workerId) {
    int n = cache.purge(workerId);
    grid.event(workerId, "purged " + n + " shared cache entries it wrote");
    return n;
  }
}
