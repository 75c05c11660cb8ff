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

/**
 * {@code hgbuild cache trim}: evicts least recently used entries now, as a compile does when the
 * cache outgrows its limit.
 */
@Command(
    name = "trim",
    mixinStandardHelpOptions = true,
    description =
        "Evict least recently used entries until the cache is at most 90%% of the limit"
            + " (if it is over the limit).")
final class CacheTrimCommand implements Callable<Integer> {
  @ParentCommand CacheCommand parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(
      names = "--max-size",
      paramLabel = "SIZE",
      description = "The limit to trim to, like 5G or 500M (default: $HG_CACHE_SIZE, else 5G).")
  String maxSize;

  @Override
  public Integer call() throws Exception {
    Main main = parent.parent;
    CacheConfig config = main.cacheConfig();
    long limit = maxSize == null ? config.maxBytes() : CacheSize.parse("--max-size", maxSize);
    LocalCache cache = main.openCache(config);
    LocalCache.Usage removed = cache.trim(limit);
    LocalCache.Usage now = cache.usage();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cache_dir", config.dir().toString());
      m.put("limit_bytes", limit);
      m.put("evicted_entries", removed.files());
      m.put("evicted_bytes", removed.bytes());
      m.put("entries", now.files());
      m.put("size_bytes", now.bytes());
      out.println(CacheReport.json(m));
    } else {
      out.printf(
          "evicted %d entries (%s); %d entries, %s of %s in %s%n",
          removed.files(),
          CacheSize.format(removed.bytes()),
          now.files(),
          CacheSize.format(now.bytes()),
          CacheSize.format(limit),
          config.dir());
    }
    out.flush();
    return 0;
  }
}
