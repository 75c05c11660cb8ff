package io.hybridgrid.coord.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.MoreExecutors;
import io.hybridgrid.coord.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TieredResultCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));

  @TempDir Path dir;

  /** Disk writes run on the caller's thread, so a put is on disk when it returns. */
  private TieredResultCache cache(long memoryBytes, long diskBytes) throws Exception {
    return new TieredResultCache(
            new CacheSettings(true, memoryBytes, dir.resolve("cache"), diskBytes),
            clock,
            MoreExecutors.newDirectExecutorService())
        .start();
  }

  private static CacheKey key(String name) throws Exception {
    return CacheKey.of(
        MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
  }

  /** A result whose object has {@code size} bytes derived from {@code seed}. */
  private static CachedResult result(int size, int seed) {
    byte[] object = new byte[size];
    Arrays.fill(object, (byte) seed);
    object[0] = 0x7f;
    return new CachedResult(
        object, new byte[0], ("warning " + seed).getBytes(StandardCharsets.UTF_8), 1000 + seed);
  }

  private long files() throws Exception {
    try (Stream<Path> s = Files.walk(dir.resolve("cache"))) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void aStoredResultIsAHitAndAnythingElseAMiss() throws Exception {
    TieredResultCache c = cache(1 << 20, 1 << 20);
    CachedResult r = result(1000, 1);

    assertEquals(Optional.empty(), c.get(key("a")));
    c.put(key("a"), r);

    assertEquals(Optional.of(r), c.get(key("a")));
    assertEquals(Optional.empty(), c.get(key("b")));
    CacheStats s = c.stats();
    assertEquals(1, s.hits());
    assertEquals(2, s.misses());
    assertEquals(0, s.diskHits());
    assertEquals(1, s.stores());
    assertEquals(1, s.memoryEntries());
    assertEquals(r.size() + TieredResultCache.ENTRY_OVERHEAD, s.memoryBytes());
    assertEquals(1, s.diskEntries());
    assertEquals(Files.size(c.disk().path(key("a"))), s.diskBytes());
    c.close();
  }

  @Test
  void diskTierAnswersAfterMemoryIsLostAndAfterARestart() throws Exception {
    TieredResultCache c = cache(1 << 20, 1 << 20);
    CachedResult r = result(5000, 2);
    c.put(key("a"), r);
    c.clearMemory();

    assertEquals(Optional.of(r), c.get(key("a")));
    assertEquals(1, c.stats().diskHits());
    assertEquals(1, c.stats().memoryEntries(), "a disk hit is copied into memory");
    c.close();

    TieredResultCache restarted = cache(1 << 20, 1 << 20);
    assertEquals(1, restarted.stats().diskEntries());
    assertEquals(Optional.of(r), restarted.get(key("a")));
    assertEquals(1, restarted.stats().diskHits());
    restarted.close();
  }

  @Test
  void aCorruptDiskEntryIsAMissAndIsDropped() throws Exception {
    TieredResultCache c = cache(0, 1 << 20); // disk only
    c.put(key("a"), result(3000, 3));
    c.put(key("b"), result(3000, 4));
    Path a = c.disk().path(key("a"));
    byte[] bytes = Files.readAllBytes(a);
    bytes[2000] ^= 0x01; // one bit in the object
    Files.write(a, bytes);
    Path b = c.disk().path(key("b"));
    Files.write(b, Arrays.copyOf(Files.readAllBytes(b), 100)); // truncated

    assertEquals(Optional.empty(), c.get(key("a")));
    assertEquals(Optional.empty(), c.get(key("b")));

    assertFalse(Files.exists(a));
    assertFalse(Files.exists(b));
    CacheStats s = c.stats();
    assertEquals(2, s.corrupt());
    assertEquals(2, s.misses());
    assertEquals(0, s.diskEntries());
    assertEquals(0, s.diskBytes());
    c.put(key("a"), result(3000, 3));
    assertEquals(Optional.of(result(3000, 3)), c.get(key("a")), "stored again after the drop");
    c.close();
  }

  @Test
  void anEntryFileUnderAnotherKeysNameIsNotServed() throws Exception {
    TieredResultCache c = cache(0, 1 << 20);
    c.put(key("a"), result(100, 5));
    c.put(key("b"), result(100, 6));
    Files.copy(
        c.disk().path(key("a")),
        c.disk().path(key("b")),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertEquals(Optional.empty(), c.get(key("b")));
    assertEquals(1, c.stats().corrupt());
    c.close();
  }

  @Test
  void diskEvictsLeastRecentlyUsedEntriesAndDeletesTheirFiles() throws Exception {
    // Each entry file is 10,000 object bytes, 9 stderr bytes and 64 bytes of framing.
    TieredResultCache c = cache(0, 3 * 10_100);
    c.put(key("a"), result(10_000, 1));
    clock.advance(Duration.ofSeconds(1));
    c.put(key("b"), result(10_000, 2));
    clock.advance(Duration.ofSeconds(1));
    c.put(key("c"), result(10_000, 3));
    assertEquals(3, files());
    c.get(key("a")); // a is now the most recently used; b the least

    c.put(key("d"), result(10_000, 4));

    assertEquals(3, files(), "one file deleted");
    assertFalse(Files.exists(c.disk().path(key("b"))));
    assertEquals(Optional.empty(), c.get(key("b")));
    assertTrue(c.get(key("a")).isPresent());
    assertTrue(c.get(key("c")).isPresent());
    assertTrue(c.get(key("d")).isPresent());
    assertTrue(c.stats().diskBytes() <= 3 * 10_100, () -> c.stats().toString());
    assertEquals(3 * Files.size(c.disk().path(key("a"))), c.stats().diskBytes());
    c.close();
  }

  @Test
  void recencySurvivesARestartThroughModificationTimes() throws Exception {
    TieredResultCache c = cache(0, 3 * 10_100);
    c.put(key("a"), result(10_000, 1));
    clock.advance(Duration.ofSeconds(10));
    c.put(key("b"), result(10_000, 2));
    clock.advance(Duration.ofSeconds(10));
    c.put(key("c"), result(10_000, 3));
    clock.advance(Duration.ofSeconds(10));
    c.get(key("a")); // stamps a's file with the newest time
    c.close();
    TieredResultCache restarted = cache(0, 3 * 10_100);
    restarted.put(key("d"), result(10_000, 4));

    assertFalse(Files.exists(restarted.disk().path(key("b"))), "b was least recently used");
    assertTrue(Files.exists(restarted.disk().path(key("a"))));
    restarted.close();
  }

  @Test
  void aRestartWithASmallerLimitEvictsDownToIt() throws Exception {
    TieredResultCache c = cache(0, 1 << 20);
    for (int i = 0; i < 10; i++) {
      c.put(key("k" + i), result(10_000, i));
    }
    c.close();
    TieredResultCache smaller = cache(0, 25_000);
    assertEquals(2, smaller.stats().diskEntries());
    assertEquals(2, files());
    smaller.close();
  }

  @Test
  void anEntryLargerThanTheDiskLimitIsNotWritten() throws Exception {
    TieredResultCache c = cache(0, 5_000);
    c.put(key("big"), result(10_000, 1));
    assertEquals(0, c.stats().diskEntries());
    assertEquals(0, files());
    c.close();
  }

  @Test
  void memoryTierIsBoundedByBytes() throws Exception {
    TieredResultCache c = cache(20_000, 0); // memory only
    for (int i = 0; i < 20; i++) {
      c.put(key("k" + i), result(4_000, i));
    }
    CacheStats s = c.stats();
    assertTrue(s.memoryBytes() <= 20_000, () -> s.toString());
    assertTrue(s.memoryEntries() <= 4, () -> s.toString());
    assertTrue(s.memoryEntries() >= 1, () -> s.toString());
    assertEquals(0, s.diskEntries());
    c.close();
  }

  @Test
  void leftoverTemporaryFilesAreRemovedOnStart() throws Exception {
    Path tmp = dir.resolve("cache/ab/abcd.7.tmp");
    Files.createDirectories(tmp.getParent());
    Files.write(tmp, new byte[100]);
    TieredResultCache c = cache(0, 1 << 20);
    assertFalse(Files.exists(tmp));
    assertEquals(0, c.stats().diskEntries());
    c.close();
  }

  @Test
  void disabledCacheNeverHits() throws Exception {
    ResultCache off = ResultCache.disabled();
    off.put(key("a"), result(10, 1));
    assertEquals(Optional.empty(), off.get(key("a")));
    assertFalse(off.enabled());
    assertEquals(CacheStats.DISABLED, off.stats());
  }
}
