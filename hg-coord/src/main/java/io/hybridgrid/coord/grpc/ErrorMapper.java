package io.hybridgrid.coord.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.coord.dispatch.DispatchException;
import java.util.concurrent.CompletionException;

/** The coordinator's one table from domain failures to gRPC status codes. */
public final class ErrorMapper {
  private ErrorMapper() {}

  /** Maps {@code t} to the status a client sees. */
  public static StatusRuntimeException toStatus(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof StatusRuntimeException sre) {
      return sre;
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
