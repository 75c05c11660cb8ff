package io.hybridgrid.coord.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hybridgrid.coord.action.ActionCache;
import io.hybridgrid.coord.cache.CacheStats;
import io.hybridgrid.coord.cas.CasStats;
import io.hybridgrid.coord.dispatch.DispatchStats;
import io.hybridgrid.coord.events.ConnectivityEvent;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.hybridgrid.coord.tasks.BuildSummary;
import io.hybridgrid.coord.tasks.TaskFeed;
import io.hybridgrid.coord.tasks.TaskLog;
import io.hybridgrid.coord.tasks.TaskRecord;
import io.hybridgrid.coord.verify.Quarantines;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The coordinator's HTTP routes, independent of the server: each returns a status, content type and
 * body. {@code /api/v1/stream} (server-sent events) is served by {@link HttpServer}, which pushes
 * {@link #snapshot(long)} to each subscriber.
 */
public final class HttpApi {
  /** The page's files, by path: served from the dashboard jar. */
  private static final Map<String, String[]> ASSETS =
      Map.of(
          "/", new String[] {"/io/hybridgrid/dashboard/index.html", "text/html; charset=utf-8"},
          "/index.html",
              new String[] {"/io/hybridgrid/dashboard/index.html", "text/html; charset=utf-8"},
          "/app.js",
              new String[] {"/io/hybridgrid/dashboard/app.js", "text/javascript; charset=utf-8"},
          "/app.css", new String[] {"/io/hybridgrid/dashboard/app.css", "text/css; charset=utf-8"},
          "/vendor/uplot.min.js",
              new String[] {
                "/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
                "text/javascript; charset=utf-8"
              },
          "/vendor/uplot.min.css",
              new String[] {
                "/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css",
                "text/css; charset=utf-8"
              });

  /** Finished tasks one snapshot carries at most. */
  static final int SNAPSHOT_TASKS = 200;

  private final CoordinatorStatus status;
  private final TaskFeed<?> feed;
  private final Supplier<String> metrics;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Response> assets = new java.util.HashMap<>();
  private final Quarantines quarantines;

  /**
   * A response.
   *
   * @param status HTTP status code
   * @param contentType media type
   * @param body bytes
   */
  public record Response(int status, String contentType, byte[] body) {
    static Response text(int status, String text) {
      return new Response(
          status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Status routes only: no task feed, no metrics. */
  public HttpApi(CoordinatorStatus status) {
    this(status, new TaskFeed<Object>(p -> "", Clock.systemUTC(), null), null, Clock.systemUTC());
  }

  /**
   * @param status the coordinator's state
   * @param feed finished and running tasks, builds
   * @param metrics the Prometheus exposition, or null for no {@code /metrics}
   * @param clock the time snapshots carry
   */
  public HttpApi(
      CoordinatorStatus status, TaskFeed<?> feed, Supplier<String> metrics, Clock clock) {
    this(status, feed, metrics, clock, null);
  }

  /**
   * @param quarantines the quarantine list and its admin calls, or null for none
   */
  public HttpApi(
      CoordinatorStatus status,
      TaskFeed<?> feed,
      Supplier<String> metrics,
      Clock clock,
      Quarantines quarantines) {
    this.quarantines = quarantines;
    this.status = status;
    this.feed = feed;
    this.metrics = metrics;
    this.clock = clock;
    ASSETS.forEach(
        (path, res) -> {
          byte[] body = resource(res[0]);
          if (body != null) {
            assets.put(path, new Response(200, res[1], body));
          }
        });
  }

  /**
   * Answers a request for {@code path} with method {@code method}. Who may call is checked before,
   * by {@link HttpAccess}: the one state-changing call here ({@code POST /api/v1/workers/ID/drain})
   * needs an {@code admin} token, or, on a coordinator without tokens, a loopback peer.
   */
  public Response handle(String method, String path) {
    int q = path.indexOf('?');
    String p = q >= 0 ? path.substring(0, q) : path;
    String query = q >= 0 ? path.substring(q + 1) : "";
    if (method.equals("POST") && p.startsWith("/api/v1/workers/") && p.endsWith("/drain")) {
      return drain(p);
    }
    if (method.equals("POST") && p.startsWith("/api/v1/admin/")) {
      return admin(p.substring("/api/v1/admin/".length()), query);
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return Response.text(405, "method " + method + " not allowed\n");
    }
    return switch (p) {
      case "/health" -> Response.text(200, "ok\n");
      case "/metrics" ->
          metrics == null
              ? Response.text(404, "metrics are off\n")
              : new Response(
                  200,
                  "text/plain; version=0.0.4; charset=utf-8",
                  metrics.get().getBytes(StandardCharsets.UTF_8));
      case "/api/v1/stats" -> jsonResponse(stats());
      case "/api/v1/workers" -> jsonResponse(workers());
      case "/api/v1/events" -> events(query);
      case "/api/v1/tasks" -> tasks(query);
      case "/api/v1/tasks/running" -> jsonResponse(running());
      case "/api/v1/builds" -> jsonResponse(builds(50));
      case "/api/v1/snapshot" -> jsonResponse(snapshot(0));
      case "/api/v1/quarantine" -> jsonResponse(quarantine());
      default -> {
        Response asset = assets.get(p);
        if (asset != null) {
          yield asset;
        }
        yield p.equals("/") || p.equals("/index.html")
            ? Response.text(404, "dashboard not packaged\n")
            : Response.text(404, "no such path: " + p + "\n");
      }
    };
  }

  /**
   * {@code POST /api/v1/admin/{quarantine,release,purge}?worker=ID} (the HTTP server lets only
   * admins, or loopback without tokens, reach a POST): quarantine a worker by hand (and purge what
   * it wrote), lift a quarantine, or purge its shared cache entries.
   */
  private Response admin(String action, String query) {
    if (quarantines == null) {
      return Response.text(404, "no admin calls on this server\n");
    }
    String worker = param(query, "worker");
    if (worker == null || worker.isEmpty() || worker.length() > 256) {
      return Response.text(400, "name the worker: POST /api/v1/admin/" + action + "?worker=ID\n");
    }
    worker = java.net.URLDecoder.decode(worker, StandardCharsets.UTF_8);
    ObjectNode o = json.createObjectNode();
    o.put("worker", worker);
    switch (action) {
      case "quarantine" ->
          o.put("purged", quarantines.quarantine(worker, "quarantined by an admin"));
      case "release" -> {
        if (!quarantines.release(worker)) {
          return Response.text(404, "worker '" + worker + "' is not quarantined\n");
        }
        o.put("released", true);
      }
      case "purge" -> o.put("purged", quarantines.purge(worker));
      default -> {
        return Response.text(
            404, "no admin call '" + action + "' (there are quarantine, release, purge)\n");
      }
    }
    return jsonResponse(o);
  }

  /** {@code /api/v1/quarantine}: quarantined workers (connected or not) and why. */
  private ArrayNode quarantine() {
    ArrayNode arr = json.createArrayNode();
    if (quarantines != null) {
      quarantines.list().forEach((id, why) -> arr.addObject().put("worker", id).put("reason", why));
    }
    return arr;
  }

  /**
   * Everything the dashboard shows, with the finished tasks numbered above {@code afterSeq} (at
   * most {@value #SNAPSHOT_TASKS}); {@code seq} in the answer is where the next one continues.
   */
  public ObjectNode snapshot(long afterSeq) {
    ObjectNode o = json.createObjectNode();
    o.put("time", clock.instant().toString());
    o.set("stats", stats());
    o.set("workers", workers());
    o.set("running", running());
    ArrayNode events = o.putArray("events");
    for (ConnectivityEvent e : status.events(30)) {
      events.add(event(e));
    }
    ArrayNode tasks = o.putArray("tasks");
    long seq = afterSeq;
    for (TaskFeed.Numbered n : feed.since(afterSeq, SNAPSHOT_TASKS)) {
      ObjectNode t = task(n.task());
      t.put("seq", n.seq());
      tasks.add(t);
      seq = n.seq();
    }
    o.put("seq", Math.max(seq, afterSeq));
    o.set("builds", builds(10));
    return o;
  }

  /** The bytes of one server-sent event carrying {@code node}. */
  byte[] sseEvent(Object node) {
    try {
      return ("data: " + json.writeValueAsString(node) + "\n\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code POST /api/v1/workers/ID/drain}: the worker takes no new tasks; running ones finish. */
  private Response drain(String p) {
    String prefix = "/api/v1/workers/";
    String suffix = "/drain";
    if (p.length() <= prefix.length() + suffix.length()) {
      return Response.text(404, "no worker id in POST " + p + "\n");
    }
    String id =
        java.net.URLDecoder.decode(
            p.substring(prefix.length(), p.length() - suffix.length()), StandardCharsets.UTF_8);
    if (!status.drain(id)) {
      return Response.text(404, "no connected worker with id '" + id + "'\n");
    }
    return Response.text(200, "draining " + id + "\n");
  }

  private ObjectNode stats() {
    DispatchStats s = status.stats();
    ObjectNode o = json.createObjectNode();
    o.put("workers", s.workers());
    o.put("tasks_completed", s.tasksCompleted());
    o.put("tasks_failed", s.tasksFailed());
    o.put("tasks_queued", s.queued());
    o.put("active_tasks", s.active());
    o.put("compile_errors", s.compileErrors());
    o.put("tasks_retried", s.tasksRetried());
    o.put("tasks_hedged", s.tasksHedged());
    o.put("hedges_won", s.hedgesWon());
    o.put("tasks_cancelled", s.tasksCancelled());
    o.put("uptime_seconds", status.uptime().toSeconds());
    CacheStats c = status.cacheStats();
    o.put("cache_enabled", c.enabled());
    o.put("cache_hits", c.hits());
    o.put("cache_misses", c.misses());
    o.put("cache_disk_hits", c.diskHits());
    o.put("cache_stores", c.stores());
    o.put("cache_memory_entries", c.memoryEntries());
    o.put("cache_memory_bytes", c.memoryBytes());
    o.put("cache_disk_entries", c.diskEntries());
    o.put("cache_disk_bytes", c.diskBytes());
    o.put("cache_corrupt", c.corrupt());
    CasStats cas = status.casStats();
    o.put("cas_uploaded_blobs", cas.uploadedBlobs());
    o.put("cas_uploaded_bytes", cas.uploadedBytes());
    o.put("toolchains_seen", status.toolchainsSeen());
    o.put("toolchain_bytes_uploaded", status.toolchainBytesUploaded());
    o.put("cas_stored_blobs", cas.storedBlobs());
    o.put("cas_stored_bytes", cas.storedBytes());
    o.put("cas_refused_uploads", cas.refusedUploads());
    o.put("cas_read_blobs", cas.readBlobs());
    o.put("cas_read_bytes", cas.readBytes());
    o.put("cas_find_missing_hits", cas.findMissingHits());
    o.put("cas_find_missing_misses", cas.findMissingMisses());
    o.put("cas_held_blobs", cas.heldBlobs());
    o.put("cas_held_bytes", cas.heldBytes());
    o.put("cas_memory_bytes", cas.memoryBytes());
    o.put("cas_evicted_blobs", cas.evictedBlobs());
    ActionCache.Stats ac = status.actionCacheStats();
    o.put("action_cache_hits", ac.hits());
    o.put("action_cache_misses", ac.misses());
    o.put("action_cache_stale", ac.stale());
    o.put("action_cache_stores", ac.stores());
    o.put("workers_quarantined", quarantines == null ? 0 : quarantines.list().size());
    o.put("task_seq", feed.lastSeq());
    return o;
  }

  /** {@code /api/v1/events?limit=N}: the last N connectivity events, oldest first. */
  private Response events(String query) {
    int limit = CoordinatorStatus.DEFAULT_EVENT_LIMIT;
    String v = param(query, "limit");
    if (v != null) {
      limit = positive(v);
      if (limit < 1) {
        return Response.text(400, "limit must be a positive number, not '" + v + "'\n");
      }
    }
    ArrayNode arr = json.createArrayNode();
    for (ConnectivityEvent e : status.events(limit)) {
      arr.add(event(e));
    }
    return jsonResponse(arr);
  }

  /** {@code /api/v1/tasks?after=SEQ&limit=N}: finished tasks, oldest first. */
  private Response tasks(String query) {
    int limit = 100;
    long after = 0;
    String l = param(query, "limit");
    if (l != null) {
      limit = positive(l);
      if (limit < 1) {
        return Response.text(400, "limit must be a positive number, not '" + l + "'\n");
      }
    }
    String a = param(query, "after");
    if (a != null) {
      try {
        after = Long.parseLong(a);
      } catch (NumberFormatException e) {
        return Response.text(400, "after must be a task number, not '" + a + "'\n");
      }
    }
    ArrayNode arr = json.createArrayNode();
    for (TaskFeed.Numbered n : feed.since(after, Math.min(limit, TaskFeed.RECENT))) {
      arr.add(task(n.task()).put("seq", n.seq()));
    }
    return jsonResponse(arr);
  }

  private static String param(String query, String name) {
    for (String param : query.split("&")) {
      if (param.startsWith(name + "=")) {
        return param.substring(name.length() + 1);
      }
    }
    return null;
  }

  private static int positive(String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private ObjectNode event(ConnectivityEvent e) {
    ObjectNode o = json.createObjectNode();
    o.put("time", e.time().toString());
    o.put("type", e.type().wireName());
    o.put("worker", e.workerId());
    o.put("host", e.hostname());
    o.put("reason", e.reason());
    return o;
  }

  private ObjectNode task(TaskRecord t) {
    return TaskLog.toJson(json, t);
  }

  private ArrayNode running() {
    ArrayNode arr = json.createArrayNode();
    for (TaskFeed.Running r : feed.running()) {
      ObjectNode o = arr.addObject();
      o.put("task", r.taskId());
      o.put("file", r.file());
      o.put("worker", r.worker());
      o.put("started", r.started().toString());
    }
    return arr;
  }

  private ArrayNode builds(int limit) {
    ArrayNode arr = json.createArrayNode();
    for (BuildSummary b : feed.builds(limit)) {
      ObjectNode o = arr.addObject();
      o.put("build", b.buildId());
      o.put("client", b.client());
      o.put("started", b.started().toString());
      o.put("finished", b.finished().toString());
      o.put("tasks", b.tasks());
      o.put("remote", b.remote());
      o.put("cached", b.cached());
      o.put("local_cache", b.localCache());
      o.put("local", b.local());
      o.put("fallback", b.fallback());
      o.put("failed", b.failed());
    }
    return arr;
  }

  private ArrayNode workers() {
    ArrayNode arr = json.createArrayNode();
    for (CoordinatorStatus.WorkerView w : status.workers()) {
      ObjectNode o = arr.addObject();
      o.put("id", w.id());
      o.put("hostname", w.hostname());
      o.put("cores", w.cores());
      o.put("memory_bytes", w.memoryBytes());
      o.put("arch", w.arch());
      o.put("os", w.os());
      o.put("max_parallel", w.maxParallel());
      o.put("active_tasks", w.active());
      o.put("tasks_completed", w.completed());
      o.put("tasks_failed", w.failed());
      o.put("tasks_assigned", w.assigned());
      o.put("state", w.state());
      o.put("circuit_state", w.circuitState());
      ArrayNode compilers = o.putArray("compilers");
      w.compilers().forEach(c -> compilers.add(c.describe()));
      o.put("connected_at", w.connectedAt().toString());
      o.put("last_heartbeat", w.lastHeartbeat().toString());
      o.put("reported_active_tasks", w.reportedActive());
      o.put("free_memory_bytes", w.freeMemoryBytes());
      o.put("load_average", w.loadAverage());
      o.put("rtt_ms", w.rttMillis());
      o.put("task_ms", w.taskMillis());
      o.put("toolchains", w.toolchainMode());
      o.put("toolchains_held", w.toolchainsHeld());
      ArrayNode digests = o.putArray("toolchain_digests");
      w.toolchainDigests().forEach(digests::add);
    }
    return arr;
  }

  private Response jsonResponse(Object node) {
    try {
      return new Response(200, "application/json", json.writeValueAsBytes(node));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = HttpApi.class.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      return null;
    }
  }
}
