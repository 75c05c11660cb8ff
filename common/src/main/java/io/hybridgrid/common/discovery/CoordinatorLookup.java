package io.hybridgrid.common.discovery;

import java.time.Duration;
import java.util.Optional;

/** One bounded search for a coordinator. {@link MdnsLookup} is the real one; tests pass fakes. */
@FunctionalInterface
public interface CoordinatorLookup {
  /**
   * Looks for a coordinator for at most {@code timeout}.
   *
   * @return the first coordinator that answered, or empty when none did in time
   */
  Optional<DiscoveredCoordinator> find(Duration timeout) throws InterruptedException;
}
