package io.hybridgrid.cli.compile;

import io.hybridgrid.common.config.Config;
import io.hybridgrid.common.grpc.HostPort;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How hgbuild compiles, from flags, the environment and the config files ({@link Config}).
 *
 * @param coordinator where hg-coord listens
 * @param noFallback fail instead of compiling locally when the grid cannot serve
 * @param verbose print where each file was compiled
 * @param timeout the longest a remote compile (queueing included) may take
 * @param batch queue behind interactive compiles ({@code priority = batch})
 * @param skipCache neither look up nor store in any cache, the coordinator's included ({@code
 *     no_cache})
 * @param builtinScan find an action's inputs with hgbuild's own include scan ({@code scan =
 *     builtin}) rather than the compiler's {@code -M} ({@code scan = compiler})
 * @param warnings settings that were invalid, each naming its key and what was used instead; the
 *     compile goes on and prints them as {@code hgbuild: warning: ...}
 */
public record ClientSettings(
    HostPort coordinator,
    boolean noFallback,
    boolean verbose,
    Duration timeout,
    boolean batch,
    boolean skipCache,
    boolean builtinScan,
    List<String> warnings) {

  /** The default coordinator when neither {@code -C} nor {@code HG_COORDINATOR} says otherwise. */
  public static final String DEFAULT_COORDINATOR = "127.0.0.1:9000";

  public ClientSettings {
    warnings = List.copyOf(warnings);
  }

  /** Interactive, cache on, no warnings. */
  public ClientSettings(
      HostPort coordinator, boolean noFallback, boolean verbose, Duration timeout) {
    this(coordinator, noFallback, verbose, timeout, false, false, true, List.of());
  }

  /**
   * The configuration of one compile or command: {@code -C}, {@code --no-fallback}, {@code -v} and
   * {@code --no-mdns} as flags (only when given), then the environment and the config files.
   */
  public static Config config(
      String coordinatorFlag,
      boolean noFallbackFlag,
      boolean verboseFlag,
      boolean noMdnsFlag,
      Map<String, String> env) {
    return config(
        coordinatorFlag, noFallbackFlag, verboseFlag, noMdnsFlag, env, Config.SYSTEM_FILE);
  }

  /** As above, with another system file (tests). */
  public static Config config(
      String coordinatorFlag,
      boolean noFallbackFlag,
      boolean verboseFlag,
      boolean noMdnsFlag,
      Map<String, String> env,
      java.nio.file.Path systemFile) {
    Map<String, String> flags = new HashMap<>();
    if (coordinatorFlag != null && !coordinatorFlag.isBlank()) {
      flags.put("coordinator", coordinatorFlag);
    }
    if (noFallbackFlag) {
      flags.put("no_fallback", "true");
    }
    if (verboseFlag) {
      flags.put("verbose", "true");
    }
    if (noMdnsFlag) {
      flags.put("no_mdns", "true");
    }
    return Config.load(flags, env, systemFile);
  }

  /**
   * The coordinator the configuration names ({@code -C}, {@code HG_COORDINATOR}, the files), or
   * null when discovery should find one.
   */
  public static String explicitCoordinator(Config config) {
    String c = config.text("coordinator");
    return c.isEmpty() ? null : c;
  }

  /**
   * The environment discovery should see: without an {@code HG_COORDINATOR} the configuration
   * rejected (it was reported; discovery must not trip over it again).
   */
  public static Map<String, String> discoveryEnv(Config config, Map<String, String> env) {
    if (explicitCoordinator(config) != null || !env.containsKey("HG_COORDINATOR")) {
      return env;
    }
    Map<String, String> copy = new HashMap<>(env);
    copy.remove("HG_COORDINATOR");
    return copy;
  }

  /**
   * Resolves every client setting of {@code config} (so each invalid one is reported once, the
   * cache's included) for a coordinator already found.
   */
  public static ClientSettings resolve(String coordinator, Config config) {
    // Read for their warnings: the cache settings are applied by CacheConfig.
    config.get("cache_dir");
    config.get("cache_size");
    config.get("no_direct");
    return new ClientSettings(
        HostPort.parse(coordinator),
        config.bool("no_fallback"),
        config.bool("verbose"),
        Duration.ofSeconds(config.number("timeout")),
        "batch".equals(config.text("priority")),
        config.bool("no_cache"),
        !"compiler".equals(config.text("scan")),
        config.warnings());
  }

  /**
   * Resolves settings: flags win over {@code HG_COORDINATOR}, {@code HG_NO_FALLBACK}, {@code
   * HG_VERBOSE}, {@code HG_TIMEOUT} and the rest, which win over the config files.
   */
  public static ClientSettings resolve(
      String coordinatorFlag,
      boolean noFallbackFlag,
      boolean verboseFlag,
      Map<String, String> env) {
    Config config = config(coordinatorFlag, noFallbackFlag, verboseFlag, false, env);
    String explicit = explicitCoordinator(config);
    return resolve(explicit != null ? explicit : DEFAULT_COORDINATOR, config);
  }
}
