package io.hybridgrid.cli.cache;

import io.hybridgrid.common.config.EnvFlags;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The cache settings of one invocation, from the environment of the client that made it.
 *
 * @param dir the cache directory ({@code HG_CACHE_DIR}, else {@code $HOME/.hybridgrid/cache})
 * @param maxBytes the size limit ({@code HG_CACHE_SIZE}, default 5 GiB)
 * @param enabled false under {@code HG_NO_CACHE=1}
 * @param direct false under {@code HG_NO_DIRECT=1}: every lookup runs the preprocessor
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
   * Reads {@code HG_CACHE_DIR}, {@code HG_CACHE_SIZE}, {@code HG_NO_CACHE} and {@code HG_NO_DIRECT}
   * from {@code env}; a relative {@code HG_CACHE_DIR} is taken from {@code cwd}.
   *
   * @return the settings, or empty when no directory can be named (neither variable is set)
   * @throws IllegalArgumentException for a malformed size
   */
  public static Optional<CacheConfig> fromEnv(Map<String, String> env, Path cwd) {
    String d = env.get("HG_CACHE_DIR");
    Path dir;
    if (d != null && !d.isBlank()) {
      dir = cwd.resolve(d);
    } else {
      String home = env.get("HOME");
      if (home == null || home.isBlank()) {
        return Optional.empty();
      }
      dir = cwd.resolve(home).resolve(".hybridgrid").resolve("cache");
    }
    String size = env.get("HG_CACHE_SIZE");
    long max =
        size == null || size.isBlank() ? CacheSize.DEFAULT : CacheSize.parse("HG_CACHE_SIZE", size);
    return Optional.of(
        new CacheConfig(
            dir.normalize(),
            max,
            !EnvFlags.isSet(env, "HG_NO_CACHE"),
            !EnvFlags.isSet(env, "HG_NO_DIRECT")));
  }
}
