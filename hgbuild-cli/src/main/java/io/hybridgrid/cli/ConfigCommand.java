package io.hybridgrid.cli;

import io.hybridgrid.common.config.Config;
import io.hybridgrid.common.config.ConfigFile;
import io.hybridgrid.common.config.ConfigKey;
import io.hybridgrid.common.config.ConfigKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hgbuild config show|set}: the settings of all three programs and where each comes from.
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = {
      "Show or change the configuration of hgbuild, hg-coord and hg-worker.",
      "Precedence: flag > environment > user file > system file > default.",
    },
    subcommands = {ConfigCommand.Show.class, ConfigCommand.Set.class})
final class ConfigCommand implements Callable<Integer> {
  @ParentCommand Main parent;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** {@code hgbuild config show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print every key, its effective value and where that value came from.")
  static final class Show implements Callable<Integer> {
    @ParentCommand ConfigCommand config;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Config c = config.parent.config();
      PrintWriter out = spec.commandLine().getOut();
      out.println("# user file:   " + (c.userPath() == null ? "(no HOME)" : c.userPath()));
      out.println("# system file: " + c.systemPath());
      int width = ConfigKeys.all().stream().mapToInt(k -> k.name().length()).max().orElse(10);
      for (ConfigKey key : ConfigKeys.all()) {
        Config.Setting s = c.get(key);
        String value = s.value().isEmpty() ? "(" + key.defaultText() + ")" : s.value();
        out.printf("%-" + width + "s  %-24s  %s%n", key.name(), value, s.origin());
      }
      out.flush();
      for (String w : c.warnings()) {
        spec.commandLine().getErr().println("hgbuild: warning: " + w);
      }
      return 0;
    }
  }

  /** {@code hgbuild config set KEY VALUE}. */
  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = "Set KEY to VALUE in your user file (created if need be).")
  static final class Set implements Callable<Integer> {
    @ParentCommand ConfigCommand config;

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "e.g. timeout, coord.grpc_port")
    String key;

    @Parameters(index = "1", paramLabel = "VALUE")
    String value;

    @Override
    public Integer call() throws Exception {
      Path file = config.parent.config().userPath();
      if (file == null) {
        spec.commandLine()
            .getErr()
            .println("hgbuild: error: no user config file: set HOME or XDG_CONFIG_HOME");
        return 1;
      }
      try {
        ConfigFile.set(file, key, value);
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("hgbuild: error: " + e.getMessage());
        return 2;
      }
      spec.commandLine().getOut().println(key + " = " + value + "  (in " + file + ")");
      return 0;
    }
  }
}
