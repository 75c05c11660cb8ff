package io.hybridgrid.coord.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.grpc.BuildIds;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.cache.CachedResult;
import io.hybridgrid.coord.cache.ResultCache;
import io.hybridgrid.coord.dispatch.Completed;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.coord.metrics.GridMetrics;
import io.hybridgrid.coord.tasks.TaskFeed;
import io.hybridgrid.coord.tasks.TaskRecord;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompileTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Client Compile RPC: validate, answer from the shared result cache when it has the unit (keyed by
 * the coordinator's own digest of the task), else hand to the dispatcher and answer when a worker
 * has; a worker's successful result (exit code 0) is stored before the answer goes out.
 */
public final class CompileGrpcService extends CompileServiceGrpc.CompileServiceImplBase {
  private final Dispatcher<CompileTask, CompileResult> dispatcher;
  private final ResultCache cache;
  private final GridMetrics metrics;
  private final TaskFeed<?> feed;
  private final Clock clock;

  public CompileGrpcService(Dispatcher<CompileTask, CompileResult> dispatcher, ResultCache cache) {
    this(dispatcher, cache, GridMetrics.NONE, null, Clock.systemUTC());
  }

  /**
   * @param dispatcher places tasks on workers
   * @param cache the shared result cache
   * @param metrics counts cache-served tasks and bytes to and from clients
   * @param feed hears every finished compile (task feed, task log, builds), or null
   * @param clock times compiles for the feed
   */
  public CompileGrpcService(
      Dispatcher<CompileTask, CompileResult> dispatcher,
      ResultCache cache,
      GridMetrics metrics,
      TaskFeed<?> feed,
      Clock clock) {
    this.dispatcher = dispatcher;
    this.cache = cache;
    this.metrics = metrics;
    this.feed = feed;
    this.clock = clock;
  }

  private void finished(
      CompileRequest request,
      String buildId,
      Instant arrived,
      String worker,
      String placement,
      String outcome,
      double queueMillis,
      long bytesOut) {
    if (feed == null) {
      return;
    }
    feed.finished(
        new TaskRecord(
            clock.instant(),
            request.getTask().getSourcePath(),
            request.getClientId(),
            buildId,
            worker,
            placement,
            outcome,
            Duration.between(arrived, clock.instant()).toNanos() / 1e6,
            queueMillis,
            request.getSerializedSize(),
            bytesOut));
  }

  @Override
  public void compile(CompileRequest request, StreamObserver<CompileResponse> out) {
    Instant arrived = clock.instant();
    String buildId = BuildIds.current();
    metrics.transfer("in", "client", request.getSerializedSize());
    CompilerIdentity compiler;
    CacheKey key = null;
    try {
      if (!request.hasTask()) {
        throw new IllegalArgumentException("request has no task");
      }
      compiler = ProtoMapping.validateTask(request.getTask());
      if (cache.enabled()) {
        key = ProtoMapping.cacheKey(request.getTask());
      }
    } catch (IllegalArgumentException e) {
      out.onError(ErrorMapper.toStatus(e));
      return;
    }
    if (key != null) {
      Optional<CachedResult> hit = cache.get(key);
      if (hit.isPresent()) {
        CompileResponse response =
            CompileResponse.newBuilder()
                .setResult(ProtoMapping.fromCached(hit.get()))
                .setCached(true)
                .build();
        metrics.task(GridMetrics.Placement.CACHE, GridMetrics.Outcome.SUCCESS);
        metrics.transfer("out", "client", response.getSerializedSize());
        finished(
            request, buildId, arrived, "", "cache", "success", 0, response.getSerializedSize());
        out.onNext(response);
        out.onCompleted();
        return;
      }
    }
    Priority priority =
        request.getPriority() == io.hybridgrid.proto.v1.Priority.PRIORITY_BATCH
            ? Priority.BATCH
            : Priority.INTERACTIVE;
    CompletableFuture<Completed<CompileResult>> future =
        dispatcher.submit(compiler, priority, request.getTask());
    ServerCallStreamObserver<CompileResponse> call =
        (ServerCallStreamObserver<CompileResponse>) out;
    call.setOnCancelHandler(() -> dispatcher.cancel(future));
    CacheKey storeKey = key;
    future.whenComplete(
        (done, error) -> {
          if (error == null && storeKey != null && done.result().getExitCode() == 0) {
            cache.put(storeKey, ProtoMapping.toCached(done.result()));
          }
          if (error != null) {
            finished(request, buildId, arrived, "", "remote", "failed", 0, 0);
            if (!call.isCancelled()) {
              out.onError(ErrorMapper.toStatus(error));
            }
            return;
          }
          CompileResponse response =
              CompileResponse.newBuilder()
                  .setResult(done.result())
                  .setQueueMicros(done.queueMicros())
                  .setAttempts(done.attempts())
                  .build();
          finished(
              request,
              buildId,
              arrived,
              done.workerId(),
              "remote",
              done.result().getExitCode() == 0 ? "success" : "compile_error",
              done.queueMicros() / 1000.0,
              response.getSerializedSize());
          if (call.isCancelled()) {
            return;
          }
          metrics.transfer("out", "client", response.getSerializedSize());
          out.onNext(response);
          out.onCompleted();
        });
  }
}
