package io.hybridgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hybridgrid.cli.cache.CacheSize;
import io.hybridgrid.cli.cache.CachedResult;
import io.hybridgrid.cli.cache.KeyBuilder;
import io.hybridgrid.cli.cache.LocalCache;
import io.hybridgrid.cli.cache.StatsDelta;
import io.hybridgrid.cli.cache.UncacheableReason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CacheCommandsTest {

  @TempDir Path tmp;

  private Path dir;
  private LocalCache cache;

  /**
   * One command's result.
   *
   * @param exit exit code
   * @param out standard output
   * @param err standard error
   */
  private record Result(int exit, String out, String err) {}

  @BeforeEach
  void fill() throws Exception {
    dir = tmp.resolve("cache");
    cache = new LocalCache(dir, Clock.systemUTC());
    StatsDelta d = new StatsDelta();
    for (int i = 0; i < 5; i++) {
      cache.putResult(
          new KeyBuilder().put("k", i).build(),
          new CachedResult(
              "a.o", new byte[10_000], new byte[0], "w\n".getBytes(StandardCharsets.UTF_8), null),
          d);
    }
    d.add(StatsDelta.HITS_DIRECT, 3);
    d.add(StatsDelta.HITS_PREPROCESSED, 1);
    d.add(StatsDelta.MISSES, 4);
    d.add(StatsDelta.REMOTE, 2);
    d.add(StatsDelta.LOCAL, 5);
    d.add(StatsDelta.FALLBACKS, 1);
    d.uncacheable(UncacheableReason.LINKING);
    d.uncacheable(UncacheableReason.TIME_MACRO);
    d.uncacheable(UncacheableReason.TIME_MACRO);
    cache.record(d, CacheSize.DEFAULT);
  }

  private Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(env, tmp);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  private Result run(String... args) {
    return run(Map.of("HG_CACHE_DIR", dir.toString(), "HG_CACHE_SIZE", "1M"), args);
  }

  @Test
  void statsJsonCountsEverythingWithoutACoordinator() throws Exception {
    Result r = run("stats", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(dir.toString(), j.get("cache_dir").asText());
    assertEquals(3, j.get("hits").get("direct").asLong());
    assertEquals(1, j.get("hits").get("preprocessed").asLong());
    assertEquals(4, j.get("hits").get("total").asLong());
    assertEquals(4, j.get("misses").asLong());
    assertEquals(0.5, j.get("hit_rate").asDouble());
    assertEquals(2, j.get("compiles").get("remote").asLong());
    assertEquals(5, j.get("compiles").get("local").asLong());
    assertEquals(1, j.get("compiles").get("fallbacks").asLong());
    assertEquals(1, j.get("uncacheable").get("linking").asLong());
    assertEquals(2, j.get("uncacheable").get("time_macro").asLong());
    assertEquals(3, j.get("uncacheable_total").asLong());
    assertEquals(5, j.get("entries").asLong());
    assertEquals(cache.usage().bytes(), j.get("size_bytes").asLong());
    assertEquals(1 << 20, j.get("limit_bytes").asLong());
  }

  @Test
  void cacheStatsText() {
    Result r = run("cache", "stats");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("hits                     4 (direct 3, preprocessed 1)"), r.out());
    assertTrue(r.out().contains("hit rate                 50.0 %"), r.out());
    assertTrue(r.out().contains("__TIME__ without SOURCE_DATE_EPOCH 2"), r.out());
    assertTrue(r.out().contains("entries                  5"), r.out());
    assertTrue(r.out().contains(" of 1.0 MiB"), r.out());
    assertTrue(!r.out().contains("compiles"), "cache stats leaves out compile counts");
  }

  @Test
  void clearRemovesEveryEntryAndKeepsCounters() throws Exception {
    Result r = run("cache", "clear", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(5, j.get("removed_entries").asLong());
    assertEquals(0, cache.usage().files());
    assertEquals(3L, cache.counters().get(StatsDelta.HITS_DIRECT));
    assertTrue(run("cache", "clear").out().startsWith("removed 0 entries"));
  }

  @Test
  void trimEvictsToTheGivenSize() throws Exception {
    long before = cache.usage().bytes();
    Result r = run("cache", "trim", "--max-size", "25K", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertTrue(j.get("evicted_entries").asLong() >= 3, r.out());
    assertTrue(cache.usage().bytes() <= 25 * 1024 * 9 / 10, r.out());
    assertEquals(before, cache.usage().bytes() + j.get("evicted_bytes").asLong());
    assertEquals(cache.usage().files(), j.get("entries").asLong());
  }

  @Test
  void badSizesAreClearErrors() {
    Result r = run("cache", "trim", "--max-size", "lots");
    assertEquals(1, r.exit());
    assertTrue(
        r.err().contains("--max-size must be a size such as 5G, 500M, 64K or a number of bytes"),
        r.err());
    // A bad setting is a warning naming it, never a failure (the default is used).
    Result env = run(Map.of("HG_CACHE_DIR", dir.toString(), "HG_CACHE_SIZE", "5Q"), "stats");
    assertEquals(0, env.exit());
    assertTrue(
        env.err()
            .startsWith(
                "hgbuild: warning: invalid value '5Q' for HG_CACHE_SIZE (environment): must be a"
                    + " size such as 5G"),
        env.err());
  }

  @Test
  void defaultDirectoryIsUnderHome() throws Exception {
    Result r = run(Map.of("HOME", tmp.resolve("home").toString()), "stats", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(tmp.resolve("home/.hybridgrid/cache").toString(), j.get("cache_dir").asText());
    assertEquals(0, j.get("entries").asLong());
    assertEquals(5L << 30, j.get("limit_bytes").asLong());
  }
}
