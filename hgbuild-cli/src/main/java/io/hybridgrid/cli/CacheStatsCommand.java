package io.hybridgrid.cli;

import io.hybridgrid.cli.cache.CacheConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hgbuild cache stats}: hits, misses, uncacheable reasons, size and limit. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Show the cache's hits, misses, uncacheable reasons, size and limit.")
final class CacheStatsCommand implements Callable<Integer> {
  @ParentCommand CacheCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Main main = parent.parent;
    CacheConfig config = main.cacheConfig();
    CacheReport report = CacheReport.of(config, main.openCache(config));
    if (json) {
      report.printJson(spec.commandLine().getOut(), false);
    } else {
      report.printText(spec.commandLine().getOut(), false);
    }
    return 0;
  }
}
