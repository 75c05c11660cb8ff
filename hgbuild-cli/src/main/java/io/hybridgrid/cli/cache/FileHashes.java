package io.hybridgrid.cli.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Content digests of source and header files, remembered per process by (size, modification time,
 * change time, device and inode), so a direct-mode lookup costs one {@code stat} per header. A
 * digest is remembered only once the file's timestamps are {@link #SETTLE} old: a file rewritten
 * within one timestamp tick of its last write (same size, same times) would otherwise keep a stale
 * digest. Thread-safe.
 */
public final class FileHashes {

  /**
   * How old a file's timestamps must be to be trusted: longer than one tick of the kernel's coarse
   * file clock (at most 10 ms), with room to spare.
   */
  public static final Duration SETTLE = Duration.ofMillis(50);

  /**
   * A file's identity at one moment.
   *
   * @param size bytes
   * @param mtimeNanos modification time
   * @param ctimeNanos status change time (moves on every write, rename and {@code touch})
   * @param dev device
   * @param ino inode
   */
  public record Stamp(long size, long mtimeNanos, long ctimeNanos, long dev, long ino) {
    /** The later of the modification and change times. */
    public Instant lastChange() {
      long n = Math.max(mtimeNanos, ctimeNanos);
      return Instant.ofEpochSecond(
          Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    /**
     * Whether the file's last change lies at least {@link #SETTLE} before {@code now}: only then
     * can what was read from it be remembered by this identity.
     */
    public boolean settledAt(Instant now) {
      return lastChange().isBefore(now.minus(SETTLE));
    }
  }

  /**
   * A hashed file.
   *
   * @param stamp its identity when hashed
   * @param hash its content digest
   * @param macros the time macros its text mentions
   */
  public record Hashed(Stamp stamp, Hash128 hash, TimeMacros macros) {}

  private final Clock clock;
  private final ConcurrentMap<Path, Hashed> memo = new ConcurrentHashMap<>();

  /**
   * @param clock decides when a file has settled
   */
  public FileHashes(Clock clock) {
    this.clock = clock;
  }

  /** The file's identity, or empty when it cannot be read. */
  public Optional<Stamp> stamp(Path file) {
    try {
      Map<String, Object> a =
          Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,dev,ino");
      return Optional.of(
          new Stamp(
              (Long) a.get("size"),
              ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
              ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS),
              (Long) a.get("dev"),
              (Long) a.get("ino")));
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /**
   * The identities of files as one compile first saw them. Each path is {@code stat}ed once, at its
   * first use, and that answer stands for every later step of the same compile (the include scan,
   * the cache keys, the input digests, the store): the steps agree on which version of a file they
   * saw, and a compile costs one {@code stat} per file instead of one per step. Reading a file
   * still checks, with a fresh {@code stat}, that it did not change while being read. One compile,
   * one thread: not thread-safe.
   */
  public final class Scope {
    private final Map<Path, Optional<Stamp>> seen = new HashMap<>();

    private Scope() {}

    /** The file's identity as this compile first saw it, or empty when it could not be read. */
    public Optional<Stamp> stamp(Path file) {
      Optional<Stamp> s = seen.get(file);
      if (s == null) {
        s = FileHashes.this.stamp(file);
        seen.put(file, s);
      }
      return s;
    }

    /** {@link FileHashes#hash}, against the identity this compile first saw. */
    public Optional<Hashed> hash(Path file) {
      return FileHashes.this.hash(file, stamp(file));
    }
  }

  /** A new {@link Scope}, for one compile. */
  public Scope scope() {
    return new Scope();
  }

  /** The file's digest (from memory when its identity is unchanged), or empty if unreadable. */
  public Optional<Hashed> hash(Path file) {
    return hash(file, stamp(file));
  }

  private Optional<Hashed> hash(Path file, Optional<Stamp> before) {
    if (before.isEmpty()) {
      return Optional.empty();
    }
    Hashed known = memo.get(file);
    if (known != null && known.stamp().equals(before.get())) {
      return Optional.of(known);
    }
    Hashed fresh;
    try {
      fresh = read(file, before.get());
    } catch (IOException e) {
      return Optional.empty();
    }
    Optional<Stamp> after = stamp(file);
    if (after.isEmpty() || !after.get().equals(before.get())) {
      return Optional.empty(); // changed while being read: trust nothing about it
    }
    if (before.get().settledAt(clock.instant())) {
      memo.put(file, fresh);
    }
    return Optional.of(fresh);
  }

  private static Hashed read(Path file, Stamp stamp) throws IOException {
    // A heap copy: hashing a mapped (direct) buffer needs sun.nio.ch, which java.base does not
    // export to us, and sources and headers are small enough to read whole.
    byte[] bytes = Files.readAllBytes(file);
    return new Hashed(stamp, Hash128.of(bytes), TimeMacros.scan(bytes, bytes.length));
  }
}
