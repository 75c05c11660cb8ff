package io.hybridgrid.coord.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.BuildIds;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.compile.CompileService;
import io.hybridgrid.coord.compile.Work;
import io.hybridgrid.coord.compile.WorkResult;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.coord.metrics.GridMetrics;
import io.hybridgrid.coord.tasks.TaskFeed;
import io.hybridgrid.coord.tasks.TaskRecord;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Client Compile RPC: decodes the request once, hands it to the {@link CompileService} (cache hit,
 * else dispatch, then store) and translates the answer or the failure. A cancelled call withdraws
 * its work. Every finished compile is counted (metrics) and told to the task feed.
 */
public final class CompileGrpcService extends CompileServiceGrpc.CompileServiceImplBase {
  private final CompileService service;
  private final boolean unitCacheEnabled;
  private final GridMetrics metrics;
  private final TaskFeed<Work> feed;
  private final Clock clock;

  public CompileGrpcService(CompileService service, boolean unitCacheEnabled) {
    this(service, unitCacheEnabled, GridMetrics.NONE, null, Clock.systemUTC());
  }

  /**
   * @param service the compile policy
   * @param unitCacheEnabled whether units get a cache key (computing it costs a pass over the unit)
   * @param metrics counts cache-served tasks and bytes to and from clients
   * @param feed hears every finished compile (task feed, task log, builds), or null
   * @param clock times compiles for the feed
   */
  public CompileGrpcService(
      CompileService service,
      boolean unitCacheEnabled,
      GridMetrics metrics,
      TaskFeed<Work> feed,
      Clock clock) {
    this.service = service;
    this.unitCacheEnabled = unitCacheEnabled;
    this.metrics = metrics;
    this.feed = feed;
    this.clock = clock;
  }

  /** What the feed needs to know of one answered request. */
  private record Done(String worker, boolean cached, int exitCode, long queueMicros) {}

  @Override
  public void compile(CompileRequest request, StreamObserver<CompileResponse> out) {
    Instant arrived = clock.instant();
    String buildId = BuildIds.current();
    metrics.transfer("in", "client", request.getSerializedSize());
    ServerCallStreamObserver<CompileResponse> call =
        (ServerCallStreamObserver<CompileResponse>) out;
    Priority priority =
        request.getPriority() == io.hybridgrid.proto.v1.Priority.PRIORITY_BATCH
            ? Priority.BATCH
            : Priority.INTERACTIVE;
    CompletableFuture<CompileResponse> response;
    String label;
    try {
      if (request.hasAction() && request.hasTask()) {
        throw new IllegalArgumentException("request carries both a task and an action; send one");
      }
      if (request.hasAction()) {
        var action = ProtoMapping.action(request.getAction());
        label = Work.label(action);
        response =
            service
                .execute(action, priority, request.getSkipCache())
                .thenApply(CompileGrpcService::toResponse);
      } else if (request.hasTask()) {
        var compiler = ProtoMapping.validateTask(request.getTask());
        label = request.getTask().getSourcePath();
        CacheKey key =
            unitCacheEnabled && !request.getSkipCache()
                ? ProtoMapping.cacheKey(request.getTask())
                : null;
        response =
            service
                .compileUnit(
                    new CompileService.UnitRequest(compiler, key, request.getTask(), priority))
                .thenApply(CompileGrpcService::toResponse);
      } else {
        throw new IllegalArgumentException("request has no task and no action: send one");
      }
    } catch (RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
      return;
    }
    call.setOnCancelHandler(() -> response.cancel(false));
    response.whenComplete(
        (r, error) -> {
          if (error != null) {
            finished(request, label, buildId, arrived, null, 0);
            if (!call.isCancelled()) {
              out.onError(ErrorMapper.toStatus(error));
            }
            return;
          }
          Done d = done(r);
          if (d.cached()) {
            metrics.task(GridMetrics.Placement.CACHE, GridMetrics.Outcome.SUCCESS);
          }
          finished(request, label, buildId, arrived, d, r.getSerializedSize());
          if (call.isCancelled()) {
            return;
          }
          metrics.transfer("out", "client", r.getSerializedSize());
          out.onNext(r);
          out.onCompleted();
        });
  }

  private static Done done(CompileResponse r) {
    int exit =
        r.hasActionResult() ? r.getActionResult().getExitCode() : r.getResult().getExitCode();
    String worker =
        r.hasActionResult() ? r.getActionResult().getWorkerId() : r.getResult().getWorkerId();
    return new Done(r.getCached() ? "" : worker, r.getCached(), exit, r.getQueueMicros());
  }

  private void finished(
      CompileRequest request,
      String label,
      String buildId,
      Instant arrived,
      Done done,
      long bytesOut) {
    if (feed == null) {
      return;
    }
    String placement = done != null && done.cached() ? "cache" : "remote";
    String outcome = done == null ? "failed" : done.exitCode() == 0 ? "success" : "compile_error";
    feed.finished(
        new TaskRecord(
            clock.instant(),
            label,
            request.getClientId(),
            buildId,
            done == null ? "" : done.worker(),
            placement,
            outcome,
            Duration.between(arrived, clock.instant()).toNanos() / 1e6,
            done == null ? 0 : done.queueMicros() / 1000.0,
            request.getSerializedSize(),
            bytesOut));
  }

  private static CompileResponse toResponse(CompileService.ActionAnswer a) {
    return CompileResponse.newBuilder()
        .setActionResult(ProtoMapping.toWire(a.outcome()))
        .setActionDigest(a.digest().hex())
        .setCached(a.cached())
        .setQueueMicros(a.queueMicros())
        .setAttempts(a.attempts())
        .build();
  }

  private static CompileResponse toResponse(CompileService.UnitAnswer a) {
    if (a.cached() != null) {
      return CompileResponse.newBuilder()
          .setResult(ProtoMapping.fromCached(a.cached()))
          .setCached(true)
          .build();
    }
    if (!(a.done().result() instanceof WorkResult.UnitDone u)
        || !(u.result() instanceof CompileResult result)) {
      throw new IllegalStateException("a worker answered a unit with an action result");
    }
    return CompileResponse.newBuilder()
        .setResult(result)
        .setQueueMicros(a.done().queueMicros())
        .setAttempts(a.done().attempts())
        .build();
  }
}
