package io.hybridgrid.coord.registry;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.scheduler.MachineArch;
import io.hybridgrid.coord.scheduler.WorkerSnapshot;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's live view of one connected worker. Mutated only under the dispatcher's lock.
 *
 * <p>Two moving averages feed the scheduler: task time (from assignment to result, as the
 * coordinator sees it, so transfer time counts) with {@link #TASK_TIME_ALPHA}, and round-trip time
 * of the session's ping/pong with {@link #RTT_ALPHA}.
 *
 * @param <P> the task payload type
 */
public final class WorkerState<P> {
  /**
   * Weight of a new task-time sample: 0.2, so the last ~10 tasks dominate (a compile's time varies
   * a lot with the unit, so a single long one must not swing the average).
   */
  public static final double TASK_TIME_ALPHA = 0.2;

  /** Weight of a new RTT sample: 0.3, one every heartbeat, so a changed network shows in ~3. */
  public static final double RTT_ALPHA = 0.3;

  private final WorkerDescriptor descriptor;
  private final TaskSink<P> sink;
  private final Instant connectedAt;
  private final String arch;
  private final Ewma taskMillis = new Ewma(TASK_TIME_ALPHA);
  private final Ewma rttMillis = new Ewma(RTT_ALPHA);
  private final SentInputs sentInputs = new SentInputs(SentInputs.DEFAULT_CAPACITY);
  // Task time per compiler identity: the hedging deadline compares a task with similar ones.
  private final Map<CompilerIdentity, Ewma> taskMillisByCompiler = new HashMap<>();

  private int active;
  private long assigned;
  private double failureShare;
  private String circuitState = "CLOSED";
  private long completed;
  private long failed;
  private boolean draining;
  private boolean quarantined;
  private volatile Instant lastHeartbeat;
  private double loadAverage = -1;
  private long freeMemoryBytes;
  private int reportedActive;
  private int toolchainsReported;
  // Shipped toolchains seen to run here, oldest first; bounded like the worker's store.
  private final LinkedHashSet<String> toolchains = new LinkedHashSet<>();
  private WorkerSnapshot snapshot; // cached until the next change; null = stale

  private final String owner;

  public WorkerState(WorkerDescriptor descriptor, TaskSink<P> sink, Instant connectedAt) {
    this(descriptor, sink, connectedAt, null);
  }

  /**
   * @param owner the authenticated identity whose session this is, or null when tokens are off
   */
  public WorkerState(
      WorkerDescriptor descriptor, TaskSink<P> sink, Instant connectedAt, String owner) {
    this.owner = owner;
    this.descriptor = descriptor;
    this.sink = sink;
    this.connectedAt = connectedAt;
    this.lastHeartbeat = connectedAt;
    this.arch = MachineArch.normalize(descriptor.arch());
  }

  /** The authenticated identity that registered this worker, or null when tokens are off. */
  public String owner() {
    return owner;
  }

  public WorkerDescriptor descriptor() {
    return descriptor;
  }

  public String id() {
    return descriptor.id();
  }

  public TaskSink<P> sink() {
    return sink;
  }

  public Instant connectedAt() {
    return connectedAt;
  }

  public int active() {
    return active;
  }

  public int freeSlots() {
    return Math.max(0, descriptor.maxParallel() - active);
  }

  public long completed() {
    return completed;
  }

  public long failed() {
    return failed;
  }

  public boolean draining() {
    return draining;
  }

  public Instant lastHeartbeat() {
    return lastHeartbeat;
  }

  public double loadAverage() {
    return loadAverage;
  }

  /** Memory available to new compiles from the last heartbeat; 0 = unknown. */
  public long freeMemoryBytes() {
    return freeMemoryBytes;
  }

  /** Compiles the worker said were running at its last heartbeat. */
  public int reportedActive() {
    return reportedActive;
  }

  /** Moving average of task time in milliseconds; NaN before the first result. */
  public double taskMillis() {
    return taskMillis.value();
  }

  /** Moving average of round-trip time in milliseconds; NaN before the first pong. */
  public double rttMillis() {
    return rttMillis.value();
  }

  /** What the coordinator has sent this worker (its CAS likely holds these blobs). */
  public SentInputs sentInputs() {
    return sentInputs;
  }

  /** Tasks sent to this worker since it registered (hedges and retries included). */
  public long assigned() {
    return assigned;
  }

  /** Its circuit breaker's state (CLOSED, OPEN, HALF_OPEN), as the dispatcher last set it. */
  public String circuitState() {
    return circuitState;
  }

  /** Share of its recent outcomes that were failures, as its breaker last counted them. */
  public double failureShare() {
    return failureShare;
  }

  /** The dispatcher's latest reading of this worker's breaker. */
  public void health(String circuitState, double failureShare) {
    if (!circuitState.equals(this.circuitState) || failureShare != this.failureShare) {
      this.circuitState = circuitState;
      this.failureShare = failureShare;
      snapshot = null;
    }
  }

  /** A task was sent to this worker. */
  public void taskStarted() {
    active++;
    assigned++;
    snapshot = null;
  }

  /** A task sent here was taken back (cancelled or won elsewhere): neither success nor failure. */
  public void taskWithdrawn() {
    active = Math.max(0, active - 1);
    snapshot = null;
  }

  /** A task sent to this worker ended; {@code success} when it returned a compiler result. */
  public void taskEnded(boolean success) {
    active = Math.max(0, active - 1);
    snapshot = null;
    if (success) {
      completed++;
    } else {
      failed++;
    }
  }

  /** A result arrived {@code millis} after the task was sent. */
  public void taskTime(double millis) {
    taskMillis.add(millis);
    snapshot = null;
  }

  /** A result for a task needing {@code compiler} arrived {@code millis} after it was sent. */
  public void taskTime(CompilerIdentity compiler, double millis) {
    taskTime(millis);
    taskMillisByCompiler.computeIfAbsent(compiler, c -> new Ewma(TASK_TIME_ALPHA)).add(millis);
  }

  /**
   * Moving average of task time for tasks needing {@code compiler}, else of all its tasks; NaN
   * before the first result.
   */
  public double taskMillis(CompilerIdentity compiler) {
    Ewma e = taskMillisByCompiler.get(compiler);
    return e != null ? e.value() : taskMillis.value();
  }

  /** A pong arrived {@code millis} after its ping was sent. */
  public void roundTrip(double millis) {
    rttMillis.add(millis);
    snapshot = null;
  }

  /** The worker asked for no more tasks. */
  public void setDraining() {
    draining = true;
    snapshot = null;
  }

  /** Whether it is quarantined (a result of it failed verification): it gets no tasks. */
  public boolean quarantined() {
    return quarantined;
  }

  /** Quarantines it, or lifts its quarantine. */
  public void setQuarantined(boolean value) {
    quarantined = value;
    snapshot = null;
  }

  /** Records a heartbeat and the live load it reports. */
  public void heartbeat(Instant at, WorkerLoad load) {
    lastHeartbeat = at;
    loadAverage = load.loadAverage();
    freeMemoryBytes = Math.max(0, load.freeMemoryBytes());
    reportedActive = Math.max(0, load.activeTasks());
    toolchainsReported = Math.max(0, load.toolchainsHeld());
    snapshot = null;
  }

  /** Most shipped toolchains remembered per worker. */
  public static final int MAX_TOOLCHAINS = 64;

  /** A shipped toolchain ran on this worker: its store now holds the files. */
  public void toolchainRan(String digest) {
    if (digest.isEmpty()) {
      return;
    }
    toolchains.remove(digest);
    toolchains.add(digest);
    if (toolchains.size() > MAX_TOOLCHAINS) {
      Iterator<String> oldest = toolchains.iterator();
      oldest.next();
      oldest.remove();
    }
    snapshot = null;
  }

  /** Digests of shipped toolchains seen to run here, oldest first. */
  public List<String> toolchains() {
    return List.copyOf(toolchains);
  }

  /** Shipped toolchains the worker said it holds in its last heartbeat. */
  public int toolchainsReported() {
    return toolchainsReported;
  }

  /** The scheduler's view of this worker now (the same object until the worker changes). */
  public WorkerSnapshot snapshot() {
    if (snapshot == null) {
      snapshot = newSnapshot();
    }
    return snapshot;
  }

  private WorkerSnapshot newSnapshot() {
    return new WorkerSnapshot(
        descriptor.id(),
        descriptor.compilers(),
        arch,
        descriptor.cores(),
        descriptor.maxParallel(),
        active,
        draining || quarantined, // either way it takes no new tasks
        freeMemoryBytes,
        taskMillis.value(),
        rttMillis.value(),
        sentInputs,
        failureShare,
        descriptor.runsOwnCompilers(),
        descriptor.acceptsShippedToolchains(),
        Set.copyOf(toolchains));
  }
}
