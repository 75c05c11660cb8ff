package io.hybridgrid.common.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The settings of one program run (or one daemon request), from five sources, first match wins: a
 * command-line flag, the environment, the user's config file, the system's config file, the
 * default. A value that is not valid where it was found is reported as a warning naming the key and
 * where it came from, and the next source is used: a bad setting never stops a compile.
 *
 * <p>Not shared between threads: make one per run or request.
 */
public final class Config {
  /** The system file every program reads. */
  public static final Path SYSTEM_FILE = Path.of("/etc/hybridgrid/config.toml");

  private final Map<String, String> flags;
  private final Map<String, String> env;
  private final ConfigFile user;
  private final ConfigFile system;
  private final List<String> warnings = new ArrayList<>();

  /**
   * @param flags key name to the value a command-line flag gave (only flags that were given)
   * @param env the environment
   * @param user the user's file
   * @param system the system's file
   */
  public Config(
      Map<String, String> flags, Map<String, String> env, ConfigFile user, ConfigFile system) {
    this.flags = Map.copyOf(flags);
    this.env = env;
    this.user = user;
    this.system = system;
    warnings.addAll(system.problems());
    warnings.addAll(user.problems());
  }

  /** Reads the user file for {@code env} and {@link #SYSTEM_FILE}. */
  public static Config load(Map<String, String> flags, Map<String, String> env) {
    return load(flags, env, SYSTEM_FILE);
  }

  /** Reads the user file for {@code env} and {@code systemFile}. */
  public static Config load(Map<String, String> flags, Map<String, String> env, Path systemFile) {
    return new Config(
        flags, env, ConfigFile.read(userFile(env).orElse(null)), ConfigFile.read(systemFile));
  }

  /**
   * The user's file: {@code $XDG_CONFIG_HOME/hybridgrid/config.toml}, else {@code
   * $HOME/.config/hybridgrid/config.toml}; empty when neither variable is set.
   */
  public static java.util.Optional<Path> userFile(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return java.util.Optional.of(Path.of(xdg, "hybridgrid", "config.toml"));
    }
    String home = env.get("HOME");
    if (home != null && !home.isBlank()) {
      return java.util.Optional.of(Path.of(home, ".config", "hybridgrid", "config.toml"));
    }
    return java.util.Optional.empty();
  }

  /** Where a value came from. */
  public enum Source {
    FLAG("flag"),
    ENVIRONMENT("environment"),
    USER_FILE("user file"),
    SYSTEM_FILE("system file"),
    DEFAULT("default");

    private final String label;

    Source(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * A resolved value.
   *
   * @param key the key
   * @param value the value in canonical form; empty when unset and the program decides
   * @param source where it came from
   * @param where the flag, variable or file that gave it (empty for the default)
   */
  public record Setting(ConfigKey key, String value, Source source, String where) {
    /** Whether something other than the default set it. */
    public boolean isSet() {
      return source != Source.DEFAULT;
    }

    /** "environment (HG_TIMEOUT)", "user file (/home/me/.config/...)", "default". */
    public String origin() {
      return where.isEmpty() ? source.toString() : source + " (" + where + ")";
    }
  }

  /** The value of {@code key}, from the first source that has a valid one. */
  public Setting get(ConfigKey key) {
    List<String> rejected = new ArrayList<>();
    Setting found = null;
    found = tryLevel(key, flags.get(key.name()), Source.FLAG, "", rejected);
    if (found == null) {
      found = tryLevel(key, env.get(key.env()), Source.ENVIRONMENT, key.env(), rejected);
    }
    if (found == null && user.path() != null) {
      found =
          tryLevel(
              key,
              user.values().get(key.name()),
              Source.USER_FILE,
              user.path().toString(),
              rejected);
    }
    if (found == null && system.path() != null) {
      found =
          tryLevel(
              key,
              system.values().get(key.name()),
              Source.SYSTEM_FILE,
              system.path().toString(),
              rejected);
    }
    if (found == null) {
      found = new Setting(key, key.defaultValue(), Source.DEFAULT, "");
    }
    for (String r : rejected) {
      warnings.add(
          r
              + "; using "
              + (found.value().isEmpty() ? key.defaultText() : "'" + found.value() + "'")
              + " ("
              + found.origin()
              + ")");
    }
    return found;
  }

  /** The value of the key called {@code name}. */
  public Setting get(String name) {
    return get(ConfigKeys.get(name));
  }

  private static Setting tryLevel(
      ConfigKey key, String raw, Source source, String where, List<String> rejected) {
    if (raw == null || (source == Source.ENVIRONMENT && raw.isEmpty())) {
      return null; // an empty variable counts as unset, as for HG_COORDINATOR= before
    }
    try {
      return new Setting(key, key.type().check(raw), source, where);
    } catch (IllegalArgumentException e) {
      String name = source == Source.ENVIRONMENT ? key.env() : key.name();
      String place =
          switch (source) {
            case ENVIRONMENT -> "environment";
            case FLAG -> "command line";
            default -> where;
          };
      rejected.add(
          "invalid value '" + raw + "' for " + name + " (" + place + "): " + e.getMessage());
      return null;
    }
  }

  /** Text of {@code name}; empty when unset. */
  public String text(String name) {
    return get(name).value();
  }

  /** Yes/no of {@code name}. */
  public boolean bool(String name) {
    return Boolean.parseBoolean(get(name).value());
  }

  /** Whole number of {@code name} (a key with a numeric default). */
  public long number(String name) {
    return Long.parseLong(get(name).value());
  }

  /** Bytes of the size key {@code name}. */
  public long bytes(String name) {
    return ValueType.parseSize(get(name).value(), true);
  }

  /**
   * What was wrong so far: file problems and invalid values, each naming the key (or file) and
   * saying what was used instead. Programs print each as "PROGRAM: warning: TEXT".
   */
  public List<String> warnings() {
    return Collections.unmodifiableList(new ArrayList<>(warnings));
  }

  /** The user's file this configuration read (null when none could be named). */
  public Path userPath() {
    return user.path();
  }

  /** The system file this configuration read. */
  public Path systemPath() {
    return system.path();
  }
}
