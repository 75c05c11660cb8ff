package io.hybridgrid.cli.daemon;

import java.time.Duration;
import java.util.Map;

/**
 * How a daemon runs.
 *
 * @param paths where it listens
 * @param idleTimeout it exits after this long without requests; zero means never
 * @param maxConcurrentRequests requests served at once (more wait in a queue of {@code 4x} that
 *     size, beyond which the launcher is told to compile locally); compiles waiting on the grid
 *     hold a slot, so this is well above any {@code make -j}
 * @param requestReadTimeout how long a launcher may take to send its request
 * @param drainTimeout how long shutting down waits for requests in flight
 */
public record DaemonSettings(
    DaemonPaths paths,
    Duration idleTimeout,
    int maxConcurrentRequests,
    Duration requestReadTimeout,
    Duration drainTimeout) {

  /** Seconds without requests before the daemon exits, unless configured. */
  public static final long DEFAULT_IDLE_SECONDS = 600;

  public DaemonSettings {
    if (paths == null) {
      throw new IllegalArgumentException("daemon paths are required");
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idle timeout must not be negative: " + idleTimeout);
    }
    if (maxConcurrentRequests < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentRequests must be at least 1, not " + maxConcurrentRequests);
    }
    if (requestReadTimeout.isNegative() || requestReadTimeout.isZero()) {
      throw new IllegalArgumentException("request read timeout must be positive");
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drain timeout must not be negative");
    }
  }

  /** The defaults, with the idle timeout from {@code flag}, else HG_DAEMON_IDLE_TIMEOUT. */
  public static DaemonSettings resolve(DaemonPaths paths, Long idleFlag, Map<String, String> env) {
    long idle = DEFAULT_IDLE_SECONDS;
    if (idleFlag != null) {
      idle = idleFlag;
    } else {
      String v = env.get("HG_DAEMON_IDLE_TIMEOUT");
      if (v != null && !v.isBlank()) {
        try {
          idle = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "HG_DAEMON_IDLE_TIMEOUT must be a number of seconds, not '" + v + "'", e);
        }
      }
    }
    if (idle < 0) {
      throw new IllegalArgumentException("the idle timeout must be 0 (never) or more seconds");
    }
    return new DaemonSettings(
        paths, Duration.ofSeconds(idle), 256, Duration.ofSeconds(30), Duration.ofSeconds(60));
  }
}
