package io.hybridgrid.coord.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.hybridgrid.coord.admission.ByteBudget;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Admits calls with one request message (compile, CAS batch calls) through a {@link ByteBudget}:
 * the request is not read off the wire until the largest possible message fits in the budget; once
 * read, the call keeps only its actual size until it completes. Until admitted, a call's bytes stay
 * in HTTP/2 flow control (a window per stream), so concurrent large requests wait their turn
 * instead of filling the coordinator's direct memory.
 */
public final class RequestBudgetInterceptor implements ServerInterceptor {
  private final ByteBudget budget;
  private final long maxMessageBytes;

  public RequestBudgetInterceptor(ByteBudget budget, long maxMessageBytes) {
    this.budget = budget;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodType type = call.getMethodDescriptor().getType();
    if (type != MethodType.UNARY && type != MethodType.SERVER_STREAMING) {
      return next.startCall(call, headers);
    }
    AtomicReference<ByteBudget.Waiter> held = new AtomicReference<>();
    ServerCall<ReqT, RespT> gated =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void request(int numMessages) {
            if (held.get() != null) {
              super.request(numMessages);
              return;
            }
            // The first request for the message: wait for room for the largest one.
            ByteBudget.Waiter w = budget.acquire(maxMessageBytes, () -> super.request(numMessages));
            held.set(w);
            if (w.immediate()) {
              super.request(numMessages);
            }
          }
        };
    ServerCall.Listener<ReqT> listener = next.startCall(gated, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(ReqT message) {
        ByteBudget.Waiter w = held.get();
        if (w != null && message instanceof com.google.protobuf.MessageLite m) {
          w.shrinkTo(m.getSerializedSize());
        }
        super.onMessage(message);
      }

      @Override
      public void onComplete() {
        release();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release();
        super.onCancel();
      }

      private void release() {
        ByteBudget.Waiter w = held.get();
        if (w != null) {
          w.cancel();
        }
      }
    };
  }
}
