package io.hybridgrid.common.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One setting of the configuration file, with the environment variable that overrides it.
 *
 * @param name the key as written in config.toml; {@code coord.grpc_port} is {@code grpc_port} in
 *     the file's {@code [coord]} table
 * @param env the environment variable ({@code HG_} and the name in capitals, dots as underscores,
 *     unless an older name is kept)
 * @param defaultValue the value when nothing sets it; empty when the program works it out (shown as
 *     {@code defaultText})
 * @param defaultText how the default reads in {@code hgbuild config show} and the docs
 * @param type what values are valid
 * @param programs which programs read it: hgbuild, hg-coord, hg-worker
 * @param description one line for the docs
 */
public record ConfigKey(
    String name,
    String env,
    String defaultValue,
    String defaultText,
    ValueType type,
    String programs,
    String description) {
  public ConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(type, "type");
  }

  /** The environment variable a key gets unless it keeps an older one. */
  static String envFor(String name) {
    return "HG_" + name.replace('.', '_').toUpperCase(Locale.ROOT);
  }
}
