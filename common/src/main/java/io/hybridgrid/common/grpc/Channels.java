package io.hybridgrid.common.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/** Builds the one kind of channel every Hybrid-Grid process uses to reach hg-coord. */
public final class Channels {

  private Channels() {}

  /** A plaintext channel to {@code address} with the project's message limits and keepalive. */
  public static ManagedChannel forAddress(HostPort address) {
    return NettyChannelBuilder.forAddress(address.host(), address.port())
        .usePlaintext()
        .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .build();
  }
}
