package io.hybridgrid.common.metrics;

/**
 * The names of Hybrid-Grid's metrics, in Micrometer's dotted form; the Prometheus registry writes
 * them with underscores and its suffixes: a counter {@code hybridgrid.tasks} is scraped as {@code
 * hybridgrid_tasks_total}, a timer {@code hybridgrid.task.duration} as the histogram {@code
 * hybridgrid_task_duration_seconds}. The coordinator and the worker both use these, so a dashboard
 * built on one name works on both.
 */
public final class MetricNames {
  private MetricNames() {}

  /** Counter, tags outcome and placement: {@code hybridgrid_tasks_total}. */
  public static final String TASKS = "hybridgrid.tasks";

  /** Timer (histogram) of the time on a worker: {@code hybridgrid_task_duration_seconds}. */
  public static final String TASK_DURATION = "hybridgrid.task.duration";

  /** Timer (histogram) of the time waiting for a worker: {@code hybridgrid_queue_time_seconds}. */
  public static final String QUEUE_TIME = "hybridgrid.queue.time";

  /** Counter, tag tier: {@code hybridgrid_cache_hits_total}. */
  public static final String CACHE_HITS = "hybridgrid.cache.hits";

  /** Counter, tag tier: {@code hybridgrid_cache_misses_total}. */
  public static final String CACHE_MISSES = "hybridgrid.cache.misses";

  /** Counter, tag reason (clients report them): {@code hybridgrid_fallbacks_total}. */
  public static final String FALLBACKS = "hybridgrid.fallbacks";

  /**
   * Gauge, tag state: {@code hybridgrid_workers}. (The design page says workers_total; Prometheus
   * reserves {@code _total} for counters and its client strips it from a gauge's name.)
   */
  public static final String WORKERS = "hybridgrid.workers";

  /** Gauge: {@code hybridgrid_active_tasks}. */
  public static final String ACTIVE_TASKS = "hybridgrid.active.tasks";

  /** Gauge: {@code hybridgrid_queue_depth}. */
  public static final String QUEUE_DEPTH = "hybridgrid.queue.depth";

  /**
   * Summary of message sizes, tags direction (in/out) and peer (client/worker/coordinator): {@code
   * hybridgrid_network_transfer_bytes_sum} is the byte total.
   */
  public static final String NETWORK_TRANSFER = "hybridgrid.network.transfer";

  /**
   * Gauge per worker, the round-trip average in seconds: {@code hybridgrid_worker_latency_seconds}.
   * (The design page says worker_latency_ms; {@code promtool check metrics} rejects abbreviated
   * units, so it is in seconds like every Prometheus duration.)
   */
  public static final String WORKER_LATENCY = "hybridgrid.worker.latency";

  /**
   * Gauge per worker: 0 closed, 1 half-open, 2 open ({@code hybridgrid_circuit_state}). On the
   * worker, its own breaker; on the coordinator, the breaker it keeps per worker.
   */
  public static final String CIRCUIT_STATE = "hybridgrid.circuit.state";

  /** Gauge: blobs in the content-addressed store: {@code hybridgrid_cas_blobs}. */
  public static final String CAS_BLOBS = "hybridgrid.cas.blobs";

  /** Gauge: bytes in the content-addressed store: {@code hybridgrid_cas_bytes}. */
  public static final String CAS_BYTES = "hybridgrid.cas.bytes";

  /** Counter: blobs uploaded to the CAS: {@code hybridgrid_cas_uploads_total}. */
  public static final String CAS_UPLOADS = "hybridgrid.cas.uploads";

  /** Counter: bytes uploaded to the CAS: {@code hybridgrid_cas_upload_bytes_total}. */
  public static final String CAS_UPLOAD_BYTES = "hybridgrid.cas.upload.bytes";

  /** Counter: distinct shipped toolchains seen: {@code hybridgrid_toolchains_total}. */
  public static final String TOOLCHAINS = "hybridgrid.toolchains";

  /**
   * Counter: bytes of toolchain files new to the coordinator when their toolchain was first seen:
   * {@code hybridgrid_toolchain_upload_bytes_total}.
   */
  public static final String TOOLCHAIN_UPLOAD_BYTES = "hybridgrid.toolchain.upload.bytes";

  /** Counter, tag outcome (match/mismatch): {@code hybridgrid_verifications_total}. */
  public static final String VERIFICATIONS = "hybridgrid.verifications";

  /** Counter: workers quarantined: {@code hybridgrid_quarantines_total}. */
  public static final String QUARANTINES = "hybridgrid.quarantines";

  /** Counter on a worker, tag outcome: {@code hybridgrid_worker_tasks_total}. */
  public static final String WORKER_TASKS = "hybridgrid.worker.tasks";
}
