package io.hybridgrid.coord.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk tier: one file per entry under {@code dir/<2 hex>/<64 hex>}, bounded in total bytes with
 * least-recently-used eviction that deletes files.
 *
 * <p>Recency lives in an in-memory index in access order; a write or hit also sets the file's
 * modification time (from the injected clock), so the order survives a restart (the index is
 * rebuilt from a directory scan sorted by modification time). Files are written to a temporary name
 * and renamed into place, so a reader never sees half an entry.
 *
 * <p>Entry format (big-endian): magic {@code HGC1}, the 32-byte key, compile micros (8 bytes), the
 * lengths of object, stdout and stderr (4 bytes each), those bytes, then a CRC32C of everything
 * before it. A file whose length, magic, key or checksum does not match is a miss and is deleted.
 */
final class DiskTier {
  private static final Logger log = LoggerFactory.getLogger(DiskTier.class);
  private static final int MAGIC = 0x48474331; // "HGC1"
  private static final int HEADER = 4 + 32 + 8 + 12;
  private static final int TRAILER = 4;

  private final Path dir;
  private final long maxBytes;
  private final Clock clock;
  private final AtomicLong corrupt = new AtomicLong();
  private final AtomicLong tmpCounter = new AtomicLong();

  // @GuardedBy("this"): key -> file size, least recently used first
  private final LinkedHashMap<CacheKey, Long> index = new LinkedHashMap<>(256, 0.75f, true);
  // @GuardedBy("this")
  private long bytes;

  DiskTier(Path dir, long maxBytes, Clock clock) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /** Creates the directory, drops leftover temporary files and indexes the entries found. */
  synchronized void start() throws IOException {
    try {
      index();
    } catch (IOException e) {
      throw new IOException("cannot use the cache directory " + dir + ": " + e, e);
    }
  }

  private void index() throws IOException {
    Files.createDirectories(dir);
    record Found(CacheKey key, long size, FileTime modified) {}
    List<Found> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir, 2)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(f);
          continue;
        }
        CacheKey key;
        try {
          key = CacheKey.parse(name);
        } catch (IllegalArgumentException e) {
          continue; // not ours
        }
        if (!f.getParent().getFileName().toString().equals(name.substring(0, 2))) {
          continue;
        }
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        found.add(new Found(key, a.size(), a.lastModifiedTime()));
      }
    }
    found.sort(Comparator.comparing(Found::modified));
    for (Found f : found) {
      index.put(f.key(), f.size());
      bytes += f.size();
    }
    evict(null);
    log.info("disk cache {}: {} entries, {} bytes (limit {})", dir, index.size(), bytes, maxBytes);
  }

  /** The entry under {@code key}; a corrupt one is deleted and reported as absent. */
  Optional<CachedResult> get(CacheKey key) {
    synchronized (this) {
      if (index.get(key) == null) { // get() also marks it most recently used
        return Optional.empty();
      }
    }
    Path file = path(key);
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      forget(key, false); // evicted or deleted under us
      return Optional.empty();
    } catch (IOException e) {
      log.warn("cannot read cache entry {}: {}", file, e.toString());
      return Optional.empty();
    }
    Optional<CachedResult> r = decode(key, data);
    if (r.isEmpty()) {
      corrupt.incrementAndGet();
      log.warn("cache entry {} is corrupt; dropped", file);
      forget(key, true);
      return Optional.empty();
    }
    try {
      Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
    } catch (IOException e) {
      // recency after a restart is best effort
    }
    return r;
  }

  /** Writes an entry (unless present), then evicts least recently used entries over the bound. */
  void put(CacheKey key, CachedResult result) {
    synchronized (this) {
      if (index.containsKey(key)) {
        return;
      }
    }
    byte[] data = encode(key, result);
    if (data.length > maxBytes) {
      return; // would evict everything and still not fit
    }
    Path file = path(key);
    Path tmp = file.resolveSibling(key.hex() + "." + tmpCounter.incrementAndGet() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.write(tmp, data);
      Files.setLastModifiedTime(tmp, FileTime.from(clock.instant()));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("cannot write cache entry {}: {}", file, e.toString());
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // nothing more to do
      }
      return;
    }
    synchronized (this) {
      Long old = index.put(key, (long) data.length);
      bytes += data.length - (old == null ? 0 : old);
      evict(key);
    }
  }

  /** Deletes the entry of {@code key}, if any. */
  void remove(CacheKey key) {
    forget(key, true);
  }

  synchronized long entries() {
    return index.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  long corrupt() {
    return corrupt.get();
  }

  /** The file of {@code key} (for tests that damage entries). */
  Path path(CacheKey key) {
    String hex = key.hex();
    return dir.resolve(hex.substring(0, 2)).resolve(hex);
  }

  private void forget(CacheKey key, boolean delete) {
    synchronized (this) {
      Long size = index.remove(key);
      if (size != null) {
        bytes -= size;
      }
    }
    if (delete) {
      try {
        Files.deleteIfExists(path(key));
      } catch (IOException e) {
        log.warn("cannot delete {}: {}", path(key), e.toString());
      }
    }
  }

  /** Deletes least recently used entries until under the bound, sparing {@code keep}. */
  // @GuardedBy("this")
  private void evict(CacheKey keep) {
    Iterator<Map.Entry<CacheKey, Long>> it = index.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<CacheKey, Long> e = it.next();
      if (e.getKey().equals(keep)) {
        continue;
      }
      try {
        Files.deleteIfExists(path(e.getKey()));
      } catch (IOException ex) {
        log.warn("cannot evict {}: {}", path(e.getKey()), ex.toString());
      }
      bytes -= e.getValue();
      it.remove();
    }
  }

  static byte[] encode(CacheKey key, CachedResult r) {
    long size = HEADER + r.size() + TRAILER;
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("cache entry too large: " + size + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    b.putInt(MAGIC)
        .put(key.bytes())
        .putLong(r.compileMicros())
        .putInt(r.object().length)
        .putInt(r.stdout().length)
        .putInt(r.stderr().length)
        .put(r.object())
        .put(r.stdout())
        .put(r.stderr());
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  static Optional<CachedResult> decode(CacheKey key, byte[] data) {
    if (data.length < HEADER + TRAILER) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    if (b.getInt() != MAGIC) {
      return Optional.empty();
    }
    byte[] storedKey = new byte[32];
    b.get(storedKey);
    if (!CacheKey.of(storedKey).equals(key)) {
      return Optional.empty();
    }
    long micros = b.getLong();
    int objectLen = b.getInt();
    int stdoutLen = b.getInt();
    int stderrLen = b.getInt();
    if (objectLen < 0
        || stdoutLen < 0
        || stderrLen < 0
        || (long) HEADER + objectLen + stdoutLen + stderrLen + TRAILER != data.length) {
      return Optional.empty();
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - TRAILER);
    if ((int) crc.getValue() != ByteBuffer.wrap(data, data.length - TRAILER, TRAILER).getInt()) {
      return Optional.empty();
    }
    byte[] object = new byte[objectLen];
    byte[] stdout = new byte[stdoutLen];
    byte[] stderr = new byte[stderrLen];
    b.get(object).get(stdout).get(stderr);
    return Optional.of(new CachedResult(object, stdout, stderr, micros));
  }
}
