package io.hybridgrid.common.discovery;

import io.hybridgrid.common.grpc.HostPort;
import java.util.Objects;

/**
 * A coordinator found by mDNS.
 *
 * @param instance the mDNS service instance name, e.g. {@code hg-coord on build1}
 * @param host the address it announced (an IP literal)
 * @param announcement its ports and version
 */
public record DiscoveredCoordinator(
    String instance, String host, CoordinatorAnnouncement announcement) {
  public DiscoveredCoordinator {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(announcement, "announcement");
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("discovered coordinator has no address");
    }
  }

  /** Where to dial gRPC. */
  public HostPort grpcAddress() {
    return new HostPort(host, announcement.grpcPort());
  }

  /** For logs: {@code 'hg-coord on build1' at 10.0.0.5:9000 (http 8080, version 0.1.0)}. */
  public String describe() {
    return "'"
        + instance
        + "' at "
        + grpcAddress()
        + " (http "
        + announcement.httpPort()
        + ", version "
        + announcement.version()
        + ")";
  }
}
