package io.hybridgrid.cli.cache;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A separate process that stores one key {@code count} times, for {@link LocalCacheTest}'s
 * many-writers test: {@code CacheWriterMain <dir> <key hex> <writer id> <count>}.
 */
public final class CacheWriterMain {
  private CacheWriterMain() {}

  public static void main(String[] args) throws Exception {
    LocalCache cache = new LocalCache(Path.of(args[0]), Clock.systemUTC());
    Hash128 key = Hash128.parseHex(args[1]);
    int count = Integer.parseInt(args[3]);
    for (int i = 0; i < count; i++) {
      StatsDelta delta = new StatsDelta();
      cache.putResult(key, LocalCacheTest.result(args[2] + "/" + i), delta);
      cache.record(delta, CacheSize.DEFAULT);
    }
    System.out.write("done\n".getBytes(StandardCharsets.UTF_8));
    System.out.flush();
  }
}
