package io.hybridgrid.cli.cache;

import io.hybridgrid.cli.cache.EntryCodec.CorruptEntryException;
import io.hybridgrid.common.fs.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One cache directory: content-addressed files under 256 shard directories ({@code ab/ab…ef.r} for
 * results, {@code .m} for direct-mode manifests), a {@code stats} file of counters, and a {@code
 * lock} file that serialises counter updates and eviction across processes.
 *
 * <p>Entries are written to a temporary file in their shard and renamed into place, so readers (in
 * this or any other process) see a whole old file or a whole new one. Every read verifies the
 * entry's checksum; a bad entry is deleted, counted and reported as a miss. A hit sets the entry's
 * modification time, which is the LRU order eviction follows: when the tracked total exceeds the
 * limit, the oldest entries are deleted until the total is at most 90% of it.
 *
 * <p>Thread-safe. Use one instance per directory per process ({@link CacheRegistry}): the
 * cross-process file lock is held per instance.
 */
public final class LocalCache {
  private static final String RESULT_SUFFIX = ".r";
  private static final String MANIFEST_SUFFIX = ".m";

  /** Temporary files of earlier versions, cleaned like {@link AtomicFiles}'s. */
  private static final String OLD_TEMP_PREFIX = ".tmp-";

  private static final Duration STALE_TEMP = Duration.ofHours(1);

  private final Path dir;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * @param dir the cache directory, created on first write
   * @param clock the time set on entries at a hit
   */
  public LocalCache(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** The cache directory. */
  public Path dir() {
    return dir;
  }

  /**
   * What a scan of the directory found or changed.
   *
   * @param files entries (results and manifests)
   * @param bytes their total size
   */
  public record Usage(long files, long bytes) {}

  /** The result stored under {@code key}, verified; empty for a miss (corrupt ones are dropped). */
  public Optional<CachedResult> getResult(Hash128 key, StatsDelta delta) {
    byte[] file = read(path(key, RESULT_SUFFIX));
    if (file == null) {
      return Optional.empty();
    }
    try {
      CachedResult r = CachedResult.decode(file);
      touch(path(key, RESULT_SUFFIX));
      return Optional.of(r);
    } catch (CorruptEntryException e) {
      drop(path(key, RESULT_SUFFIX), file.length, delta);
      return Optional.empty();
    }
  }

  /** The manifest stored under {@code key}, verified; empty when absent or corrupt. */
  public Optional<Manifest> getManifest(Hash128 key, StatsDelta delta) {
    byte[] file = read(path(key, MANIFEST_SUFFIX));
    if (file == null) {
      return Optional.empty();
    }
    try {
      Manifest m = Manifest.decode(file);
      touch(path(key, MANIFEST_SUFFIX));
      return Optional.of(m);
    } catch (CorruptEntryException e) {
      drop(path(key, MANIFEST_SUFFIX), file.length, delta);
      return Optional.empty();
    }
  }

  /** Stores a result atomically. */
  public void putResult(Hash128 key, CachedResult result, StatsDelta delta) throws IOException {
    write(path(key, RESULT_SUFFIX), result.encode(), delta);
  }

  /** Stores a manifest atomically (a concurrent writer's manifest may win; both are valid). */
  public void putManifest(Hash128 key, Manifest manifest, StatsDelta delta) throws IOException {
    write(path(key, MANIFEST_SUFFIX), manifest.encode(), delta);
  }

  /**
   * Adds {@code delta} to the stored counters in one locked update, then evicts least recently used
   * entries when the tracked size exceeds {@code maxBytes}.
   */
  public void record(StatsDelta delta, long maxBytes) throws IOException {
    if (delta.isEmpty()) {
      return;
    }
    withLock(
        counters -> {
          delta.changes().forEach((k, v) -> counters.merge(k, v, Long::sum));
          if (counters.getOrDefault(StatsDelta.TRACKED_BYTES, 0L) > maxBytes) {
            evictLocked(counters, maxBytes);
          }
          return null;
        });
  }

  /** The stored counters: a consistent snapshot, read under the same lock as every update. */
  public Map<String, Long> counters() throws IOException {
    return withLock(counters -> new TreeMap<>(counters));
  }

  /** Counts the entries and their size by scanning the directory. */
  public Usage usage() throws IOException {
    long files = 0;
    long bytes = 0;
    for (EntryFile f : scan()) {
      files++;
      bytes += f.size();
    }
    return new Usage(files, bytes);
  }

  /**
   * Sets the statistics to zero (hits, misses, compiles ...), keeping the tracked size of the
   * entries, which eviction relies on.
   */
  public void zeroCounters() throws IOException {
    withLock(
        counters -> {
          counters
              .keySet()
              .removeIf(
                  k -> !k.equals(StatsDelta.TRACKED_BYTES) && !k.equals(StatsDelta.TRACKED_FILES));
          return null;
        });
  }

  /** Deletes every entry (counters other than the size are kept) and returns what was removed. */
  public Usage clear() throws IOException {
    return withLock(
        counters -> {
          long files = 0;
          long bytes = 0;
          for (EntryFile f : scan()) {
            if (Files.deleteIfExists(f.path())) {
              files++;
              bytes += f.size();
            }
          }
          counters.put(StatsDelta.TRACKED_BYTES, 0L);
          counters.put(StatsDelta.TRACKED_FILES, 0L);
          return new Usage(files, bytes);
        });
  }

  /**
   * Evicts as {@link #record} would if the cache is over {@code maxBytes}; returns what was
   * removed.
   */
  public Usage trim(long maxBytes) throws IOException {
    return withLock(counters -> evictLocked(counters, maxBytes));
  }

  private Usage evictLocked(Map<String, Long> counters, long maxBytes) throws IOException {
    List<EntryFile> files = scan();
    long total = 0;
    for (EntryFile f : files) {
      total += f.size();
    }
    long removedFiles = 0;
    long removedBytes = 0;
    if (total > maxBytes) {
      long target = maxBytes / 10 * 9;
      files.sort(Comparator.comparing(EntryFile::mtime).thenComparing(EntryFile::path));
      for (EntryFile f : files) {
        if (total <= target) {
          break;
        }
        if (Files.deleteIfExists(f.path())) {
          removedFiles++;
          removedBytes += f.size();
        }
        total -= f.size();
      }
    }
    counters.put(StatsDelta.TRACKED_BYTES, total);
    counters.put(StatsDelta.TRACKED_FILES, (long) files.size() - removedFiles);
    counters.merge(StatsDelta.EVICTIONS, removedFiles, Long::sum);
    return new Usage(removedFiles, removedBytes);
  }

  private record EntryFile(Path path, long size, FileTime mtime) {}

  /** Every entry file; deletes temporary files abandoned by crashed writers. */
  private List<EntryFile> scan() throws IOException {
    List<EntryFile> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    FileTime staleBefore = FileTime.from(clock.instant().minus(STALE_TEMP));
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(dir)) {
      for (Path shard : shards) {
        String name = shard.getFileName().toString();
        if (name.length() != 2 || !Files.isDirectory(shard)) {
          continue;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(shard)) {
          for (Path p : entries) {
            BasicFileAttributes a;
            try {
              a = Files.readAttributes(p, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
              continue;
            }
            String n = p.getFileName().toString();
            if (n.startsWith(OLD_TEMP_PREFIX) || AtomicFiles.isTemporary(n)) {
              if (a.lastModifiedTime().compareTo(staleBefore) < 0) {
                Files.deleteIfExists(p);
              }
            } else if (n.endsWith(RESULT_SUFFIX) || n.endsWith(MANIFEST_SUFFIX)) {
              out.add(new EntryFile(p, a.size(), a.lastModifiedTime()));
            }
          }
        } catch (NoSuchFileException e) {
          // a concurrent clear removed the shard
        }
      }
    }
    return out;
  }

  private Path path(Hash128 key, String suffix) {
    String hex = key.hex();
    return dir.resolve(hex.substring(0, 2)).resolve(hex + suffix);
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      // absent, or unreadable: either way a miss
      return null;
    }
  }

  /**
   * Sets the entry's modification time (its place in the LRU order), to the millisecond. Through
   * {@link java.io.File}: a stat and a utimes by path, where {@link Files#setLastModifiedTime}
   * opens the file, stats it, sets the times through the descriptor and closes it; this runs twice
   * on every hit. False (ignored) when the entry was evicted meanwhile: the hit stands.
   */
  private void touch(Path p) {
    p.toFile().setLastModified(clock.millis());
  }

  private void drop(Path p, long size, StatsDelta delta) {
    try {
      if (Files.deleteIfExists(p)) {
        delta.add(StatsDelta.TRACKED_BYTES, -size);
        delta.add(StatsDelta.TRACKED_FILES, -1);
      }
    } catch (IOException e) {
      // still counted as corrupt; the next writer replaces it
    }
    delta.increment(StatsDelta.CORRUPT);
  }

  private void write(Path target, byte[] content, StatsDelta delta) throws IOException {
    long old = -1;
    try {
      old = Files.size(target);
    } catch (NoSuchFileException e) {
      // a new entry
    }
    try {
      AtomicFiles.write(target, content, false);
    } catch (NoSuchFileException e) {
      Files.createDirectories(target.getParent()); // the shard's first entry
      AtomicFiles.write(target, content, false);
    }
    touch(target); // LRU order follows the injected clock, for writes as for hits
    delta.add(StatsDelta.TRACKED_BYTES, content.length - Math.max(old, 0));
    delta.add(StatsDelta.TRACKED_FILES, old < 0 ? 1 : 0);
  }

  /** A locked read-modify-write of the counters. */
  private interface LockedUpdate<T> {
    T apply(Map<String, Long> counters) throws IOException;
  }

  private <T> T withLock(LockedUpdate<T> update) throws IOException {
    lock.lock();
    try (FileChannel ch = openLockFile();
        FileLock fileLock = ch.lock()) {
      Map<String, Long> counters = readCounters();
      T result = update.apply(counters);
      writeCounters(counters);
      return result;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The lock file, opened for writing; the directory is created only when missing (this runs on
   * every compile, and {@code createDirectories} on an existing directory costs a failed mkdir and
   * an exception).
   */
  private FileChannel openLockFile() throws IOException {
    Path file = dir.resolve("lock");
    try {
      return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      Files.createDirectories(dir);
      return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
  }

  private Map<String, Long> readCounters() throws IOException {
    Map<String, Long> counters = new TreeMap<>();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(dir.resolve("stats"));
    } catch (NoSuchFileException e) {
      return counters;
    }
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      int sp = line.indexOf(' ');
      if (sp <= 0) {
        continue;
      }
      try {
        counters.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1).strip()));
      } catch (NumberFormatException e) {
        // a damaged line loses its counter, not the others
      }
    }
    return counters;
  }

  /**
   * Rewrites the counters in place. Only ever called under the exclusive lock, and readers take it
   * too, so no reader sees a half-written file. Not a temporary file and a rename: on ext4 a rename
   * over an existing file starts writeback of the new one, which cost about 0.2 ms on every compile
   * (measured on the daemon's hit path).
   */
  private void writeCounters(Map<String, Long> counters) throws IOException {
    StringBuilder sb = new StringBuilder();
    counters.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
    ByteBuffer bytes = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
    try (FileChannel ch =
        FileChannel.open(
            dir.resolve("stats"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long size = bytes.remaining();
      while (bytes.hasRemaining()) {
        ch.write(bytes, size - bytes.remaining());
      }
      ch.truncate(size);
    }
  }
}
