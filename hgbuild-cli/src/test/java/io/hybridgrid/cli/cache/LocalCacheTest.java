package io.hybridgrid.cli.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCacheTest {

  @TempDir Path tmp;

  /** A clock the test moves by hand, so LRU order does not depend on timestamp granularity. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }
  }

  static CachedResult result(String tag) {
    byte[] object = new byte[4096];
    byte[] t = tag.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < object.length; i++) {
      object[i] = t[i % t.length];
    }
    return new CachedResult(
        "obj/" + tag + ".o",
        object,
        ("out " + tag + "\n").getBytes(StandardCharsets.UTF_8),
        ("warning " + tag + "\n").getBytes(StandardCharsets.UTF_8),
        ("obj/" + tag + ".o: src/x.c\n").getBytes(StandardCharsets.UTF_8));
  }

  private static Hash128 key(int i) {
    return new KeyBuilder().put("test", i).build();
  }

  private static List<Path> entryFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.getParent().getFileName().toString().length() == 2)
          .sorted()
          .toList();
    }
  }

  private static void assertSameResult(CachedResult expected, CachedResult actual) {
    assertEquals(expected.objectPath(), actual.objectPath());
    assertArrayEquals(expected.object(), actual.object());
    assertArrayEquals(expected.stdout(), actual.stdout());
    assertArrayEquals(expected.stderr(), actual.stderr());
    assertArrayEquals(expected.deps(), actual.deps());
  }

  @Test
  void storedResultAndManifestReadBackWhole() throws Exception {
    LocalCache cache = new LocalCache(tmp.resolve("c"), Clock.systemUTC());
    StatsDelta delta = new StatsDelta();
    CachedResult r = result("a");
    cache.putResult(key(1), r, delta);
    Manifest m =
        new Manifest(List.of())
            .with(
                new Manifest.Entry(
                    List.of(new Manifest.FileHash("/usr/include/x.h", 12, key(9))), "", key(1)));
    cache.putManifest(key(2), m, delta);

    assertSameResult(r, cache.getResult(key(1), delta).orElseThrow());
    assertEquals(m, cache.getManifest(key(2), delta).orElseThrow());
    assertTrue(cache.getResult(key(2), delta).isEmpty(), "a manifest is not a result");
    assertTrue(cache.getResult(key(3), delta).isEmpty());
    assertEquals(0, delta.get(StatsDelta.CORRUPT));
    Path file = tmp.resolve("c").resolve(key(1).hex().substring(0, 2)).resolve(key(1).hex() + ".r");
    assertTrue(Files.isRegularFile(file), "sharded by the key's first two hex digits");
  }

  @Test
  void aFlippedByteIsAMissCountedAndDeleted() throws Exception {
    LocalCache cache = new LocalCache(tmp.resolve("c"), Clock.systemUTC());
    StatsDelta delta = new StatsDelta();
    cache.putResult(key(1), result("a"), delta);
    Path file = entryFiles(tmp.resolve("c")).get(0);
    byte[] bytes = Files.readAllBytes(file);
    for (int at : new int[] {10, bytes.length / 2, bytes.length - 1}) {
      byte[] bad = bytes.clone();
      bad[at] ^= 0x01;
      Files.write(file, bad);
      StatsDelta d = new StatsDelta();

      assertEquals(Optional.empty(), cache.getResult(key(1), d).map(CachedResult::objectPath));
      assertEquals(1, d.get(StatsDelta.CORRUPT), "byte " + at);
      assertFalse(Files.exists(file), "the corrupt entry is deleted");
    }
  }

  @Test
  void aTruncatedOrEmptyEntryIsAMiss() throws Exception {
    LocalCache cache = new LocalCache(tmp.resolve("c"), Clock.systemUTC());
    StatsDelta delta = new StatsDelta();
    cache.putResult(key(1), result("a"), delta);
    Path file = entryFiles(tmp.resolve("c")).get(0);
    byte[] bytes = Files.readAllBytes(file);
    for (int len : new int[] {0, 3, 13, bytes.length / 2, bytes.length - 1}) {
      Files.write(file, java.util.Arrays.copyOf(bytes, len));
      StatsDelta d = new StatsDelta();
      assertTrue(cache.getResult(key(1), d).isEmpty(), "length " + len);
      assertEquals(1, d.get(StatsDelta.CORRUPT), "length " + len);
    }
    // A well-formed entry whose payload was cut and re-checksummed still fails to parse.
    cache.putResult(key(1), result("a"), delta);
    Files.write(file, new EntryCodec.Writer(EntryCodec.RESULT).putString("obj/a.o").finish());
    StatsDelta d = new StatsDelta();
    assertTrue(cache.getResult(key(1), d).isEmpty());
    assertEquals(1, d.get(StatsDelta.CORRUPT));
  }

  @Test
  void evictionRemovesLeastRecentlyUsedEntriesBelowTheLimit() throws Exception {
    ManualClock clock = new ManualClock();
    LocalCache cache = new LocalCache(tmp.resolve("c"), clock);
    long entrySize;
    {
      StatsDelta d = new StatsDelta();
      cache.putResult(key(0), result("e0"), d);
      cache.record(d, CacheSize.DEFAULT);
      entrySize = cache.usage().bytes();
    }
    long limit = entrySize * 10 + entrySize / 2; // room for 10 entries
    for (int i = 1; i < 40; i++) {
      clock.advance(Duration.ofSeconds(1));
      StatsDelta d = new StatsDelta();
      cache.putResult(key(i), result("e" + i), d);
      clock.advance(Duration.ofSeconds(1));
      assertTrue(cache.getResult(key(0), d).isPresent(), "entry 0 is used all the time");
      cache.record(d, limit);
      assertTrue(cache.usage().bytes() <= limit, "over the limit after entry " + i);
    }

    LocalCache.Usage usage = cache.usage();
    assertTrue(usage.bytes() <= limit, usage + " > " + limit);
    assertTrue(usage.files() < 40);
    assertTrue(cache.getResult(key(0), new StatsDelta()).isPresent(), "recently used: kept");
    assertTrue(cache.getResult(key(39), new StatsDelta()).isPresent(), "newest: kept");
    assertTrue(cache.getResult(key(1), new StatsDelta()).isEmpty(), "oldest unused: evicted");
    assertEquals(40 - usage.files(), cache.counters().get(StatsDelta.EVICTIONS));
  }

  @Test
  void temporaryFilesACrashLeftAreRemovedOnceStaleAndNeverCounted() throws Exception {
    ManualClock clock = new ManualClock();
    LocalCache cache = new LocalCache(tmp.resolve("c"), clock);
    cache.putResult(key(1), result("kept"), new StatsDelta());
    Path shard = entryFiles(tmp.resolve("c")).get(0).getParent();
    Path current = shard.resolve(".x.result.hgtmp-12-1-99");
    Path older = shard.resolve(".tmp-123"); // an earlier version's temporary name
    Path fresh = shard.resolve(".y.result.hgtmp-12-1-100");
    for (Path p : List.of(current, older, fresh)) {
      Files.write(p, new byte[100]);
    }
    java.nio.file.attribute.FileTime old =
        java.nio.file.attribute.FileTime.from(clock.instant().minus(Duration.ofHours(2)));
    Files.setLastModifiedTime(current, old);
    Files.setLastModifiedTime(older, old);
    Files.setLastModifiedTime(fresh, java.nio.file.attribute.FileTime.from(clock.instant()));

    LocalCache.Usage usage = cache.usage();

    assertEquals(1, usage.files(), "temporary files are not entries");
    assertFalse(Files.exists(current), "stale: removed");
    assertFalse(Files.exists(older), "stale, old name: removed");
    assertTrue(Files.exists(fresh), "maybe a write in progress: kept");
  }

  @Test
  void trimOnDemandEvictsToNinetyPercentOfTheGivenLimit() throws Exception {
    ManualClock clock = new ManualClock();
    LocalCache cache = new LocalCache(tmp.resolve("c"), clock);
    for (int i = 0; i < 20; i++) {
      clock.advance(Duration.ofSeconds(1));
      StatsDelta d = new StatsDelta();
      cache.putResult(key(i), result("e" + i), d);
      cache.record(d, CacheSize.DEFAULT);
    }
    long before = cache.usage().bytes();

    LocalCache.Usage removed = cache.trim(before / 2);

    assertTrue(cache.usage().bytes() <= before / 2 * 9 / 10, cache.usage().toString());
    assertEquals(before, cache.usage().bytes() + removed.bytes());
    assertTrue(cache.getResult(key(0), new StatsDelta()).isEmpty());
    assertTrue(cache.getResult(key(19), new StatsDelta()).isPresent());
    assertEquals(0, cache.trim(before).files(), "under the limit: nothing to do");
  }

  @Test
  void fiftyConcurrentWritersOfOneKeyLeaveExactlyOneValidEntry() throws Exception {
    Path dir = tmp.resolve("c");
    LocalCache cache = new LocalCache(dir, Clock.systemUTC());
    Hash128 k = key(42);
    Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // Three other processes write the same key at the same time.
    List<Process> processes = new ArrayList<>();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int p = 0; p < 3; p++) {
      processes.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  CacheWriterMain.class.getName(),
                  dir.toString(),
                  k.hex(),
                  "proc" + p,
                  "10")
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start());
      for (int i = 0; i < 10; i++) {
        written.add("proc" + p + "/" + i);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger badReads = new AtomicInteger();
    AtomicInteger goodReads = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < 50; w++) {
      String tag = "thread" + w;
      written.add(tag);
      futures.add(
          pool.submit(
              () -> {
                go.await();
                StatsDelta d = new StatsDelta();
                cache.putResult(k, result(tag), d);
                cache.record(d, CacheSize.DEFAULT);
                return null;
              }));
    }
    for (int r = 0; r < 4; r++) {
      futures.add(
          pool.submit(
              () -> {
                go.await();
                int reads = 0;
                while ((writing.get() || reads < 10) && reads < 100_000) {
                  StatsDelta d = new StatsDelta();
                  Optional<CachedResult> got = cache.getResult(k, d);
                  if (d.get(StatsDelta.CORRUPT) != 0) {
                    badReads.incrementAndGet();
                  } else if (got.isPresent()) {
                    goodReads.incrementAndGet();
                  }
                  reads++;
                }
                return null;
              }));
    }
    go.countDown();
    for (int i = 0; i < 50; i++) {
      futures.get(i).get(60, TimeUnit.SECONDS);
    }
    for (Process p : processes) {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "writer process finished");
      assertEquals(0, p.exitValue());
    }
    writing.set(false);
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertEquals(0, badReads.get(), "a reader never saw a torn or corrupt entry");
    assertTrue(goodReads.get() > 0);
    List<Path> files = entryFiles(dir);
    assertEquals(1, files.size(), "one entry, no temporary files: " + files);
    CachedResult r = cache.getResult(k, new StatsDelta()).orElseThrow();
    String tag = r.objectPath().substring(4, r.objectPath().length() - 2);
    assertTrue(written.contains(tag), tag);
    assertSameResult(result(tag), r);
    assertNotNull(cache.counters());
    assertEquals(0L, cache.counters().getOrDefault(StatsDelta.CORRUPT, 0L));
    assertEquals(1L, cache.usage().files());
  }

  @Test
  void countersAddUpAcrossInstancesSharingADirectory() throws Exception {
    Path dir = tmp.resolve("c");
    LocalCache a = new LocalCache(dir, Clock.systemUTC());
    LocalCache b = new LocalCache(dir, Clock.systemUTC());
    StatsDelta d1 = new StatsDelta();
    d1.increment(StatsDelta.HITS_DIRECT);
    d1.uncacheable(UncacheableReason.LINKING);
    StatsDelta d2 = new StatsDelta();
    d2.add(StatsDelta.HITS_DIRECT, 2);
    d2.uncacheable(UncacheableReason.LINKING);

    a.record(d1, CacheSize.DEFAULT);
    b.record(d2, CacheSize.DEFAULT);

    assertEquals(3L, a.counters().get(StatsDelta.HITS_DIRECT));
    assertEquals(2L, b.counters().get(StatsDelta.UNCACHEABLE + "linking"));
    Set<String> names = new HashSet<>(a.counters().keySet());
    assertTrue(names.contains(StatsDelta.HITS_DIRECT), names.toString());
  }
}
