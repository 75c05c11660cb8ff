package io.hybridgrid.coord.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hybridgrid.coord.cache.CacheStats;
import io.hybridgrid.coord.dispatch.DispatchStats;
import io.hybridgrid.coord.events.ConnectivityEvent;
import io.hybridgrid.coord.status.CoordinatorStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The coordinator's HTTP routes, independent of the server: each returns a status, content type and
 * body.
 */
public final class HttpApi {
  private final CoordinatorStatus status;
  private final ObjectMapper json = new ObjectMapper();
  private final byte[] dashboard;

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

  public HttpApi(CoordinatorStatus status) {
    this.status = status;
    this.dashboard = resource("/io/hybridgrid/dashboard/index.html");
  }

  /** Answers a request for {@code path} with method {@code method}, from a remote peer. */
  public Response handle(String method, String path) {
    return handle(method, path, false);
  }

  /**
   * Answers a request for {@code path} with method {@code method}. Admin calls ({@code POST
   * /api/v1/workers/ID/drain}) are accepted only from {@code loopback} peers: there are no tokens
   * on HTTP yet, so they are an operator's tool on the coordinator's own machine.
   */
  public Response handle(String method, String path, boolean loopback) {
    int q = path.indexOf('?');
    String p = q >= 0 ? path.substring(0, q) : path;
    String query = q >= 0 ? path.substring(q + 1) : "";
    if (method.equals("POST") && p.startsWith("/api/v1/workers/") && p.endsWith("/drain")) {
      return admin(p, loopback);
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return Response.text(405, "method " + method + " not allowed\n");
    }
    return switch (p) {
      case "/health" -> Response.text(200, "ok\n");
      case "/api/v1/stats" -> jsonResponse(stats());
      case "/api/v1/workers" -> jsonResponse(workers());
      case "/api/v1/events" -> events(query);
      case "/", "/index.html" ->
          dashboard == null
              ? Response.text(404, "dashboard not packaged\n")
              : new Response(200, "text/html; charset=utf-8", dashboard);
      default -> Response.text(404, "no such path: " + p + "\n");
    };
  }

  private Response admin(String p, boolean loopback) {
    String prefix = "/api/v1/workers/";
    String suffix = "/drain";
    if (p.length() <= prefix.length() + suffix.length()) {
      return Response.text(404, "no worker id in POST " + p + "\n");
    }
    if (!loopback) {
      return Response.text(
          403, "admin calls are accepted only from the coordinator's own machine (loopback)\n");
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
    return o;
  }

  /** {@code /api/v1/events?limit=N}: the last N connectivity events, oldest first. */
  private Response events(String query) {
    int limit = CoordinatorStatus.DEFAULT_EVENT_LIMIT;
    for (String param : query.split("&")) {
      if (param.startsWith("limit=")) {
        String v = param.substring("limit=".length());
        try {
          limit = Integer.parseInt(v);
        } catch (NumberFormatException e) {
          limit = 0;
        }
        if (limit < 1) {
          return Response.text(400, "limit must be a positive number, not '" + v + "'\n");
        }
      }
    }
    ArrayNode arr = json.createArrayNode();
    for (ConnectivityEvent e : status.events(limit)) {
      ObjectNode o = arr.addObject();
      o.put("time", e.time().toString());
      o.put("type", e.type().wireName());
      o.put("worker", e.workerId());
      o.put("host", e.hostname());
      o.put("reason", e.reason());
    }
    return jsonResponse(arr);
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
