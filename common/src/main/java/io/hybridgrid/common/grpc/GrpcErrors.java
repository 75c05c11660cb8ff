package io.hybridgrid.common.grpc;

import io.grpc.Status;

/** gRPC failures told as what is wrong and what to do. */
public final class GrpcErrors {
  private GrpcErrors() {}

  /**
   * Whether {@code status} comes from a peer that answered in HTTP/1 (its reply starts "HTTP/", hex
   * 485454502f, where an HTTP/2 SETTINGS frame was due): a web server, such as hg-coord's HTTP
   * port, rather than its gRPC port.
   */
  public static boolean isHttp1Peer(Status status) {
    if (status.getDescription() != null && status.getDescription().contains("http2 exception")) {
      return true;
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("485454502f") || m.contains("HTTP/1"))) {
        return true;
      }
    }
    return false;
  }

  /** The explanation for a call to {@code target} that an HTTP/1 server answered. */
  public static String http1Peer(String target) {
    String host;
    try {
      host = HostPort.parse(target).host();
    } catch (IllegalArgumentException e) {
      host = "HOST";
    }
    return target
        + " answers in HTTP/1, not gRPC: it looks like hg-coord's HTTP port (dashboard, /metrics);"
        + " give its gRPC port instead (default 9000), e.g. -C "
        + host
        + ":9000 or HG_COORDINATOR="
        + host
        + ":9000";
  }

  /** A short reason for a failed call to {@code target}. */
  public static String describe(Status s, String target) {
    if (isHttp1Peer(s)) {
      return http1Peer(target);
    }
    if (s.getCode() == Status.Code.UNAVAILABLE
        && s.getDescription() != null
        && s.getDescription().startsWith("io exception")) {
      return "coordinator not reachable";
    }
    return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
  }
}
