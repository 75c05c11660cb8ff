package io.hybridgrid.coord.registry;

/**
 * The live load a worker reports in a heartbeat.
 *
 * @param activeTasks compiles running on it
 * @param loadAverage its one-minute load average (negative when unknown)
 * @param freeMemoryBytes memory available to new compiles; 0 = unknown
 * @param toolchainsHeld shipped toolchains it says its store holds
 */
public record WorkerLoad(
    int activeTasks, double loadAverage, long freeMemoryBytes, int toolchainsHeld) {
  /** Nothing reported. */
  public static final WorkerLoad UNKNOWN = new WorkerLoad(0, -1, 0, 0);

  /** A report without toolchain counts. */
  public WorkerLoad(int activeTasks, double loadAverage, long freeMemoryBytes) {
    this(activeTasks, loadAverage, freeMemoryBytes, 0);
  }
}
