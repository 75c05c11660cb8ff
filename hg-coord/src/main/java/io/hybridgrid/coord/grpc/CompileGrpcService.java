package io.hybridgrid.coord.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.dispatch.Completed;
import io.hybridgrid.coord.dispatch.Dispatcher;
import io.hybridgrid.coord.dispatch.Priority;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompileTask;
import java.util.concurrent.CompletableFuture;

/** Client Compile RPC: validate, hand to the dispatcher, answer when a worker has. */
public final class CompileGrpcService extends CompileServiceGrpc.CompileServiceImplBase {
  private final Dispatcher<CompileTask, CompileResult> dispatcher;

  public CompileGrpcService(Dispatcher<CompileTask, CompileResult> dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  public void compile(CompileRequest request, StreamObserver<CompileResponse> out) {
    CompilerIdentity compiler;
    try {
      if (!request.hasTask()) {
        throw new IllegalArgumentException("request has no task");
      }
      compiler = ProtoMapping.validateTask(request.getTask());
    } catch (IllegalArgumentException e) {
      out.onError(ErrorMapper.toStatus(e));
      return;
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
    future.whenComplete(
        (done, error) -> {
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
