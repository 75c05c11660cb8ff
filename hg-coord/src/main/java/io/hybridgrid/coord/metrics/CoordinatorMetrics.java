package io.hybridgrid.coord.metrics;

import io.hybridgrid.common.metrics.MetricNames;
import io.hybridgrid.common.metrics.PrometheusRegistry;
import io.hybridgrid.coord.dispatch.DispatchException;
import io.hybridgrid.coord.dispatch.DispatchListener;
import io.hybridgrid.coord.dispatch.DispatchStats;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The coordinator's Prometheus metrics (Micrometer): it hears the dispatcher ({@link
 * DispatchListener}) and the other code paths ({@link GridMetrics}), and reads the gauges (workers
 * by state, queue depth, per-worker latency and circuit state) from {@link CoordinatorStatus} when
 * scraped. Every meter is registered at start with its zero value, so a scrape shows the full set.
 */
public final class CoordinatorMetrics
    implements GridMetrics, DispatchListener<Object>, AutoCloseable {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(300)
  };
  private static final List<String> WORKER_STATES = List.of("active", "draining");
  private static final List<String> CACHE_TIERS = List.of("memory", "disk", "local");

  private final PrometheusRegistry prometheus = new PrometheusRegistry();
  private final PrometheusMeterRegistry registry = prometheus.registry();
  private final Timer taskDuration;
  private final Timer queueTime;
  private final MultiGauge workersByState;
  private final MultiGauge latency;
  private final MultiGauge circuit;
  private final Counter casUploads;
  private final Counter casUploadBytes;
  private final Counter quarantines;
  private final AtomicReference<LongSupplier> casBlobs = new AtomicReference<>(() -> 0);
  private final AtomicReference<LongSupplier> casBytes = new AtomicReference<>(() -> 0);
  private final AtomicReference<LongSupplier> toolchainsSeen = new AtomicReference<>(() -> 0);
  private final AtomicReference<LongSupplier> toolchainBytes = new AtomicReference<>(() -> 0);
  private final Supplier<List<CoordinatorStatus.WorkerView>> workers;

  /**
   * @param workers the connected workers, read when scraped
   * @param stats the dispatcher's counters, read when scraped (held strongly: Micrometer keeps a
   *     gauge's object weakly, and a lambda nobody else holds would read NaN after a GC)
   */
  public CoordinatorMetrics(
      Supplier<List<CoordinatorStatus.WorkerView>> workers, Supplier<DispatchStats> stats) {
    this.workers = workers;

    for (Placement p : Placement.values()) {
      for (Outcome o : Outcome.values()) {
        tasks(p, o);
      }
    }
    taskDuration =
        Timer.builder(MetricNames.TASK_DURATION)
            .description("Time from assignment to a worker's result")
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
    queueTime =
        Timer.builder(MetricNames.QUEUE_TIME)
            .description("Time a task waited for a worker (per wait)")
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
    for (String tier : CACHE_TIERS) {
      cacheCounter(MetricNames.CACHE_HITS, tier);
      cacheCounter(MetricNames.CACHE_MISSES, tier);
    }
    fallbackCounter("grid_unavailable");
    for (String dir : List.of("in", "out")) {
      for (String peer : List.of("client", "worker")) {
        transferSummary(dir, peer);
      }
    }
    Gauge.builder(MetricNames.ACTIVE_TASKS, stats, s -> s.get().active())
        .description("Tasks running on workers")
        .strongReference(true)
        .register(registry);
    Gauge.builder(MetricNames.QUEUE_DEPTH, stats, s -> s.get().queued())
        .description("Tasks waiting for a worker")
        .strongReference(true)
        .register(registry);
    workersByState =
        MultiGauge.builder(MetricNames.WORKERS)
            .description("Connected workers by state")
            .register(registry);
    latency =
        MultiGauge.builder(MetricNames.WORKER_LATENCY)
            .description("Round-trip time to each worker (moving average)")
            .baseUnit("seconds")
            .register(registry);
    circuit =
        MultiGauge.builder(MetricNames.CIRCUIT_STATE)
            .description("Per-worker circuit breaker: 0 closed, 1 half-open, 2 open")
            .register(registry);
    Gauge.builder(MetricNames.CAS_BLOBS, casBlobs, s -> s.get().getAsLong())
        .description("Blobs in the content-addressed store")
        .strongReference(true)
        .register(registry);
    Gauge.builder(MetricNames.CAS_BYTES, casBytes, s -> s.get().getAsLong())
        .description("Bytes in the content-addressed store")
        .strongReference(true)
        .baseUnit("bytes")
        .register(registry);
    FunctionCounter.builder(MetricNames.TOOLCHAINS, toolchainsSeen, s -> s.get().getAsLong())
        .description("Distinct shipped toolchains seen in actions")
        .register(registry);
    FunctionCounter.builder(
            MetricNames.TOOLCHAIN_UPLOAD_BYTES, toolchainBytes, s -> s.get().getAsLong())
        .description("Bytes of toolchain files new to the coordinator when first shipped")
        .baseUnit("bytes")
        .register(registry);
    casUploads =
        Counter.builder(MetricNames.CAS_UPLOADS)
            .description("Blobs uploaded into the content-addressed store")
            .register(registry);
    casUploadBytes =
        Counter.builder(MetricNames.CAS_UPLOAD_BYTES)
            .description("Bytes uploaded into the content-addressed store")
            .register(registry);
    for (String outcome : VERIFY_OUTCOMES) {
      verificationCounter(outcome);
    }
    quarantines =
        Counter.builder(MetricNames.QUARANTINES)
            .description("Workers quarantined after a verification mismatch")
            .register(registry);
  }

  /** The Prometheus text exposition, with the per-worker gauges read now. */
  public String scrape() {
    refresh();
    return registry.scrape();
  }

  /** The registry (for tests and for binders of other components). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * The value of {@code hybridgrid_circuit_state} for a worker whose breaker (the dispatcher's, per
   * worker, fed by task outcomes) is in {@code state}: 0 closed, 1 half-open, 2 open.
   */
  static int circuitCode(String state) {
    return switch (state) {
      case "OPEN", "FORCED_OPEN" -> 2;
      case "HALF_OPEN" -> 1;
      default -> 0;
    };
  }

  private void refresh() {
    List<CoordinatorStatus.WorkerView> all = workers.get();
    Map<String, Integer> byState = new TreeMap<>();
    WORKER_STATES.forEach(s -> byState.put(s, 0));
    List<MultiGauge.Row<?>> lat = new ArrayList<>();
    List<MultiGauge.Row<?>> cb = new ArrayList<>();
    for (CoordinatorStatus.WorkerView w : all) {
      byState.merge(w.state(), 1, Integer::sum);
      Tags tags = Tags.of("worker", w.id());
      if (w.rttMillis() >= 0) {
        lat.add(MultiGauge.Row.of(tags, w.rttMillis() / 1000));
      }
      cb.add(MultiGauge.Row.of(tags, circuitCode(w.circuitState())));
    }
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    byState.forEach((s, n) -> states.add(MultiGauge.Row.of(Tags.of("state", s), n)));
    workersByState.register(states, true);
    latency.register(lat, true);
    circuit.register(cb, true);
  }

  private Counter tasks(Placement p, Outcome o) {
    return Counter.builder(MetricNames.TASKS)
        .description("Compiles by where they were served and how they ended")
        .tag("placement", p.tag())
        .tag("outcome", o.tag())
        .register(registry);
  }

  private Counter cacheCounter(String name, String tier) {
    return Counter.builder(name)
        .description(
            name.equals(MetricNames.CACHE_HITS) ? "Cache lookups answered" : "Cache lookups missed")
        .tag("tier", tier)
        .register(registry);
  }

  private Counter fallbackCounter(String reason) {
    return Counter.builder(MetricNames.FALLBACKS)
        .description("Compiles clients ran locally because the grid could not serve")
        .tag("reason", reason)
        .register(registry);
  }

  private DistributionSummary transferSummary(String direction, String peer) {
    return DistributionSummary.builder(MetricNames.NETWORK_TRANSFER)
        .description("Sizes of compile messages crossing the network")
        .baseUnit("bytes")
        .tag("direction", direction)
        .tag("peer", peer)
        .register(registry);
  }

  /** The outcome tags of {@code hybridgrid_verifications_total}, all registered at zero. */
  static final List<String> VERIFY_OUTCOMES =
      List.of("match", "mismatch", "undecided", "unverified", "skipped");

  private Counter verificationCounter(String outcome) {
    return Counter.builder(MetricNames.VERIFICATIONS)
        .description("Result verifications by outcome (see docs/security.md)")
        .tag("outcome", outcome)
        .register(registry);
  }

  // --- GridMetrics ---

  @Override
  public void task(Placement placement, Outcome outcome) {
    tasks(placement, outcome).increment();
  }

  @Override
  public void cacheLookup(String tier, boolean hit) {
    cacheCounter(hit ? MetricNames.CACHE_HITS : MetricNames.CACHE_MISSES, tier).increment();
  }

  @Override
  public void fallbacks(String reason, long count) {
    if (count > 0) {
      fallbackCounter(reason).increment(count);
    }
  }

  @Override
  public void transfer(String direction, String peer, long bytes) {
    transferSummary(direction, peer).record(bytes);
  }

  @Override
  public void casStore(LongSupplier blobs, LongSupplier bytes) {
    casBlobs.set(blobs);
    casBytes.set(bytes);
  }

  @Override
  public void toolchains(LongSupplier seen, LongSupplier uploadedBytes) {
    toolchainsSeen.set(seen);
    toolchainBytes.set(uploadedBytes);
  }

  @Override
  public void casUpload(long bytes) {
    casUploads.increment();
    casUploadBytes.increment(bytes);
  }

  @Override
  public void verification(String outcome) {
    if (!VERIFY_OUTCOMES.contains(outcome)) {
      throw new IllegalArgumentException("unknown verification outcome " + outcome);
    }
    verificationCounter(outcome).increment();
  }

  @Override
  public void quarantined(String workerId) {
    quarantines.increment();
  }

  // --- DispatchListener ---

  @Override
  public void assigned(String taskId, Object payload, String workerId, Duration waited) {
    queueTime.record(waited);
  }

  @Override
  public void completed(
      String taskId, String workerId, Duration ran, Duration queued, boolean compileError) {
    taskDuration.record(ran);
    task(Placement.REMOTE, compileError ? Outcome.COMPILE_ERROR : Outcome.SUCCESS);
  }

  @Override
  public void failed(String taskId, DispatchException.Kind kind) {
    task(Placement.REMOTE, Outcome.FAILED);
  }

  @Override
  public void close() {
    prometheus.close();
  }
}
