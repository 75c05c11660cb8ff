package io.hybridgrid.coord.grpc;

import com.google.protobuf.Any;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.hybridgrid.coord.action.MissingBlobsException;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.coord.dispatch.DispatchException;
import io.hybridgrid.proto.v1.MissingBlobs;
import java.util.List;
import java.util.concurrent.CompletionException;

/** The coordinator's one table from domain failures to gRPC status codes. */
public final class ErrorMapper {
  private ErrorMapper() {}

  /**
   * Digests listed in a MissingBlobs detail: the detail travels in a trailer, and gRPC peers refuse
   * trailers over 8 KiB; 40 digests take about 4 KiB encoded. When more are missing the message
   * says so, and the client asks FindMissingBlobs for the rest.
   */
  public static final int MAX_DETAIL_DIGESTS = 40;

  /**
   * FAILED_PRECONDITION with a {@code hybridgrid.v1.MissingBlobs} detail (read it with {@code
   * StatusProto.fromThrowable(e).getDetailsList()} and {@code Any.unpack(MissingBlobs.class)}).
   */
  static StatusRuntimeException missingBlobs(MissingBlobsException m) {
    MissingBlobs.Builder detail = MissingBlobs.newBuilder();
    List<Digest> missing = m.missing();
    for (int i = 0; i < Math.min(MAX_DETAIL_DIGESTS, missing.size()); i++) {
      detail.addDigests(ProtoMapping.toWire(missing.get(i)));
    }
    String message = m.getMessage();
    if (missing.size() > MAX_DETAIL_DIGESTS) {
      message +=
          " (the detail lists the first "
              + MAX_DETAIL_DIGESTS
              + " of "
              + missing.size()
              + "; ask FindMissingBlobs for the rest)";
    }
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.FAILED_PRECONDITION.value())
            .setMessage(message)
            .addDetails(Any.pack(detail.build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /** Maps {@code t} to the status a client sees. */
  public static StatusRuntimeException toStatus(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (cause instanceof MissingBlobsException m) {
      return missingBlobs(m);
    }
    if (cause instanceof DispatchException de) {
      Status status =
          switch (de.kind()) {
            case NO_CAPABLE_WORKER, REJECTED -> Status.FAILED_PRECONDITION;
            case INVALID_TASK -> Status.INVALID_ARGUMENT;
            case QUEUE_FULL -> Status.RESOURCE_EXHAUSTED;
            case QUEUE_TIMEOUT -> Status.DEADLINE_EXCEEDED;
            case RETRIES_EXHAUSTED, SHUTTING_DOWN -> Status.UNAVAILABLE;
          };
      return status.withDescription(de.getMessage()).asRuntimeException();
    }
    if (cause instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(cause.getMessage()).asRuntimeException();
    }
    return Status.INTERNAL
        .withDescription(String.valueOf(cause))
        .withCause(cause)
        .asRuntimeException();
  }
}
