package io.hybridgrid.common.grpc;

/** Wire limits shared by every channel and server, chosen deliberately rather than defaulted. */
public final class GrpcLimits {

  /**
   * The largest message either end accepts: 64 MiB. An action naming tens of thousands of headers
   * (several MB of paths and digests) must pass, and so must answers carrying up to 16 MiB of
   * outputs inline. gRPC's default is 4 MiB.
   */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  private GrpcLimits() {}
}
