package io.hybridgrid.coord;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.hybridgrid.common.grpc.CompressResponses;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.coord.cache.ResultCache;
import io.hybridgrid.coord.cache.TieredResultCache;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.grpc.CompileGrpcService;
import io.hybridgrid.coord.grpc.StatusGrpcService;
import io.hybridgrid.coord.grpc.WorkerGrpcService;
import io.hybridgrid.coord.http.HttpApi;
import io.hybridgrid.coord.http.HttpServer;
import io.hybridgrid.coord.scheduler.Scheduler;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileTask;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * hg-coord as one object: the connectivity event log, the shared result cache, the dispatcher, the
 * gRPC server (compile, worker session, status, health) and the HTTP server. Tests pass an
 * in-process {@link ServerBuilder}.
 */
public final class CoordinatorServer implements AutoCloseable {
  private final EventLog events;
  private final ResultCache cache;
  private final TieredResultCache tieredCache;
  private final Dispatcher<CompileTask, CompileResult> dispatcher;
  private final CoordinatorStatus status;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ScheduledExecutorService timer;
  private final ExecutorService grpcExecutor;
  private final Server server;
  private final HttpServer http;
  private int httpPort = -1;

  /** How long a shutdown lets accepted compiles finish before failing them. */
  public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /**
   * @param serverBuilder a builder for the gRPC server (Netty, or in-process in tests)
   * @param httpBind where to serve HTTP, or null for none
   * @param settings dispatcher limits
   * @param heartbeatInterval the interval workers are told to use
   * @param clock time source
   */
  public CoordinatorServer(
      ServerBuilder<?> serverBuilder,
      InetSocketAddress httpBind,
      DispatchSettings settings,
      Duration heartbeatInterval,
      Clock clock) {
    this(serverBuilder, httpBind, CoordinatorConfig.inMemory(settings, heartbeatInterval), clock);
  }

  /**
   * @param serverBuilder a builder for the gRPC server (Netty, or in-process in tests)
   * @param httpBind where to serve HTTP, or null for none
   * @param config scheduler, limits, state directory and cache
   * @param clock time source
   */
  public CoordinatorServer(
      ServerBuilder<?> serverBuilder,
      InetSocketAddress httpBind,
      CoordinatorConfig config,
      Clock clock) {
    this(serverBuilder, httpBind, config, clock, UnaryOperator.identity());
  }

  /**
   * As {@link #CoordinatorServer(ServerBuilder, InetSocketAddress, CoordinatorConfig, Clock)}, with
   * the configured scheduler passed through {@code schedulerDecorator} first: the scheduler
   * benchmark (bench/scheduler) wraps it to time each decision inside the coordinator.
   *
   * @param schedulerDecorator returns the scheduler the dispatcher uses, given the configured one
   */
  public CoordinatorServer(
      ServerBuilder<?> serverBuilder,
      InetSocketAddress httpBind,
      CoordinatorConfig config,
      Clock clock,
      UnaryOperator<Scheduler> schedulerDecorator) {
    DispatchSettings settings = config.dispatch();
    Duration heartbeatInterval = config.heartbeatInterval();
    this.events =
        config.eventsFile() == null
            ? EventLog.inMemory(EventLog.DEFAULT_CAPACITY)
            : EventLog.persistent(config.eventsFile(), EventLog.DEFAULT_CAPACITY);
    if (config.cache().enabled()) {
      this.tieredCache = new TieredResultCache(config.cache(), clock, cacheWriter());
      this.cache = tieredCache;
    } else {
      this.tieredCache = null;
      this.cache = ResultCache.disabled();
    }
    // The scheduler runs under the dispatcher's lock, so an unsynchronized generator is safe.
    this.dispatcher =
        new Dispatcher<>(
            settings,
            schedulerDecorator.apply(config.scheduler().create(new SplittableRandom())),
            clock,
            r -> r.getExitCode() != 0,
            events);
    this.status = new CoordinatorStatus(dispatcher, events, cache, clock);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hg-coord-timer");
              t.setDaemon(true);
              return t;
            });
    AtomicInteger n = new AtomicInteger();
    this.grpcExecutor =
        new ThreadPoolExecutor(
            4,
            64,
            60,
            TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "hg-coord-grpc-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    CompressResponses compress = new CompressResponses();
    this.server =
        serverBuilder
            .executor(grpcExecutor)
            .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .addService(
                ServerInterceptors.intercept(new CompileGrpcService(dispatcher, cache), compress))
            .addService(
                ServerInterceptors.intercept(
                    new WorkerGrpcService(dispatcher, (int) heartbeatInterval.toMillis(), clock),
                    compress))
            .addService(new StatusGrpcService(status))
            .addService(health.getHealthService())
            .build();
    this.http = httpBind == null ? null : new HttpServer(new HttpApi(status), httpBind);
  }

  /** Starts serving. */
  public CoordinatorServer start() throws IOException, InterruptedException {
    events.start();
    if (tieredCache != null) {
      tieredCache.start();
    }
    dispatcher.start(timer, Duration.ofMillis(500));
    server.start();
    if (http != null) {
      httpPort = http.start();
    }
    health.setStatus("", ServingStatus.SERVING);
    return this;
  }

  /** The gRPC port (for servers bound to port 0). */
  public int grpcPort() {
    return server.getPort();
  }

  /** The HTTP port, or -1 when HTTP is off. */
  public int httpPort() {
    return httpPort;
  }

  public CoordinatorStatus status() {
    return status;
  }

  /**
   * NOT_SERVING; new compiles are refused (clients compile locally) while those already accepted
   * get up to {@link #SHUTDOWN_GRACE} to finish; then the rest fail with UNAVAILABLE (clients fall
   * back), workers are told to go (they reconnect to the next coordinator), and the server stops:
   * shutdown, bounded wait, shutdownNow. No build is left waiting on a coordinator that is gone.
   */
  @Override
  public void close() {
    health.enterTerminalState();
    try {
      if (!dispatcher.shutdownGracefully(SHUTDOWN_GRACE)) {
        org.slf4j.LoggerFactory.getLogger(CoordinatorServer.class)
            .warn("tasks still running after {} s; failing them", SHUTDOWN_GRACE.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dispatcher.close();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    if (http != null) {
      http.close();
    }
    timer.shutdownNow();
    grpcExecutor.shutdownNow();
    cache.close();
    events.close();
  }

  /** One thread writes cache entries to disk; when 1,024 are pending, new ones stay in memory. */
  private static ExecutorService cacheWriter() {
    return new ThreadPoolExecutor(
        1,
        1,
        0,
        TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(1024),
        r -> {
          Thread t = new Thread(r, "hg-coord-cache-writer");
          t.setDaemon(true);
          return t;
        });
  }
}
