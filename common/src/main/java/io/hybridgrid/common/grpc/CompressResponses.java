package io.hybridgrid.common.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Objects;

/** Compresses every response message of a server as the setting says (clients never compress). */
public final class CompressResponses implements ServerInterceptor {
  private final WireCompression compression;

  public CompressResponses(WireCompression compression) {
    this.compression = Objects.requireNonNull(compression, "compression");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (compression != WireCompression.NONE) {
      call.setCompression(compression.encoding());
    }
    return next.startCall(call, headers);
  }
}
