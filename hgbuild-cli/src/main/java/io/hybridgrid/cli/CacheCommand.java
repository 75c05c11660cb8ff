package io.hybridgrid.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hgbuild cache stats|clear|trim}: the local compile cache. */
@Command(
    name = "cache",
    mixinStandardHelpOptions = true,
    description = "Inspect or clean the local compile cache ($HG_CACHE_DIR).",
    subcommands = {CacheStatsCommand.class, CacheClearCommand.class, CacheTrimCommand.class})
final class CacheCommand implements Callable<Integer> {
  @ParentCommand Main parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }
}
