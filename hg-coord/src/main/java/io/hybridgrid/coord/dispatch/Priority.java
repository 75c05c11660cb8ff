package io.hybridgrid.coord.dispatch;

/**
 * Queue classes: interactive tasks are always placed before batch tasks, and both before {@link
 * #VERIFY}.
 */
public enum Priority {
  INTERACTIVE,
  BATCH,
  /**
   * The coordinator's own re-runs of results to verify them (coord/verify): placed only when no
   * client task waits, and not counted against the client queue's capacity (the verifier bounds
   * them itself).
   */
  VERIFY
}
