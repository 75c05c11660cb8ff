package io.hybridgrid.cli.cache;

import io.hybridgrid.common.config.Config;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The cache settings of one invocation, from the environment of the client that made it and the
 * config files.
 *
 * @param dir the cache directory ({@code cache_dir} / {@code HG_CACHE_DIR}, else {@code
 *     $HOME/.hybridgrid/cache})
 * @param maxBytes the size limit ({@code cache_size} / {@code HG_CACHE_SIZE}, default 5 GiB)
 * @param enabled false under {@code no_cache} / {@code HG_NO_CACHE=1}
 * @param direct false under {@code no_direct} / {@code HG_NO_DIRECT=1}: every lookup runs the
 *     preprocessor
 */
public record CacheConfig(Path dir, long maxBytes, boolean enabled, boolean direct) {

  public CacheConfig {
    Objects.requireNonNull(dir, "dir");
    if (!dir.isAbsolute()) {
      throw new IllegalArgumentException("the cache directory must be absolute, not '" + dir + "'");
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("the cache size limit must be positive, not " + maxBytes);
    }
  }

  /**
   * The settings for {@code env} and the config files; invalid values are replaced by the next
   * source's (see {@link Config}), so this never fails. A relative directory is taken from {@code
   * cwd}.
   *
   * @return the settings, or empty when no directory can be named (neither variable is set)
   */
  public static Optional<CacheConfig> fromEnv(Map<String, String> env, Path cwd) {
    return from(Config.load(Map.of(), env), env, cwd);
  }

  /** The settings of {@code config}; {@code env} names {@code $HOME} for the default directory. */
  public static Optional<CacheConfig> from(Config config, Map<String, String> env, Path cwd) {
    String d = config.text("cache_dir");
    Path dir;
    String home = env.get("HOME");
    if (d.startsWith("~/") && home != null && !home.isBlank()) {
      dir = Path.of(home).resolve(d.substring(2));
    } else if (!d.isEmpty()) {
      dir = cwd.resolve(d);
    } else {
      if (home == null || home.isBlank()) {
        return Optional.empty();
      }
      dir = cwd.resolve(home).resolve(".hybridgrid").resolve("cache");
    }
    return Optional.of(
        new CacheConfig(
            dir.normalize(),
            config.bytes("cache_size"),
            !config.bool("no_cache"),
            !config.bool("no_direct")));
  }
}
