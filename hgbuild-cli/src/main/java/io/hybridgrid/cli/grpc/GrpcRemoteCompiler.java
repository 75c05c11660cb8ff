package io.hybridgrid.cli.grpc;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.cli.compile.GridUnavailableException;
import io.hybridgrid.cli.compile.RemoteCompiler;
import io.hybridgrid.common.grpc.GrpcErrors;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** {@link RemoteCompiler} over gRPC. The channel belongs to the caller. */
public final class GrpcRemoteCompiler implements RemoteCompiler {
  private final Channel channel;
  private final Duration deadline;

  public GrpcRemoteCompiler(Channel channel, Duration deadline) {
    this.channel = channel;
    this.deadline = deadline;
  }

  @Override
  public CompileResponse compile(CompileRequest request) throws GridUnavailableException {
    try {
      return CompileServiceGrpc.newBlockingStub(channel)
          .withCompression(GrpcLimits.COMPRESSION)
          .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
          .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
          .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .compile(request);
    } catch (StatusRuntimeException e) {
      throw new GridUnavailableException(
          GrpcErrors.describe(e.getStatus(), channel.authority()), e);
    }
  }
}
