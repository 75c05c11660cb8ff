package io.hybridgrid.cli;

import io.hybridgrid.cli.cache.CacheConfig;
import io.hybridgrid.cli.cache.CacheSize;
import io.hybridgrid.cli.cache.LocalCache;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hgbuild cache clear}: deletes every entry; the counters stay. */
@Command(
    name = "clear",
    mixinStandardHelpOptions = true,
    description = "Delete every cache entry (the counters are kept).")
final class CacheClearCommand implements Callable<Integer> {
  @ParentCommand CacheCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Main main = parent.parent;
    CacheConfig config = main.cacheConfig();
    LocalCache.Usage removed = main.openCache(config).clear();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cache_dir", config.dir().toString());
      m.put("removed_entries", removed.files());
      m.put("removed_bytes", removed.bytes());
      out.println(CacheReport.json(m));
    } else {
      out.printf(
          "removed %d entries (%s) from %s%n",
          removed.files(), CacheSize.format(removed.bytes()), config.dir());
    }
    out.flush();
    return 0;
  }
}
