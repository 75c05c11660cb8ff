package io.hybridgrid.coord;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.hybridgrid.common.auth.AuthInterceptor;
import io.hybridgrid.common.concurrent.DaemonThreads;
import io.hybridgrid.common.fs.TempTrees;
import io.hybridgrid.common.grpc.BuildIds;
import io.hybridgrid.common.grpc.CompressResponses;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.coord.action.ActionCache;
import io.hybridgrid.coord.action.ActionValidator;
import io.hybridgrid.coord.admission.ByteBudget;
import io.hybridgrid.coord.cache.ResultCache;
import io.hybridgrid.coord.cache.TieredResultCache;
import io.hybridgrid.coord.cas.CasSettings;
import io.hybridgrid.coord.cas.ContentStore;
import io.hybridgrid.coord.compile.CompileService;
import io.hybridgrid.coord.compile.VerifyRuns;
import io.hybridgrid.coord.compile.Work;
import io.hybridgrid.coord.compile.WorkResult;
import io.hybridgrid.coord.dispatch.DispatchListener;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.grpc.ActivityGrpcService;
import io.hybridgrid.coord.grpc.CompileGrpcService;
import io.hybridgrid.coord.grpc.ContentStoreGrpcService;
import io.hybridgrid.coord.grpc.RequestBudgetInterceptor;
import io.hybridgrid.coord.grpc.StatusGrpcService;
import io.hybridgrid.coord.grpc.WorkerGrpcService;
import io.hybridgrid.coord.http.HttpAccess;
import io.hybridgrid.coord.http.HttpApi;
import io.hybridgrid.coord.http.HttpServer;
import io.hybridgrid.coord.metrics.CoordinatorMetrics;
import io.hybridgrid.coord.metrics.GridMetrics;
import io.hybridgrid.coord.scheduler.Scheduler;
import io.hybridgrid.coord.status.CoordinatorStatus;
import io.hybridgrid.coord.tasks.TaskFeed;
import io.hybridgrid.coord.tasks.TaskLog;
import io.hybridgrid.coord.verify.Quarantines;
import io.hybridgrid.coord.verify.ResultVerifier;
import io.hybridgrid.coord.verify.WorkerTrust;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
  private final Dispatcher<Work, WorkResult> dispatcher;
  private final ContentStore cas;
  private final Path temporaryCasDir;
  private final CompileService compileService;
  private final WorkerTrust workerTrust = new WorkerTrust();
  private final ResultVerifier verifier;
  private final CoordinatorStatus status;
  private final CoordinatorMetrics metrics;
  private final TaskLog taskLog;
  private final TaskFeed<Work> feed;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ScheduledExecutorService timer;
  private final ExecutorService grpcExecutor;
  private final Server server;
  private final HttpServer http;
  private final ByteBudget requestBudget;
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
    // The gauges read the dispatcher through the status view, built after it: read when scraped.
    this.metrics = new CoordinatorMetrics(() -> status().workers(), () -> status().stats());
    this.taskLog =
        config.taskLog().enabled()
            ? new TaskLog(
                config.taskLog().file(), config.taskLog().maxBytes(), config.taskLog().keep())
            : null;
    this.feed = new TaskFeed<>(Work::describe, clock, taskLog);
    if (config.cache().enabled()) {
      this.tieredCache = new TieredResultCache(config.cache(), clock, cacheWriter(), metrics);
      this.cache = tieredCache;
    } else {
      this.tieredCache = null;
      this.cache = ResultCache.disabled();
    }
    CasSettings casSettings = config.cas();
    if (casSettings == null) {
      try {
        this.temporaryCasDir = Files.createTempDirectory("hg-coord-cas");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary CAS directory", e);
      }
      casSettings = CasSettings.defaults(temporaryCasDir);
    } else {
      this.temporaryCasDir = null;
    }
    this.cas = new ContentStore(casSettings, clock);
    // The scheduler runs under the dispatcher's lock, so an unsynchronized generator is safe.
    this.dispatcher =
        new Dispatcher<>(
            settings,
            schedulerDecorator.apply(config.scheduler().create(new SplittableRandom())),
            clock,
            r -> r.exitCode() != 0,
            events,
            DispatchListener.both(metrics, feed));
    ActionCache actionCache = new ActionCache(cache, cas, dispatcher::isQuarantined);
    VerifyRuns verifyRuns = new VerifyRuns(dispatcher, events, clock);
    this.verifier =
        new ResultVerifier(
            config.security().verify(),
            () -> ThreadLocalRandom.current().nextDouble(),
            verifyRuns,
            actionCache,
            workerTrust,
            metrics);
    this.compileService =
        new CompileService(
            dispatcher, actionCache, cas, new ActionValidator(config.actionLimits()), verifier);
    metrics.toolchains(compileService.toolchains()::toolchains, compileService.toolchains()::bytes);
    this.status =
        new CoordinatorStatus(
            dispatcher,
            events,
            cache,
            clock,
            cas,
            compileService.actionCache(),
            compileService.toolchains());
    this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("hg-coord-timer"));
    this.grpcExecutor =
        new ThreadPoolExecutor(
            4,
            64,
            60,
            TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            DaemonThreads.numbered("hg-coord-grpc"));
    CompressResponses compress = new CompressResponses(config.compression());
    CoordinatorSecurity security = config.security();
    this.requestBudget = new ByteBudget(security.requestBudgetBytes());
    this.server =
        serverBuilder
            .executor(grpcExecutor)
            .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            // The last interceptor added runs first: authenticate, then admit by memory.
            .intercept(new RequestBudgetInterceptor(requestBudget, GrpcLimits.MAX_MESSAGE_BYTES))
            .intercept(new AuthInterceptor(security.tokens()))
            .addService(
                ServerInterceptors.intercept(
                    new CompileGrpcService(compileService, metrics, feed, clock),
                    compress,
                    BuildIds.serverInterceptor()))
            .addService(ServerInterceptors.intercept(new ContentStoreGrpcService(cas), compress))
            .addService(
                ServerInterceptors.intercept(
                    new WorkerGrpcService(
                        dispatcher,
                        cas,
                        (int) heartbeatInterval.toMillis(),
                        clock,
                        metrics,
                        workerTrust),
                    compress))
            .addService(new StatusGrpcService(status))
            .addService(new ActivityGrpcService(metrics, feed, clock))
            .addService(health.getHealthService())
            .build();
    this.http =
        httpBind == null
            ? null
            : new HttpServer(
                new HttpApi(
                    status,
                    feed,
                    metrics::scrape,
                    clock,
                    new Quarantines(dispatcher, actionCache, verifyRuns, metrics)),
                httpBind,
                Duration.ofSeconds(1),
                new HttpAccess(security.tokens()));
  }

  /** Starts serving. */
  public CoordinatorServer start() throws IOException, InterruptedException {
    events.start();
    cas.start();
    if (taskLog != null) {
      taskLog.start();
    }
    feed.start();
    if (tieredCache != null) {
      tieredCache.start();
    }
    dispatcher.start(timer, Duration.ofMillis(500));
    try {
      server.start();
    } catch (IOException e) {
      throw PortInUseException.isAddressInUse(e)
          ? new PortInUseException(PortInUseException.Which.GRPC, e)
          : e;
    }
    if (http != null) {
      try {
        httpPort = http.start();
      } catch (RuntimeException | InterruptedException e) {
        throw e;
      } catch (Exception e) { // Netty rethrows the bind failure undeclared
        throw PortInUseException.isAddressInUse(e)
            ? new PortInUseException(PortInUseException.Which.HTTP, e)
            : new IOException(e);
      }
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

  /** The content-addressed store (tests inspect it). */
  public ContentStore cas() {
    return cas;
  }

  /** Decides which worker results the shared cache serves (tests watch its pending count). */
  public ResultVerifier verifier() {
    return verifier;
  }

  /** The dispatcher (tests quarantine and inspect workers through it). */
  public Dispatcher<Work, WorkResult> dispatcher() {
    return dispatcher;
  }

  /** The memory budget compile requests are admitted through. */
  public ByteBudget requestBudget() {
    return requestBudget;
  }

  public CoordinatorStatus status() {
    return status;
  }

  /**
   * The metrics the CAS, the result verifier and other code paths report into (see {@link
   * GridMetrics}).
   */
  public GridMetrics metrics() {
    return metrics;
  }

  /** The Prometheus exposition, as {@code /metrics} serves it. */
  public String scrapeMetrics() {
    return metrics.scrape();
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
    cas.close();
    events.close();
    if (temporaryCasDir != null) {
      try {
        TempTrees.delete(temporaryCasDir);
      } catch (IOException e) {
        // a temporary directory left behind is harmless
      }
    }
    if (taskLog != null) {
      taskLog.close();
    }
    metrics.close();
  }

  /** One thread writes cache entries to disk; when 1,024 are pending, new ones stay in memory. */
  private static ExecutorService cacheWriter() {
    return new ThreadPoolExecutor(
        1,
        1,
        0,
        TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(1024),
        DaemonThreads.named("hg-coord-cache-writer"));
  }
}
