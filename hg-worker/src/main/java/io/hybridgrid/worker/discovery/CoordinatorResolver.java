package io.hybridgrid.worker.discovery;

import io.hybridgrid.common.config.EnvFlags;
import io.hybridgrid.common.discovery.DiscoveredCoordinator;
import io.hybridgrid.common.discovery.RetryingLookup;
import io.hybridgrid.common.grpc.HostPort;
import java.util.Map;
import java.util.Objects;

/**
 * Where hg-worker dials: {@code --coordinator}, else {@code HG_COORDINATOR}, else the first
 * coordinator mDNS finds (waiting, with backoff, until one answers), unless mDNS is off ({@code
 * --no-mdns} or {@code HG_NO_MDNS=1}), in which case no address is an error.
 */
public final class CoordinatorResolver {
  private final RetryingLookup lookup;

  public CoordinatorResolver(RetryingLookup lookup) {
    this.lookup = Objects.requireNonNull(lookup, "lookup");
  }

  /**
   * Resolves the coordinator's address.
   *
   * @throws IllegalArgumentException when an address is malformed, or none is given and mDNS is off
   */
  public HostPort resolve(String flag, Map<String, String> env, boolean noMdnsFlag)
      throws InterruptedException {
    if (flag != null && !flag.isBlank()) {
      return HostPort.parse(flag);
    }
    String fromEnv = env.get("HG_COORDINATOR");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return HostPort.parse(fromEnv);
    }
    if (noMdnsFlag || EnvFlags.isSet(env, "HG_NO_MDNS")) {
      throw new IllegalArgumentException(
          "no coordinator address: pass --coordinator HOST:PORT or set HG_COORDINATOR"
              + " (mDNS discovery is off: "
              + (noMdnsFlag ? "--no-mdns" : "HG_NO_MDNS")
              + ")");
    }
    DiscoveredCoordinator found = lookup.await();
    return found.grpcAddress();
  }
}
