package io.hybridgrid.coord.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.util.concurrent.MoreExecutors;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.cache.CachedResult;
import io.hybridgrid.coord.cache.TieredResultCache;
import io.hybridgrid.coord.dispatch.Completed;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.registry.WorkerLoad;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.hybridgrid.coord.testing.FirstCandidate;
import io.hybridgrid.coord.testing.MutableClock;
import io.hybridgrid.coord.testing.RecordingSink;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpApiTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);
  private static final CompilerIdentity GXX =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", true);
  private static final CompilerIdentity CLANG =
      new CompilerIdentity("clang", "14.0.6", "x86_64-linux-gnu", false);
  private static final Instant START = Instant.parse("2024-05-01T10:00:00Z");

  private final ObjectMapper json = new ObjectMapper();
  private final MutableClock clock = new MutableClock(START);
  private final Dispatcher<String, Integer> dispatcher =
      new Dispatcher<>(
          DispatchSettings.defaults().withWorkerWait(Duration.ZERO),
          new FirstCandidate(),
          clock,
          r -> r != 0);
  private final HttpApi api = new HttpApi(new CoordinatorStatus(dispatcher, clock));

  private RecordingSink register(String id, int slots, CompilerIdentity... compilers) {
    RecordingSink sink = new RecordingSink();
    dispatcher.register(
        new WorkerDescriptor(
            id, id + ".lan", 8, 16L << 30, "amd64", "linux", Set.of(compilers), slots, "0.1.0"),
        sink);
    return sink;
  }

  private static String text(HttpApi.Response r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  private JsonNode getJson(String path) throws Exception {
    HttpApi.Response r = api.handle("GET", path);
    assertEquals(200, r.status(), () -> text(r));
    assertEquals("application/json", r.contentType());
    return json.readTree(r.body());
  }

  @Test
  void healthIsOk() {
    HttpApi.Response r = api.handle("GET", "/health");

    assertEquals(200, r.status());
    assertEquals("text/plain; charset=utf-8", r.contentType());
    assertEquals("ok\n", text(r));
  }

  @Test
  void statsReportsTheDispatcherCounters() throws Exception {
    RecordingSink w1 = register("w1", 1, GCC);
    CompletableFuture<Completed<Integer>> done = dispatcher.submit(GCC, Priority.BATCH, "a");
    dispatcher.result("w1", w1.last().taskId(), 0);
    assertTrue(done.isDone());
    var failed = dispatcher.submit(CLANG, Priority.INTERACTIVE, "no clang worker");
    var running = dispatcher.submit(GCC, Priority.INTERACTIVE, "b");
    var waiting = dispatcher.submit(GCC, Priority.INTERACTIVE, "c");
    clock.advance(Duration.ofSeconds(42));

    JsonNode s = getJson("/api/v1/stats");

    assertEquals(1, s.get("workers").asInt());
    assertEquals(1, s.get("tasks_completed").asLong());
    assertEquals(1, s.get("tasks_failed").asLong());
    assertEquals(1, s.get("tasks_queued").asInt());
    assertEquals(1, s.get("active_tasks").asInt());
    assertEquals(0, s.get("compile_errors").asLong());
    assertEquals(0, s.get("tasks_retried").asLong());
    assertEquals(42, s.get("uptime_seconds").asLong());
    assertEquals(false, s.get("cache_enabled").asBoolean());
    assertEquals(0, s.get("cache_hits").asLong());
    assertTrue(failed.isCompletedExceptionally());
    assertTrue(!running.isDone() && !waiting.isDone());
  }

  @Test
  void statsIgnoresTheQueryString() throws Exception {
    register("w1", 1, GCC);

    assertEquals(1, getJson("/api/v1/stats?refresh=1").get("workers").asInt());
  }

  @Test
  void workersListsARegisteredWorker() throws Exception {
    RecordingSink w1 = register("w1", 4, GXX, GCC);
    clock.advance(Duration.ofSeconds(5));
    dispatcher.heartbeat("w1", new WorkerLoad(1, 0.7, 3L << 30));
    var running = dispatcher.submit(GCC, Priority.INTERACTIVE, "a");
    register("w2", 2, CLANG);
    dispatcher.drain("w2");

    JsonNode workers = getJson("/api/v1/workers");

    assertEquals(2, workers.size());
    JsonNode w = workers.get(0);
    assertEquals("w1", w.get("id").asText());
    assertEquals("w1.lan", w.get("hostname").asText());
    assertEquals(8, w.get("cores").asInt());
    assertEquals(16L << 30, w.get("memory_bytes").asLong());
    assertEquals("amd64", w.get("arch").asText());
    assertEquals("linux", w.get("os").asText());
    assertEquals(4, w.get("max_parallel").asInt());
    assertEquals(1, w.get("active_tasks").asInt());
    assertEquals(0, w.get("tasks_completed").asLong());
    assertEquals(0, w.get("tasks_failed").asLong());
    assertEquals("active", w.get("state").asText());
    assertEquals(
        List.of("gcc 12.2.0 x86_64-linux-gnu", "gcc/c++ 12.2.0 x86_64-linux-gnu"),
        json.convertValue(w.get("compilers"), List.class));
    assertEquals(START.toString(), w.get("connected_at").asText());
    assertEquals(START.plusSeconds(5).toString(), w.get("last_heartbeat").asText());
    assertEquals(1, w.get("reported_active_tasks").asInt());
    assertEquals(3L << 30, w.get("free_memory_bytes").asLong());
    assertEquals(0.7, w.get("load_average").asDouble());
    assertEquals(-1, w.get("rtt_ms").asDouble(), "no pong yet");
    assertEquals(-1, w.get("task_ms").asDouble(), "no result yet");
    assertEquals("w2", workers.get(1).get("id").asText());
    assertEquals("draining", workers.get(1).get("state").asText());
    assertEquals(1, w1.assignments().size());
    assertTrue(!running.isDone());
  }

  @Test
  void unknownPathIsNotFound() {
    HttpApi.Response r = api.handle("GET", "/api/v2/stats");

    assertEquals(404, r.status());
    assertEquals("no such path: /api/v2/stats\n", text(r));
  }

  @Test
  void drainStopsNewAssignmentsToTheWorker() throws Exception {
    RecordingSink w1 = register("w1", 1, GCC);

    // Who may call it is HttpAccess's decision (AuthMatrixTest: admin token, or loopback).
    HttpApi.Response unknown = api.handle("POST", "/api/v1/workers/w9/drain");
    assertEquals(404, unknown.status());
    assertEquals("no connected worker with id 'w9'\n", text(unknown));
    assertEquals("active", getJson("/api/v1/workers").get(0).get("state").asText());

    HttpApi.Response ok = api.handle("POST", "/api/v1/workers/w1/drain");
    assertEquals(200, ok.status());
    assertEquals("draining", getJson("/api/v1/workers").get(0).get("state").asText());
    var unused = dispatcher.submit(GCC, Priority.INTERACTIVE, "after drain");
    assertTrue(w1.assignments().isEmpty(), "a drained worker gets no new task");
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH"})
  void otherMethodsAreNotAllowed(String method) {
    HttpApi.Response r = api.handle(method, "/api/v1/stats");

    assertEquals(405, r.status());
    assertEquals("method " + method + " not allowed\n", text(r));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/index.html"})
  void rootServesTheDashboard(String path) throws Exception {
    byte[] expected;
    try (InputStream in =
        HttpApi.class.getResourceAsStream("/io/hybridgrid/dashboard/index.html")) {
      assertNotNull(in, "the dashboard module puts index.html on the classpath");
      expected = in.readAllBytes();
    }

    HttpApi.Response r = api.handle("GET", path);

    assertEquals(200, r.status());
    assertEquals("text/html; charset=utf-8", r.contentType());
    assertArrayEquals(expected, r.body());
    assertTrue(text(r).toLowerCase(Locale.ROOT).contains("<html"), "an HTML page");
  }

  @Test
  void servesOverHttp() throws Exception {
    register("w1", 2, GCC);
    HttpServer server =
        new HttpServer(
            api, new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
    try {
      int port = server.start();
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      URI base = URI.create("http://127.0.0.1:" + port);

      HttpResponse<String> health =
          client.send(
              HttpRequest.newBuilder(base.resolve("/health"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());
      assertEquals("ok\n", health.body());
      assertEquals("no-store", health.headers().firstValue("cache-control").orElse(""));

      HttpResponse<String> stats =
          client.send(
              HttpRequest.newBuilder(base.resolve("/api/v1/stats"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, stats.statusCode());
      assertEquals("application/json", stats.headers().firstValue("content-type").orElse(""));
      assertEquals(1, json.readTree(stats.body()).get("workers").asInt());

      HttpResponse<String> post =
          client.send(
              HttpRequest.newBuilder(base.resolve("/health"))
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.ofString("x"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());

      HttpResponse<String> missing =
          client.send(
              HttpRequest.newBuilder(base.resolve("/nope")).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode());
    } finally {
      server.close();
    }
  }

  @Test
  void eventsListsTheLastNConnectivityEventsAndStatsTheCache(@TempDir Path dir) throws Exception {
    EventLog events = EventLog.inMemory(100);
    Dispatcher<String, Integer> d =
        new Dispatcher<>(
            DispatchSettings.defaults(), new FirstCandidate(), clock, r -> r != 0, events);
    TieredResultCache cache =
        new TieredResultCache(
                new CacheSettings(true, 1 << 20, dir, 1 << 20),
                clock,
                MoreExecutors.newDirectExecutorService())
            .start();
    HttpApi withEvents = new HttpApi(new CoordinatorStatus(d, events, cache, clock));
    RecordingSink w1 = new RecordingSink();
    d.register(
        new WorkerDescriptor("w1", "h1", 2, 1L << 30, "amd64", "linux", Set.of(GCC), 2, "0.1.0"),
        w1);
    clock.advance(Duration.ofSeconds(1));
    d.workerGone("w1", w1, "worker closed the session");
    CacheKey key = CacheKey.of(new byte[32]);
    cache.get(key);
    cache.put(key, new CachedResult(new byte[1000], new byte[0], new byte[0], 5));
    cache.get(key);

    HttpApi.Response r = withEvents.handle("GET", "/api/v1/events?limit=1");
    assertEquals(200, r.status(), () -> text(r));
    JsonNode last = json.readTree(r.body());
    JsonNode all = json.readTree(withEvents.handle("GET", "/api/v1/events").body());
    JsonNode stats = json.readTree(withEvents.handle("GET", "/api/v1/stats").body());

    assertEquals(1, last.size());
    assertEquals("leave", last.get(0).get("type").asText());
    assertEquals("w1", last.get(0).get("worker").asText());
    assertEquals("h1", last.get(0).get("host").asText());
    assertEquals("worker closed the session", last.get(0).get("reason").asText());
    assertEquals(START.plusSeconds(1).toString(), last.get(0).get("time").asText());
    assertEquals(2, all.size());
    assertEquals("join", all.get(0).get("type").asText());
    assertEquals(true, stats.get("cache_enabled").asBoolean());
    assertEquals(1, stats.get("cache_hits").asLong());
    assertEquals(1, stats.get("cache_misses").asLong());
    assertEquals(1, stats.get("cache_stores").asLong());
    assertEquals(1, stats.get("cache_memory_entries").asLong());
    assertEquals(1000 + 160, stats.get("cache_memory_bytes").asLong());
    assertEquals(1, stats.get("cache_disk_entries").asLong());
    assertTrue(stats.get("cache_disk_bytes").asLong() > 1000);
    assertEquals(0, stats.get("cache_disk_hits").asLong());
    assertEquals(0, stats.get("cache_corrupt").asLong());
    cache.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-3", "many", ""})
  void eventsRefusesABadLimit(String limit) {
    HttpApi.Response r = api.handle("GET", "/api/v1/events?limit=" + limit);
    assertEquals(400, r.status());
    assertEquals("limit must be a positive number, not '" + limit + "'\n", text(r));
  }
}
