package io.hybridgrid.cli.compile;

import io.hybridgrid.cli.cache.CacheConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One client's compile request with everything its environment decides, resolved once (by the
 * daemon's handler or the one-shot CLI) before the flow starts.
 *
 * @param settings coordinator, fallback, verbosity, timeout
 * @param cache the cache directory and its limits, or empty when there is none (HG_NO_CACHE)
 * @param env the client's environment (the compilers run with it)
 * @param cwd the working directory of the build
 * @param clientId who asks, for the coordinator's logs and dashboard ({@code USER})
 * @param batch whether {@code HG_PRIORITY=batch} asks for low priority
 */
public record ClientRequest(
    ClientSettings settings,
    Optional<CacheConfig> cache,
    Map<String, String> env,
    Path cwd,
    String clientId,
    boolean batch) {

  public ClientRequest {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(cache, "cache");
    env = Map.copyOf(env);
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(clientId, "clientId");
  }

  /**
   * Resolves the request's environment and config files; an invalid value never fails it (the
   * settings carry a warning naming the key, and the next source's value is used).
   */
  public static ClientRequest resolve(ClientSettings settings, Map<String, String> env, Path cwd) {
    return resolve(settings, CacheConfig.fromEnv(env, cwd), env, cwd);
  }

  /** As above, with the cache settings already read from the same configuration. */
  public static ClientRequest resolve(
      ClientSettings settings, Optional<CacheConfig> cache, Map<String, String> env, Path cwd) {
    return new ClientRequest(
        settings, cache, env, cwd, env.getOrDefault("USER", "hgbuild"), settings.batch());
  }
}
