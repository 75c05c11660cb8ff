package io.hybridgrid.common.grpc;

/** Wire limits shared by every channel and server, chosen deliberately rather than defaulted. */
public final class GrpcLimits {

  /**
   * The largest message either end accepts: 64 MiB. A preprocessed C++ unit of 20 MB (large
   * template-heavy sources with {@code -fdirectives-only} keep every macro definition) must pass,
   * with room for the object file coming back. gRPC's default is 4 MiB.
   */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  /** Payloads are compressed on the wire: preprocessed text shrinks by 5-10x with gzip. */
  public static final String COMPRESSION = "gzip";

  private GrpcLimits() {}
}
