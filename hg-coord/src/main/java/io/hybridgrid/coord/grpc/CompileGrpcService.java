package io.hybridgrid.coord.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.cache.CachedResult;
import io.hybridgrid.coord.cache.ResultCache;
import io.hybridgrid.coord.dispatch.Completed;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompileTask;
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

  public CompileGrpcService(Dispatcher<CompileTask, CompileResult> dispatcher, ResultCache cache) {
    this.dispatcher = dispatcher;
    this.cache = cache;
  }

  @Override
  public void compile(CompileRequest request, StreamObserver<CompileResponse> out) {
    CompilerIdentity compiler;
    CacheKey key = null;
    try {
      if (!request.hasTask()) {
        throw new IllegalArgumentException("request has no task");
      }
      compiler = ProtoMapping.validateTask(request.getTask());
      if (cache.enabled() && !request.getSkipCache()) {
        key = ProtoMapping.cacheKey(request.getTask());
      }
    } catch (IllegalArgumentException e) {
      out.onError(ErrorMapper.toStatus(e));
      return;
    }
    if (key != null) {
      Optional<CachedResult> hit = cache.get(key);
      if (hit.isPresent()) {
        out.onNext(
            CompileResponse.newBuilder()
                .setResult(ProtoMapping.fromCached(hit.get()))
                .setCached(true)
                .build());
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
          if (call.isCancelled()) {
            return;
          }
          if (error != null) {
            out.onError(ErrorMapper.toStatus(error));
            return;
          }
          out.onNext(
              CompileResponse.newBuilder()
                  .setResult(done.result())
                  .setQueueMicros(done.queueMicros())
                  .setAttempts(done.attempts())
                  .build());
          out.onCompleted();
        });
  }
}
