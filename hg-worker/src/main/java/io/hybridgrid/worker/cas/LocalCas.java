package io.hybridgrid.worker.cas;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's bounded content-addressed store on disk.
 *
 * <p>Blobs live at {@code dir/ab/abcd...} (SHA-256 hex), read-only (0444, or 0555 for the
 * executable variant {@code abcd...-x}), so that task directories can hard-link them: a hard link
 * costs no copy, and a sandboxed command that does not own the file cannot change the shared bytes.
 * Every write is hashed while it streams to a temporary file and moved into place only when the
 * SHA-256 and the size match the digest it was offered for; otherwise it is deleted and the write
 * fails. When the store grows past its bound, the least recently used blobs that no running task
 * has pinned are deleted (a task pins its inputs while it links them; after that the links keep the
 * bytes alive even if the store forgets them).
 */
public final class LocalCas {
  private static final Logger log = LoggerFactory.getLogger(LocalCas.class);
  private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}(-x)?");
  private static final Set<PosixFilePermission> READ_ONLY =
      PosixFilePermissions.fromString("r--r--r--");
  private static final Set<PosixFilePermission> READ_EXEC =
      PosixFilePermissions.fromString("r-xr-xr-x");
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwxr-xr-x");

  private final Path dir;
  private final Path tmp;
  private final long maxBytes;
  private final AtomicLong tmpCounter = new AtomicLong();

  /** Stored files (a blob and its executable variant are two entries) in least-recent order. */
  @GuardedBy("this")
  private final LinkedHashMap<String, Long> lru = new LinkedHashMap<>(1024, 0.75f, true);

  @GuardedBy("this")
  private final Map<String, Integer> pins = new HashMap<>();

  @GuardedBy("this")
  private long bytes;

  private LocalCas(Path dir, long maxBytes) {
    this.dir = dir;
    this.tmp = dir.resolve("tmp");
    this.maxBytes = maxBytes;
  }

  /**
   * Opens (creating if needed) the store at {@code dir}, bounded to {@code maxBytes}. Blobs left by
   * an earlier run are kept, oldest modification first in the eviction order; unfinished writes are
   * removed.
   */
  public static LocalCas open(Path dir, long maxBytes) throws IOException {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("the CAS size bound must be positive, not " + maxBytes);
    }
    LocalCas cas = new LocalCas(dir.toAbsolutePath().normalize(), maxBytes);
    cas.load();
    return cas;
  }

  private synchronized void load() throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, DIR);
    if (Files.isDirectory(tmp)) {
      try (DirectoryStream<Path> left = Files.newDirectoryStream(tmp)) {
        for (Path p : left) {
          Files.deleteIfExists(p);
        }
      }
    }
    Files.createDirectories(tmp);
    record Found(String name, long size, long mtime) {}
    List<Found> found = new ArrayList<>();
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(dir)) {
      for (Path shard : shards) {
        if (shard.equals(tmp) || !Files.isDirectory(shard, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (DirectoryStream<Path> blobs = Files.newDirectoryStream(shard)) {
          for (Path b : blobs) {
            String name = b.getFileName().toString();
            BasicFileAttributes a =
                Files.readAttributes(b, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!NAME.matcher(name).matches() || !a.isRegularFile()) {
              continue;
            }
            found.add(new Found(name, a.size(), a.lastModifiedTime().toMillis()));
          }
        }
      }
    }
    found.sort(Comparator.comparingLong(Found::mtime));
    for (Found f : found) {
      lru.put(f.name(), f.size());
      bytes += f.size();
    }
    evict();
    log.info("local CAS {}: {} files, {} bytes (bound {})", dir, lru.size(), bytes, maxBytes);
  }

  /** The bound given at open. */
  public long maxBytes() {
    return maxBytes;
  }

  /** Bytes stored now. */
  public synchronized long sizeBytes() {
    return bytes;
  }

  /** Files stored now (a blob and its executable variant count twice). */
  public synchronized int fileCount() {
    return lru.size();
  }

  /** Whether the blob is stored (in either variant). */
  public synchronized boolean contains(BlobDigest digest) {
    return lru.containsKey(digest.hash()) || lru.containsKey(digest.hash() + "-x");
  }

  /**
   * The stored file for {@code digest}, marked as just used; for {@code executable} the 0555
   * variant, made from the plain one on first use. Empty when neither is stored.
   */
  public Optional<Path> find(BlobDigest digest, boolean executable) throws IOException {
    String plain = digest.hash();
    String name = executable ? plain + "-x" : plain;
    synchronized (this) {
      if (present(name)) {
        return Optional.of(path(name));
      }
      if (!executable || !present(plain)) {
        return Optional.empty();
      }
    }
    // The executable variant is a copy: a hard link would share the mode with the plain one.
    Path staged = staging();
    try {
      Files.copy(path(plain), staged, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(staged, READ_EXEC);
      return Optional.of(commit(name, staged, digest.size()));
    } catch (NoSuchFileException e) {
      forgetMissing(digest);
      return Optional.empty(); // evicted meanwhile, or removed behind the store's back
    } finally {
      Files.deleteIfExists(staged);
    }
  }

  /**
   * Whether the index holds {@code name}. The index is trusted, not the disk, so a layout does not
   * {@code stat} every blob it links (a few hundred per action); a blob removed behind the store's
   * back (an operator cleaning up) shows as a failed link, after which {@link #forgetMissing} drops
   * it and it is fetched again.
   */
  @GuardedBy("this")
  private boolean present(String name) {
    return lru.get(name) != null;
  }

  /**
   * Forgets {@code digest}'s variants whose files are gone from the disk (removed behind the
   * store's back), so the next action that needs it fetches it again. True when one was.
   */
  public synchronized boolean forgetMissing(BlobDigest digest) {
    boolean forgot = false;
    for (String name : List.of(digest.hash(), digest.hash() + "-x")) {
      if (lru.containsKey(name) && !Files.isRegularFile(path(name), LinkOption.NOFOLLOW_LINKS)) {
        bytes -= lru.remove(name);
        forgot = true;
      }
    }
    return forgot;
  }

  /** Stores {@code data} as {@code digest}, verifying it first. */
  public Path put(BlobDigest digest, byte[] data) throws IOException {
    return put(digest, new java.io.ByteArrayInputStream(data));
  }

  /**
   * Stores the bytes of {@code in} as {@code digest}. They are hashed as they are written to a
   * temporary file; only when SHA-256 and size match is the file moved into the store.
   *
   * @throws BlobMismatchException when the bytes are not the digest's (nothing is stored)
   * @throws IOException when the blob alone exceeds the store's bound, or on a disk error
   */
  public Path put(BlobDigest digest, InputStream in) throws IOException {
    if (digest.size() > maxBytes) {
      throw new IOException(
          "blob "
              + digest
              + " is larger than the worker's whole CAS bound of "
              + maxBytes
              + " bytes (--cas-size)");
    }
    synchronized (this) {
      if (present(digest.hash())) {
        return path(digest.hash());
      }
    }
    Path staged = staging();
    try {
      MessageDigest md = BlobDigest.sha256();
      long written = 0;
      try (OutputStream out = Files.newOutputStream(staged)) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          written += n;
          if (written > digest.size()) {
            throw new BlobMismatchException(
                "blob offered as "
                    + digest
                    + " is longer than "
                    + digest.size()
                    + " bytes; refused, not stored");
          }
          md.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (written != digest.size() || !actual.equals(digest.hash())) {
        throw new BlobMismatchException(
            "blob offered as "
                + digest
                + " hashes to "
                + actual
                + "/"
                + written
                + "; refused, not stored");
      }
      Files.setPosixFilePermissions(staged, READ_ONLY);
      return commit(digest.hash(), staged, digest.size());
    } finally {
      Files.deleteIfExists(staged);
    }
  }

  /**
   * Pins blobs against eviction until the returned handle is closed; a task pins its inputs while
   * it links them into its directory.
   */
  public synchronized Pin pin(Collection<BlobDigest> digests) {
    List<String> names = new ArrayList<>(digests.size() * 2);
    for (BlobDigest d : digests) {
      names.add(d.hash());
      names.add(d.hash() + "-x");
    }
    for (String n : names) {
      pins.merge(n, 1, Integer::sum);
    }
    return new Pin(names);
  }

  /** A set of pinned blobs; closing it releases them. */
  public final class Pin implements AutoCloseable {
    private final List<String> names;
    private boolean closed;

    private Pin(List<String> names) {
      this.names = names;
    }

    @Override
    public void close() {
      synchronized (LocalCas.this) {
        if (closed) {
          return;
        }
        closed = true;
        for (String n : names) {
          pins.computeIfPresent(n, (k, v) -> v == 1 ? null : v - 1);
        }
        evict();
      }
    }
  }

  private Path staging() throws IOException {
    Files.createDirectories(tmp);
    return tmp.resolve("w-" + ProcessHandle.current().pid() + "-" + tmpCounter.incrementAndGet());
  }

  private Path commit(String name, Path staged, long size) throws IOException {
    Path target = path(name);
    Files.createDirectories(target.getParent());
    synchronized (this) {
      if (present(name)) {
        return target;
      }
      try {
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        // A file we did not index (another process on the same dir): its name is its content.
        Files.deleteIfExists(staged);
      }
      lru.put(name, size);
      bytes += size;
      evict();
      return target;
    }
  }

  @GuardedBy("this")
  private void evict() {
    if (bytes <= maxBytes) {
      return;
    }
    Iterator<Map.Entry<String, Long>> it = lru.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      if (pins.containsKey(e.getKey())) {
        continue;
      }
      try {
        Files.deleteIfExists(path(e.getKey()));
      } catch (IOException ex) {
        log.warn("cannot evict {}: {}", e.getKey(), ex.toString());
        continue;
      }
      bytes -= e.getValue();
      it.remove();
    }
  }

  private Path path(String name) {
    return dir.resolve(name.substring(0, 2)).resolve(name);
  }
}
