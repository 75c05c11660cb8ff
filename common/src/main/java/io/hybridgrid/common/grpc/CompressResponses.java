package io.hybridgrid.common.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/** Compresses every response message of a server (clients compress their requests per stub). */
public final class CompressResponses implements ServerInterceptor {

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    call.setCompression(GrpcLimits.COMPRESSION);
    return next.startCall(call, headers);
  }
}
