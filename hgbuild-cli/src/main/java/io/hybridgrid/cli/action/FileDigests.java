package io.hybridgrid.cli.action;

import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.common.fs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * SHA-256 digests of input files, remembered for the daemon's lifetime by path and identity (size,
 * modification and change time, device, inode), so a warm build hashes nothing and costs one {@code
 * stat} per input. As in {@link FileHashes}, a digest is remembered only once the file's timestamps
 * are {@link FileHashes#SETTLE} old. Thread-safe.
 */
public final class FileDigests {

  /** A digest and whether the file is executable (the action carries both). */
  public record Hashed(Digest digest, boolean executable) {}

  private record Known(FileHashes.Stamp stamp, Hashed hashed) {}

  private final FileHashes stamps;
  private final Clock clock;
  private final ConcurrentMap<Path, Known> memo = new ConcurrentHashMap<>();

  /**
   * @param stamps reads file identities
   * @param clock decides when a file has settled
   */
  public FileDigests(FileHashes stamps, Clock clock) {
    this.stamps = stamps;
    this.clock = clock;
  }

  /** The digest of the regular file {@code file}, or empty when it cannot be read. */
  public Optional<Hashed> digest(Path file) {
    return digest(file, stamps.stamp(file));
  }

  /** As {@link #digest(Path)}, against the identity {@code scope} (one compile) first saw. */
  public Optional<Hashed> digest(Path file, FileHashes.Scope scope) {
    return digest(file, scope.stamp(file));
  }

  private Optional<Hashed> digest(Path file, Optional<FileHashes.Stamp> before) {
    if (before.isEmpty()) {
      return Optional.empty();
    }
    Known known = memo.get(file);
    if (known != null && known.stamp().equals(before.get())) {
      return Optional.of(known.hashed());
    }
    Hashed fresh;
    try {
      fresh = new Hashed(Digest.ofFile(file), Files.isExecutable(file));
    } catch (IOException e) {
      return Optional.empty();
    }
    Optional<FileHashes.Stamp> after = stamps.stamp(file);
    if (after.isEmpty() || !after.get().equals(before.get())) {
      return Optional.empty(); // changed while being read
    }
    if (before.get().settledAt(clock.instant())) {
      memo.put(file, new Known(before.get(), fresh));
    }
    return Optional.of(fresh);
  }

  /** How many files are remembered (for tests and statistics). */
  public int size() {
    return memo.size();
  }

  /** The most entries {@link #save} writes (about 20 MB): the headers of several large projects. */
  static final int MAX_SAVED = 200_000;

  /**
   * Writes the memo to {@code file} atomically (a temporary file renamed over it), so a daemon
   * started later need not hash again what an earlier one hashed: a toolchain's 80 MB and every
   * system header. One line per file: digest, size, executable, the identity it was hashed at, and
   * the path last. Paths with a line break are not written.
   */
  public void save(Path file) throws IOException {
    StringBuilder sb = new StringBuilder(memo.size() * 160);
    int n = 0;
    for (Map.Entry<Path, Known> e : memo.entrySet()) {
      String path = e.getKey().toString();
      if (path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0 || ++n > MAX_SAVED) {
        continue;
      }
      FileHashes.Stamp st = e.getValue().stamp();
      Hashed h = e.getValue().hashed();
      sb.append(h.digest().hash())
          .append(' ')
          .append(h.digest().sizeBytes())
          .append(' ')
          .append(h.executable() ? 'x' : '-')
          .append(' ')
          .append(st.size())
          .append(' ')
          .append(st.mtimeNanos())
          .append(' ')
          .append(st.ctimeNanos())
          .append(' ')
          .append(st.dev())
          .append(' ')
          .append(st.ino())
          .append(' ')
          .append(path)
          .append('\n');
    }
    AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8), false);
  }

  /**
   * Adds what {@link #save} wrote to the memo. An entry counts only while its file keeps the
   * identity it was hashed at (checked on every use, as for entries hashed here); lines that do not
   * parse are skipped, and a missing or unreadable file loads nothing.
   *
   * @return how many entries were loaded
   */
  public int load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
    int loaded = 0;
    for (String line : lines) {
      String[] f = line.split(" ", 9);
      if (f.length != 9 || f[0].length() != 64 || !f[8].startsWith("/")) {
        continue;
      }
      try {
        Digest d = new Digest(f[0], Long.parseLong(f[1]));
        FileHashes.Stamp st =
            new FileHashes.Stamp(
                Long.parseLong(f[3]),
                Long.parseLong(f[4]),
                Long.parseLong(f[5]),
                Long.parseLong(f[6]),
                Long.parseLong(f[7]));
        if (d.sizeBytes() != st.size() || !io.hybridgrid.common.hash.Sha256Hex.isValid(f[0])) {
          continue;
        }
        memo.putIfAbsent(Path.of(f[8]), new Known(st, new Hashed(d, f[2].equals("x"))));
        loaded++;
      } catch (IllegalArgumentException e) {
        // a damaged line: that file is simply hashed again
      }
    }
    return loaded;
  }
}
