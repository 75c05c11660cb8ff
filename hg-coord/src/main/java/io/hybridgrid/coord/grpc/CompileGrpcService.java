package io.hybridgrid.coord.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.coord.compile.CompileService;
import io.hybridgrid.coord.compile.WorkResult;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import java.util.concurrent.CompletableFuture;

/**
 * Client Compile RPC: decodes the request once, hands it to the {@link CompileService} (cache hit,
 * else dispatch, then store) and translates the answer or the failure. A cancelled call withdraws
 * its work.
 */
public final class CompileGrpcService extends CompileServiceGrpc.CompileServiceImplBase {
  private final CompileService service;
  private final boolean unitCacheEnabled;

  /**
   * @param service the compile policy
   * @param unitCacheEnabled whether units get a cache key (computing it costs a pass over the unit)
   */
  public CompileGrpcService(CompileService service, boolean unitCacheEnabled) {
    this.service = service;
    this.unitCacheEnabled = unitCacheEnabled;
  }

  @Override
  public void compile(CompileRequest request, StreamObserver<CompileResponse> out) {
    ServerCallStreamObserver<CompileResponse> call =
        (ServerCallStreamObserver<CompileResponse>) out;
    Priority priority =
        request.getPriority() == io.hybridgrid.proto.v1.Priority.PRIORITY_BATCH
            ? Priority.BATCH
            : Priority.INTERACTIVE;
    CompletableFuture<CompileResponse> response;
    try {
      if (request.hasAction() && request.hasTask()) {
        throw new IllegalArgumentException("request carries both a task and an action; send one");
      }
      if (request.hasAction()) {
        response =
            service
                .execute(ProtoMapping.action(request.getAction()), priority)
                .thenApply(CompileGrpcService::toResponse);
      } else if (request.hasTask()) {
        var compiler = ProtoMapping.validateTask(request.getTask());
        CacheKey key = unitCacheEnabled ? ProtoMapping.cacheKey(request.getTask()) : null;
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
          if (call.isCancelled()) {
            return;
          }
          if (error != null) {
            out.onError(ErrorMapper.toStatus(error));
            return;
          }
          out.onNext(r);
          out.onCompleted();
        });
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
