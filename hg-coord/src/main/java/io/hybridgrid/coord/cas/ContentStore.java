package io.hybridgrid.coord.cas;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's content-addressed store: blobs named by their SHA-256 {@link Digest}, shared by
 * every client and worker.
 *
 * <p>Every blob lives in the disk tier, one file per blob under {@code dir/<2 hex>/<64 hex>},
 * bounded in total bytes with least-recently-used eviction (recency is an in-memory index in access
 * order; a file's modification time carries it across a restart). Small blobs (up to {@link
 * #MEMORY_BLOB_LIMIT}) are also kept in a byte-bounded memory tier, so the many header reads of a
 * build do not touch the disk.
 *
 * <p>Every write is verified against its digest (size and SHA-256) before it becomes visible: it
 * goes to a temporary file that is renamed into place only after the check, so a mismatching blob
 * is refused and never stored, and a reader never sees half a blob. Large blobs are written and
 * read in chunks ({@link #openWriter}, {@link #openReader}), never held whole in memory.
 *
 * <p>The empty blob is always present and never stored.
 *
 * <p>(Over 500 lines on purpose: the disk index, the memory tier, the streamed writer and the exact
 * counters change together at every put, commit and eviction; split apart, each would need the
 * others' lock and counters.)
 */
public final class ContentStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ContentStore.class);

  /** Blobs up to this size are also kept in the memory tier: 1 MiB. */
  public static final int MEMORY_BLOB_LIMIT = 1 << 20;

  /** A file's modification time is refreshed at most this often (one system call per blob). */
  static final Duration TOUCH_INTERVAL = Duration.ofMinutes(10);

  private static final int MEMORY_ENTRY_OVERHEAD = 96;

  private final CasSettings settings;
  private final Clock clock;
  private final Cache<String, byte[]> memory;
  private final AtomicLong tmpCounter = new AtomicLong();

  private final Object lock = new Object();

  /** On-disk blob: its size and when its file's modification time was last set. */
  private static final class Entry {
    final long size;
    long touchedMillis;

    Entry(long size, long touchedMillis) {
      this.size = size;
      this.touchedMillis = touchedMillis;
    }
  }

  // @GuardedBy("lock"): hash -> entry, least recently used first
  private final LinkedHashMap<String, Entry> index = new LinkedHashMap<>(1024, 0.75f, true);
  // @GuardedBy("lock")
  private long bytes;

  private final AtomicLong uploadedBlobs = new AtomicLong();
  private final AtomicLong uploadedBytes = new AtomicLong();
  private final AtomicLong storedBlobs = new AtomicLong();
  private final AtomicLong storedBytes = new AtomicLong();
  private final AtomicLong refusedUploads = new AtomicLong();
  private final AtomicLong readBlobs = new AtomicLong();
  private final AtomicLong readBytes = new AtomicLong();
  private final AtomicLong findHits = new AtomicLong();
  private final AtomicLong findMisses = new AtomicLong();
  private final AtomicLong evicted = new AtomicLong();

  /**
   * @param settings bounds and directory
   * @param clock time for the files' recency stamps
   */
  public ContentStore(CasSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.memory =
        settings.memoryBytes() == 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(settings.memoryBytes())
                .weigher((String k, byte[] v) -> v.length + MEMORY_ENTRY_OVERHEAD)
                .executor(Runnable::run) // evict on the caller's thread: bounded at every moment
                .build();
  }

  /** Creates the directory, deletes leftover temporary files and indexes the blobs found. */
  public ContentStore start() throws IOException {
    try {
      index();
    } catch (IOException e) {
      throw new IOException("cannot use the CAS directory " + settings.dir() + ": " + e, e);
    }
    return this;
  }

  private void index() throws IOException {
    Path dir = settings.dir();
    Files.createDirectories(dir);
    record Found(String hash, long size, FileTime modified) {}
    List<Found> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir, 2)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(f);
          continue;
        }
        if (name.length() != 64
            || !f.getParent().getFileName().toString().equals(name.substring(0, 2))) {
          continue; // not ours
        }
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        try {
          new Digest(name, a.size());
        } catch (IllegalArgumentException e) {
          continue;
        }
        found.add(new Found(name, a.size(), a.lastModifiedTime()));
      }
    }
    found.sort(Comparator.comparing(Found::modified));
    synchronized (lock) {
      for (Found f : found) {
        index.put(f.hash(), new Entry(f.size(), f.modified().toMillis()));
        bytes += f.size();
      }
      evictLocked(null);
      log.info(
          "CAS {}: {} blobs, {} bytes (limit {})", dir, index.size(), bytes, settings.diskBytes());
    }
  }

  public CasSettings settings() {
    return settings;
  }

  /** Whether the store holds {@code d} (marks it recently used). */
  public boolean contains(Digest d) {
    if (d.size() == 0) {
      return d.equals(Digest.EMPTY);
    }
    Entry e;
    synchronized (lock) {
      e = index.get(d.hash());
    }
    if (e == null || e.size != d.size()) {
      return false;
    }
    touch(d, e);
    return true;
  }

  /** The digests of {@code digests} the store lacks, in the given order; counts hits and misses. */
  public List<Digest> findMissing(Collection<Digest> digests) {
    List<Digest> missing = new ArrayList<>();
    for (Digest d : digests) {
      if (contains(d)) {
        findHits.incrementAndGet();
      } else {
        findMisses.incrementAndGet();
        missing.add(d);
      }
    }
    return missing;
  }

  /**
   * Stores {@code data} under {@code d} after checking that it matches.
   *
   * @param upload whether a client or worker sent it (counted as an upload) rather than the
   *     coordinator storing a result it received inline
   * @return true when the blob was new
   * @throws InvalidBlobException when it does not match its digest or is too large (not stored)
   */
  public boolean put(Digest d, byte[] data, boolean upload) {
    try {
      checkStorable(d);
      if (data.length != d.size()) {
        throw new InvalidBlobException(
            "blob " + d.hash() + " declares " + d.size() + " bytes but has " + data.length);
      }
      Digest actual = Digest.of(data);
      if (!actual.equals(d)) {
        throw new InvalidBlobException(
            "blob " + d.hash() + " does not match its digest: its bytes hash to " + actual.hash());
      }
    } catch (InvalidBlobException e) {
      if (upload) {
        refusedUploads.incrementAndGet();
      }
      throw e;
    }
    if (upload) {
      uploadedBlobs.incrementAndGet();
      uploadedBytes.addAndGet(d.size());
    }
    if (d.size() == 0 || contains(d)) {
      return false;
    }
    Path tmp = tmpFile(d);
    try {
      Files.createDirectories(tmp.getParent());
      Files.write(tmp, data);
      return commit(d, tmp, data);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new java.io.UncheckedIOException("cannot store blob " + d.hash() + ": " + e, e);
    }
  }

  /**
   * Starts a streamed write of {@code d}: the bytes go to a temporary file and are hashed as they
   * arrive; {@link BlobWriter#commit} checks them and puts the blob in place.
   *
   * @throws InvalidBlobException when {@code d} is larger than the store takes
   */
  public BlobWriter openWriter(Digest d) throws IOException {
    try {
      checkStorable(d);
    } catch (InvalidBlobException e) {
      refusedUploads.incrementAndGet();
      throw e;
    }
    Path tmp = tmpFile(d);
    Files.createDirectories(tmp.getParent());
    return new BlobWriter(d, tmp);
  }

  /** A streamed upload in progress; not thread-safe (one stream writes it). */
  public final class BlobWriter implements AutoCloseable {
    private final Digest digest;
    private final Path tmp;
    private final FileChannel channel;
    private final MessageDigest sha = Digest.sha256();
    private long written;
    private boolean done;

    private BlobWriter(Digest digest, Path tmp) throws IOException {
      this.digest = digest;
      this.tmp = tmp;
      this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** The blob being written. */
    public Digest digest() {
      return digest;
    }

    /** Bytes received so far. */
    public long written() {
      return written;
    }

    /**
     * Appends the next chunk.
     *
     * @throws InvalidBlobException when the chunks exceed the declared size (the write is dropped)
     */
    public void write(ByteBuffer chunk) throws IOException {
      if (written + chunk.remaining() > digest.size()) {
        long total = written + chunk.remaining();
        refuse(
            "blob "
                + digest.hash()
                + " declares "
                + digest.size()
                + " bytes but at least "
                + total
                + " were sent");
      }
      written += chunk.remaining();
      sha.update(chunk.duplicate());
      while (chunk.hasRemaining()) {
        channel.write(chunk);
      }
    }

    /**
     * Checks the bytes against the digest and puts the blob in place.
     *
     * @return true when the blob was new
     * @throws InvalidBlobException on a size or hash mismatch (nothing is stored)
     */
    public boolean commit() throws IOException {
      if (written != digest.size()) {
        refuse(
            "blob "
                + digest.hash()
                + " declares "
                + digest.size()
                + " bytes but "
                + written
                + " were sent");
      }
      String actual = Digest.hex(sha.digest());
      if (!actual.equals(digest.hash())) {
        refuse("blob " + digest.hash() + " does not match its digest: its bytes hash to " + actual);
      }
      channel.close();
      done = true;
      uploadedBlobs.incrementAndGet();
      uploadedBytes.addAndGet(digest.size());
      if (digest.size() == 0 || contains(digest)) {
        deleteQuietly(tmp);
        return false;
      }
      try {
        return ContentStore.this.commit(digest, tmp, null);
      } catch (IOException e) {
        deleteQuietly(tmp);
        throw e;
      }
    }

    private void refuse(String message) {
      refusedUploads.incrementAndGet();
      abort();
      throw new InvalidBlobException(message);
    }

    /** Drops the write (idempotent). */
    public void abort() {
      if (done) {
        return;
      }
      done = true;
      try {
        channel.close();
      } catch (IOException e) {
        // deleting it is what matters
      }
      deleteQuietly(tmp);
    }

    @Override
    public void close() {
      abort();
    }
  }

  /**
   * The whole blob, or empty when the store lacks it. For small blobs (batch reads); large ones are
   * read with {@link #openReader}. Counts a read.
   */
  public Optional<byte[]> read(Digest d) throws IOException {
    if (d.size() == 0) {
      return d.equals(Digest.EMPTY) ? Optional.of(new byte[0]) : Optional.empty();
    }
    if (d.size() > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("blob " + d.hash() + " is too large to read whole");
    }
    byte[] data = memory == null ? null : memory.getIfPresent(d.hash());
    if (data == null || data.length != d.size()) {
      if (!contains(d)) {
        return Optional.empty();
      }
      try {
        data = Files.readAllBytes(path(d));
      } catch (NoSuchFileException e) {
        forget(d.hash());
        return Optional.empty();
      }
      if (data.length != d.size()) {
        log.warn("CAS file of {} has {} bytes; dropped", d, data.length);
        forget(d.hash());
        deleteQuietly(path(d));
        return Optional.empty();
      }
      if (memory != null && data.length <= MEMORY_BLOB_LIMIT) {
        memory.put(d.hash(), data);
      }
    } else {
      contains(d); // recency
    }
    readBlobs.incrementAndGet();
    readBytes.addAndGet(data.length);
    return Optional.of(data);
  }

  /**
   * An open channel on the blob's file, positioned at 0, or empty when the store lacks it. Counts a
   * read of the whole blob. The caller closes it; eviction does not disturb an open file.
   */
  public Optional<FileChannel> openReader(Digest d) throws IOException {
    if (d.size() == 0 && d.equals(Digest.EMPTY)) {
      // The empty blob has no file; an empty temporary channel would need one. Callers check size.
      readBlobs.incrementAndGet();
      return Optional.empty();
    }
    if (!contains(d)) {
      return Optional.empty();
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(path(d), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      forget(d.hash());
      return Optional.empty();
    }
    readBlobs.incrementAndGet();
    readBytes.addAndGet(d.size());
    return Optional.of(channel);
  }

  public CasStats stats() {
    long held;
    long heldBytes;
    synchronized (lock) {
      held = index.size();
      heldBytes = bytes;
    }
    long mem = 0;
    if (memory != null) {
      mem = memory.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }
    return new CasStats(
        uploadedBlobs.get(),
        uploadedBytes.get(),
        storedBlobs.get(),
        storedBytes.get(),
        refusedUploads.get(),
        readBlobs.get(),
        readBytes.get(),
        findHits.get(),
        findMisses.get(),
        held,
        heldBytes,
        mem,
        evicted.get());
  }

  /** The file of {@code d} (tests delete it to simulate loss). */
  Path path(Digest d) {
    return settings.dir().resolve(d.hash().substring(0, 2)).resolve(d.hash());
  }

  /**
   * Removes {@code d} from both tiers, as eviction would (a purge; tests simulate loss with it).
   */
  public void delete(Digest d) {
    forget(d.hash());
    if (memory != null) {
      memory.invalidate(d.hash());
    }
    deleteQuietly(path(d));
  }

  @Override
  public void close() {
    // Nothing buffered: every blob is on disk once committed.
  }

  private void checkStorable(Digest d) {
    if (d.size() > settings.storableBytes()) {
      throw new InvalidBlobException(
          "blob "
              + d.hash()
              + " has "
              + d.size()
              + " bytes, more than the largest blob the store takes ("
              + settings.storableBytes()
              + " bytes)");
    }
  }

  private Path tmpFile(Digest d) {
    return path(d).resolveSibling(d.hash() + "." + tmpCounter.incrementAndGet() + ".tmp");
  }

  /** Renames a verified temporary file into place and indexes it. */
  private boolean commit(Digest d, Path tmp, byte[] data) throws IOException {
    long now = clock.millis();
    Files.setLastModifiedTime(tmp, FileTime.fromMillis(now));
    Path file = path(d);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    boolean added;
    synchronized (lock) {
      added = !index.containsKey(d.hash());
      if (added) {
        index.put(d.hash(), new Entry(d.size(), now));
        bytes += d.size();
        evictLocked(d.hash());
      }
    }
    if (added) {
      storedBlobs.incrementAndGet();
      storedBytes.addAndGet(d.size());
    }
    if (memory != null && data != null && data.length <= MEMORY_BLOB_LIMIT) {
      memory.put(d.hash(), data);
    }
    return added;
  }

  private void touch(Digest d, Entry e) {
    long now = clock.millis();
    synchronized (lock) {
      if (now - e.touchedMillis < TOUCH_INTERVAL.toMillis()) {
        return;
      }
      e.touchedMillis = now;
    }
    try {
      Files.setLastModifiedTime(path(d), FileTime.fromMillis(now));
    } catch (IOException ex) {
      // recency after a restart is best effort
    }
  }

  private void forget(String hash) {
    synchronized (lock) {
      Entry e = index.remove(hash);
      if (e != null) {
        bytes -= e.size;
      }
    }
  }

  /** Deletes least recently used blobs until under the bound, sparing {@code keep}. */
  // @GuardedBy("lock")
  private void evictLocked(String keep) {
    Iterator<Map.Entry<String, Entry>> it = index.entrySet().iterator();
    while (bytes > settings.diskBytes() && it.hasNext()) {
      Map.Entry<String, Entry> e = it.next();
      if (e.getKey().equals(keep)) {
        continue;
      }
      Path file = settings.dir().resolve(e.getKey().substring(0, 2)).resolve(e.getKey());
      deleteQuietly(file);
      if (memory != null) {
        memory.invalidate(e.getKey());
      }
      bytes -= e.getValue().size;
      it.remove();
      evicted.incrementAndGet();
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", p, e.toString());
    }
  }
}
