package io.hybridgrid.coord.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.BuildIds;
import io.hybridgrid.coord.compile.CompileService;
import io.hybridgrid.coord.compile.Work;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.coord.metrics.GridMetrics;
import io.hybridgrid.coord.tasks.TaskFeed;
import io.hybridgrid.coord.tasks.TaskRecord;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
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
  private final GridMetrics metrics;
  private final TaskFeed<Work> feed;
  private final Clock clock;

  public CompileGrpcService(CompileService service) {
    this(service, GridMetrics.NONE, null, Clock.systemUTC());
  }

  /**
   * @param service the compile policy
   * @param metrics counts cache-served tasks and bytes to and from clients
   * @param feed hears every finished compile (task feed, task log, builds), or null
   * @param clock times compiles for the feed
   */
  public CompileGrpcService(
      CompileService service, GridMetrics metrics, TaskFeed<Work> feed, Clock clock) {
    this.service = service;
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
      if (!request.hasAction()) {
        throw new IllegalArgumentException("request has no action: send one");
      }
      var action = ProtoMapping.action(request.getAction());
      label = Work.label(action);
      response =
          service
              .execute(action, priority, request.getSkipCache())
              .thenApply(CompileGrpcService::toResponse);
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
    ActionResult result = r.getActionResult();
    return new Done(
        r.getCached() ? "" : result.getWorkerId(),
        r.getCached(),
        result.getExitCode(),
        r.getQueueMicros());
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
}
