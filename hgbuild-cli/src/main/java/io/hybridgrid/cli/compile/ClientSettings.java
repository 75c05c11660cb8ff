package io.hybridgrid.cli.compile;

import io.hybridgrid.common.config.EnvFlags;
import io.hybridgrid.common.grpc.HostPort;
import java.time.Duration;
import java.util.Map;

/**
 * How hgbuild compiles, from flags and the environment.
 *
 * @param coordinator where hg-coord listens
 * @param noFallback fail instead of compiling locally when the grid cannot serve
 * @param verbose print where each file was compiled
 * @param timeout the longest a remote compile (queueing included) may take
 */
public record ClientSettings(
    HostPort coordinator, boolean noFallback, boolean verbose, Duration timeout) {

  /** The default coordinator when neither {@code -C} nor {@code HG_COORDINATOR} says otherwise. */
  public static final String DEFAULT_COORDINATOR = "127.0.0.1:9000";

  /**
   * Resolves settings: flags win over {@code HG_COORDINATOR}, {@code HG_NO_FALLBACK}, {@code
   * HG_VERBOSE} and {@code HG_TIMEOUT}.
   */
  public static ClientSettings resolve(
      String coordinatorFlag,
      boolean noFallbackFlag,
      boolean verboseFlag,
      Map<String, String> env) {
    String address = coordinatorFlag;
    if (address == null || address.isBlank()) {
      address = env.getOrDefault("HG_COORDINATOR", DEFAULT_COORDINATOR);
    }
    long timeoutSeconds = 600;
    String t = env.get("HG_TIMEOUT");
    if (t != null && !t.isBlank()) {
      try {
        timeoutSeconds = Long.parseLong(t.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "HG_TIMEOUT must be a number of seconds, not '" + t + "'", e);
      }
    }
    return new ClientSettings(
        HostPort.parse(address),
        noFallbackFlag || EnvFlags.isSet(env, "HG_NO_FALLBACK"),
        verboseFlag || EnvFlags.isSet(env, "HG_VERBOSE"),
        Duration.ofSeconds(timeoutSeconds));
  }
}
