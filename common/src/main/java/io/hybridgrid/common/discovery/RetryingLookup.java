package io.hybridgrid.common.discovery;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks for a coordinator until one answers: each attempt is bounded by {@code attemptTimeout};
 * between attempts it waits with exponential backoff from {@code firstBackoff} up to {@code
 * maxBackoff}. For long-running processes (hg-worker) that have nothing to do until they find one.
 */
public final class RetryingLookup {
  private static final Logger log = LoggerFactory.getLogger(RetryingLookup.class);

  /** How the wait between attempts is spent; production passes {@code Thread::sleep}-alike. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final CoordinatorLookup lookup;
  private final Duration attemptTimeout;
  private final Duration firstBackoff;
  private final Duration maxBackoff;
  private final Sleeper sleeper;

  public RetryingLookup(
      CoordinatorLookup lookup,
      Duration attemptTimeout,
      Duration firstBackoff,
      Duration maxBackoff,
      Sleeper sleeper) {
    this.lookup = Objects.requireNonNull(lookup, "lookup");
    this.attemptTimeout = positive("attemptTimeout", attemptTimeout);
    this.firstBackoff = positive("firstBackoff", firstBackoff);
    this.maxBackoff = positive("maxBackoff", maxBackoff);
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    if (maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must not be shorter than firstBackoff");
    }
  }

  /** Returns the first coordinator found; only an interrupt ends the search otherwise. */
  public DiscoveredCoordinator await() throws InterruptedException {
    Duration backoff = firstBackoff;
    for (int attempt = 1; ; attempt++) {
      Optional<DiscoveredCoordinator> found = lookup.find(attemptTimeout);
      if (found.isPresent()) {
        log.info("mDNS: found coordinator {} (attempt {})", found.get().describe(), attempt);
        return found.get();
      }
      log.info(
          "mDNS: no {} answered within {} ms (attempt {}); looking again in {} ms",
          CoordinatorAnnouncement.SERVICE_TYPE,
          attemptTimeout.toMillis(),
          attempt,
          backoff.toMillis());
      sleeper.sleep(backoff);
      backoff =
          backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
    }
  }

  private static Duration positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, not " + d);
    }
    return d;
  }
}
