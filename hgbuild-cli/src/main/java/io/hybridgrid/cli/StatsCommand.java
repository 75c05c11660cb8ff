package io.hybridgrid.cli;

import io.hybridgrid.cli.cache.CacheConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hgbuild stats}: this machine's compile and cache counters; needs no coordinator. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Show this machine's compile and cache counters (no coordinator needed).")
final class StatsCommand implements Callable<Integer> {
  @ParentCommand Main parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(
      names = "--zero",
      description = "Set the counters to zero (the cache's entries stay), then show them.")
  boolean zero;

  @Override
  public Integer call() throws Exception {
    CacheConfig config = parent.cacheConfig();
    if (zero) {
      parent.openCache(config).zeroCounters();
    }
    CacheReport report = CacheReport.of(config, parent.openCache(config));
    if (json) {
      report.printJson(spec.commandLine().getOut(), true);
    } else {
      report.printText(spec.commandLine().getOut(), true);
    }
    return 0;
  }
}
