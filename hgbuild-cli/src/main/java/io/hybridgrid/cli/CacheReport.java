package io.hybridgrid.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hybridgrid.cli.cache.CacheConfig;
import io.hybridgrid.cli.cache.CacheSize;
import io.hybridgrid.cli.cache.LocalCache;
import io.hybridgrid.cli.cache.StatsDelta;
import io.hybridgrid.cli.cache.UncacheableReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The counters and usage of a cache directory, as text or JSON ({@code stats}, {@code cache
 * stats}).
 */
final class CacheReport {
  private final CacheConfig config;
  private final Map<String, Long> counters;
  private final LocalCache.Usage usage;

  private CacheReport(CacheConfig config, Map<String, Long> counters, LocalCache.Usage usage) {
    this.config = config;
    this.counters = counters;
    this.usage = usage;
  }

  static CacheReport of(CacheConfig config, LocalCache cache) throws IOException {
    return new CacheReport(config, cache.counters(), cache.usage());
  }

  private long get(String name) {
    return counters.getOrDefault(name, 0L);
  }

  /** The report as ordered fields: JSON keys and, in the same order, the text lines. */
  Map<String, Object> fields(boolean withCompiles) {
    long direct = get(StatsDelta.HITS_DIRECT);
    long pre = get(StatsDelta.HITS_PREPROCESSED);
    long misses = get(StatsDelta.MISSES);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cache_dir", config.dir().toString());
    m.put("enabled", config.enabled());
    m.put("direct_mode", config.direct());
    Map<String, Object> hits = new LinkedHashMap<>();
    hits.put("direct", direct);
    hits.put("preprocessed", pre);
    hits.put("total", direct + pre);
    m.put("hits", hits);
    m.put("misses", misses);
    long lookups = direct + pre + misses;
    m.put("hit_rate", lookups == 0 ? 0.0 : Math.round(1000.0 * (direct + pre) / lookups) / 1000.0);
    if (withCompiles) {
      Map<String, Object> compiles = new LinkedHashMap<>();
      compiles.put("remote", get(StatsDelta.REMOTE));
      compiles.put("local", get(StatsDelta.LOCAL));
      compiles.put("fallbacks", get(StatsDelta.FALLBACKS));
      m.put("compiles", compiles);
    }
    Map<String, Object> uncacheable = new LinkedHashMap<>();
    long total = 0;
    for (UncacheableReason r : UncacheableReason.values()) {
      long n = get(StatsDelta.UNCACHEABLE + r.slug());
      if (n > 0) {
        uncacheable.put(r.slug(), n);
        total += n;
      }
    }
    m.put("uncacheable_total", total);
    m.put("uncacheable", uncacheable);
    m.put("corrupt_entries_dropped", get(StatsDelta.CORRUPT));
    m.put("evictions", get(StatsDelta.EVICTIONS));
    m.put("entries", usage.files());
    m.put("size_bytes", usage.bytes());
    m.put("limit_bytes", config.maxBytes());
    return m;
  }

  void printJson(PrintWriter out, boolean withCompiles) {
    out.println(json(fields(withCompiles)));
    out.flush();
  }

  static String json(Object value) {
    try {
      return new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  void printText(PrintWriter out, boolean withCompiles) {
    long direct = get(StatsDelta.HITS_DIRECT);
    long pre = get(StatsDelta.HITS_PREPROCESSED);
    long misses = get(StatsDelta.MISSES);
    long lookups = direct + pre + misses;
    out.printf("cache directory          %s%n", config.dir());
    out.printf(
        "cache                    %s%s%n",
        config.enabled() ? "enabled" : "disabled (HG_NO_CACHE)",
        config.enabled() && !config.direct() ? ", direct mode off (HG_NO_DIRECT)" : "");
    out.printf(
        "hits                     %d (direct %d, preprocessed %d)%n", direct + pre, direct, pre);
    out.printf("misses                   %d%n", misses);
    out.printf(
        "hit rate                 %s%n",
        lookups == 0
            ? "-"
            : String.format(Locale.ROOT, "%.1f %%", 100.0 * (direct + pre) / lookups));
    if (withCompiles) {
      out.printf(
          "compiles                 remote %d, local %d, fallbacks %d%n",
          get(StatsDelta.REMOTE), get(StatsDelta.LOCAL), get(StatsDelta.FALLBACKS));
    }
    long total = 0;
    StringBuilder lines = new StringBuilder();
    for (UncacheableReason r : UncacheableReason.values()) {
      long n = get(StatsDelta.UNCACHEABLE + r.slug());
      if (n > 0) {
        total += n;
        lines.append(String.format(Locale.ROOT, "  %-22s %d%n", r.label(), n));
      }
    }
    out.printf("uncacheable              %d%n", total);
    out.print(lines);
    out.printf("corrupt entries dropped  %d%n", get(StatsDelta.CORRUPT));
    out.printf("evictions                %d%n", get(StatsDelta.EVICTIONS));
    out.printf("entries                  %d%n", usage.files());
    out.printf(
        "size                     %s of %s%n",
        CacheSize.format(usage.bytes()), CacheSize.format(config.maxBytes()));
    out.flush();
  }
}
