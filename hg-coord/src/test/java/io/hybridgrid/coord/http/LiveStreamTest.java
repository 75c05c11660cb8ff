package io.hybridgrid.coord.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.hybridgrid.coord.tasks.TaskFeed;
import io.hybridgrid.coord.tasks.TaskRecord;
import io.hybridgrid.coord.testing.FirstCandidate;
import io.hybridgrid.coord.testing.RecordingSink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** /api/v1/stream pushes a worker that joins, and each finished task once per subscriber. */
class LiveStreamTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void aJoiningWorkerAndNewTasksArePushed() throws Exception {
    Clock clock = Clock.systemUTC();
    Dispatcher<String, Integer> dispatcher =
        new Dispatcher<>(DispatchSettings.defaults(), new FirstCandidate(), clock, r -> r != 0);
    TaskFeed<String> feed = new TaskFeed<>(p -> p, clock, null);
    HttpApi api = new HttpApi(new CoordinatorStatus(dispatcher, clock), feed, () -> "", clock);
    HttpServer server =
        new HttpServer(
            api,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            Duration.ofMillis(200),
            HttpAccess.open());
    int port = server.start();
    try {
      HttpResponse<java.io.InputStream> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stream"))
                      .build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
      JsonNode first = next(in);
      assertEquals(0, first.get("workers").size());

      feed.finished(
          new TaskRecord(Instant.now(), "a.c", "ann", "", "w1", "remote", "success", 1, 0, 1, 1));
      dispatcher.register(
          new WorkerDescriptor(
              "w1",
              "w1.lan",
              4,
              1L << 30,
              "amd64",
              "linux",
              Set.of(new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false)),
              2,
              "0.1.0"),
          new RecordingSink());
      long start = System.nanoTime();
      JsonNode withWorker = next(in);
      while (withWorker.get("workers").size() == 0) {
        withWorker = next(in);
      }
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "pushed within 2 s");
      assertEquals("w1", withWorker.get("workers").get(0).get("id").asText());
      int tasksSeen = 0;
      JsonNode n = withWorker;
      for (int i = 0; i < 3; i++) {
        tasksSeen += n.get("tasks").size();
        n = next(in);
      }
      assertEquals(1, tasksSeen, "each finished task is sent to a subscriber once");
    } finally {
      server.close();
    }
  }

  /** The next event's JSON, within 5 s. */
  private JsonNode next(BufferedReader in) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.startsWith("data: ")) {
                    return json.readTree(line.substring(6));
                  }
                }
                throw new IllegalStateException("stream ended");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })
        .get(5, TimeUnit.SECONDS);
  }
}
