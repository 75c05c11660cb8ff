package io.hybridgrid.common.config;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Fills a server's picocli options from {@link Config}: {@code --grpc-port} of hg-coord reads
 * {@code coord.grpc_port} ({@code HG_COORD_GRPC_PORT}, then the files), {@code --no-mdns} the
 * shared {@code no_mdns}. A value on the command line wins, as picocli applies defaults first.
 *
 * <p>Yes/no flags ({@code --no-mdns}, {@code --no-cache}) are not given to picocli as defaults:
 * picocli sets a flag named on the command line to the opposite of its default, so a setting of
 * {@code true} plus the flag would turn the feature back on. A flag is on when it is named or its
 * setting says yes; {@link #install} applies the settings after parsing.
 */
public final class PicocliDefaults implements CommandLine.IDefaultValueProvider {
  private final Config config;
  private final String section;

  /**
   * @param config the environment and files
   * @param section the table of this program's keys: {@code coord} or {@code worker}
   */
  public PicocliDefaults(Config config, String section) {
    this.config = config;
    this.section = section;
  }

  /**
   * The key an option reads, if any: {@code --cache-disk-size} is {@code coord.cache_disk_size}.
   */
  public Optional<ConfigKey> keyOf(OptionSpec option) {
    String name = option.longestName().replaceFirst("^--", "").replace('-', '_');
    return ConfigKeys.find(section + "." + name).or(() -> ConfigKeys.find(name));
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || isFlag(option)) {
      return null;
    }
    Optional<ConfigKey> key = keyOf(option);
    if (key.isEmpty()) {
      return null;
    }
    Config.Setting s = config.get(key.get());
    return s.isSet() ? s.value() : null; // else the option's own default
  }

  /**
   * {@code cl} with its options filled from the environment and the config files; every invalid
   * setting is printed as {@code PROGRAM: warning: ...} before the command runs.
   */
  public static CommandLine install(
      CommandLine cl, Map<String, String> env, String section, String program, PrintStream err) {
    return install(cl, Config.load(Map.of(), env), section, program, err);
  }

  /** As above, with the settings already read. */
  public static CommandLine install(
      CommandLine cl, Config config, String section, String program, PrintStream err) {
    PicocliDefaults defaults = new PicocliDefaults(config, section);
    cl.setDefaultValueProvider(defaults);
    CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
    cl.setExecutionStrategy(
        parsed -> {
          // Flags first: reading their settings is what finds a bad one to warn about.
          for (CommandLine c : parsed.asCommandLineList()) {
            defaults.applyFlags(c.getCommandSpec());
          }
          for (String w : config.warnings()) {
            err.println(program + ": warning: " + w);
          }
          return run.execute(parsed);
        });
    return cl;
  }

  /** Turns on every flag of {@code spec} whose setting says yes (one named stays on). */
  void applyFlags(CommandLine.Model.CommandSpec spec) {
    for (OptionSpec option : spec.options()) {
      if (isFlag(option)) {
        Optional<ConfigKey> key = keyOf(option);
        if (key.isPresent() && "true".equals(config.get(key.get()).value())) {
          option.setValue(true);
        }
      }
    }
  }

  private static boolean isFlag(OptionSpec option) {
    return option.arity().max() == 0
        && (option.type() == boolean.class || option.type() == Boolean.class);
  }

  /**
   * A server's default state directory: {@code $XDG_STATE_HOME/hybridgrid/NAME}, else {@code
   * $HOME/.hybridgrid/NAME}, else under the JVM's {@code user.home}.
   */
  public static Path stateDir(Map<String, String> env, String name) {
    String xdg = env.get("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "hybridgrid", name);
    }
    String home = env.get("HOME");
    if (home == null || home.isBlank()) {
      home = System.getProperty("user.home");
    }
    return Path.of(home, ".hybridgrid", name);
  }
}
