package io.hybridgrid.worker.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hybridgrid.common.concurrent.DaemonThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The worker's HTTP port: {@code /metrics} (Prometheus text), {@code /health} (the process answers)
 * and {@code /ready} (200 while registered with a coordinator, else 503). GET and HEAD only. One
 * thread: a scrape is cheap and rare.
 */
public final class WorkerHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * @param bind where to listen (port 0 picks a free one)
   * @param metrics the exposition
   * @param ready whether the worker is registered with a coordinator
   */
  public WorkerHttpServer(InetSocketAddress bind, Supplier<String> metrics, BooleanSupplier ready)
      throws IOException {
    this.server = HttpServer.create(bind, 16);
    this.executor = Executors.newSingleThreadExecutor(DaemonThreads.named("hg-worker-http"));
    server.setExecutor(executor);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
              send(ex, 405, "text/plain; charset=utf-8", "method " + method + " not allowed\n");
              return;
            }
            switch (ex.getRequestURI().getPath()) {
              case "/metrics" ->
                  send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
              case "/health" -> send(ex, 200, "text/plain; charset=utf-8", "ok\n");
              case "/ready" ->
                  send(
                      ex,
                      ready.getAsBoolean() ? 200 : 503,
                      "text/plain; charset=utf-8",
                      ready.getAsBoolean() ? "ready\n" : "not registered with a coordinator\n");
              default ->
                  send(
                      ex,
                      404,
                      "text/plain; charset=utf-8",
                      "no such path; try /metrics, /health or /ready\n");
            }
          }
        });
  }

  /** Starts serving; returns the bound port. */
  public int start() {
    server.start();
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
