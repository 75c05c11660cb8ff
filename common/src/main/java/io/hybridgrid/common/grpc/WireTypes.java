package io.hybridgrid.common.grpc;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.proto.v1.TaskRejection;

/**
 * Conversions between the domain's compiler identity and language and their API v1 messages, the
 * one place client, coordinator and worker translate them. Bad input from the wire is an {@link
 * IllegalArgumentException} naming the field.
 */
public final class WireTypes {
  private WireTypes() {}

  public static io.hybridgrid.proto.v1.CompilerIdentity toWire(CompilerIdentity id) {
    return io.hybridgrid.proto.v1.CompilerIdentity.newBuilder()
        .setFamily(id.family())
        .setVersion(id.version())
        .setTarget(id.target())
        .setCxxDriver(id.cxxDriver())
        .build();
  }

  /** The identity a message names; it must have a known family, a version and a target. */
  public static CompilerIdentity fromWire(io.hybridgrid.proto.v1.CompilerIdentity c) {
    if (c.getVersion().isEmpty() || c.getTarget().isEmpty()) {
      throw new IllegalArgumentException("compiler identity needs a version and a target");
    }
    return new CompilerIdentity(c.getFamily(), c.getVersion(), c.getTarget(), c.getCxxDriver());
  }

  /** A rejection reason on the wire. */
  public static TaskRejection.Reason toWire(Rejection r) {
    return switch (r) {
      case UNKNOWN_COMPILER -> TaskRejection.Reason.UNKNOWN_COMPILER;
      case FORBIDDEN_ARGUMENT -> TaskRejection.Reason.FORBIDDEN_ARGUMENT;
      case INVALID_TASK -> TaskRejection.Reason.INVALID_TASK;
      case UNAVAILABLE -> TaskRejection.Reason.UNAVAILABLE;
      case INFRASTRUCTURE -> TaskRejection.Reason.INFRASTRUCTURE;
    };
  }

  /**
   * The reason a worker gave; unspecified or unknown values (a newer worker) are infrastructure
   * failures, so the task is tried elsewhere rather than failed.
   */
  public static Rejection fromWire(TaskRejection.Reason r) {
    return switch (r) {
      case UNKNOWN_COMPILER -> Rejection.UNKNOWN_COMPILER;
      case FORBIDDEN_ARGUMENT -> Rejection.FORBIDDEN_ARGUMENT;
      case INVALID_TASK -> Rejection.INVALID_TASK;
      case UNAVAILABLE -> Rejection.UNAVAILABLE;
      default -> Rejection.INFRASTRUCTURE;
    };
  }
}
