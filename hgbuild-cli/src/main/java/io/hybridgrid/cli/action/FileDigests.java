package io.hybridgrid.cli.action;

import io.hybridgrid.cli.cache.FileHashes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
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
    Optional<FileHashes.Stamp> before = stamps.stamp(file);
    if (before.isEmpty()) {
      return Optional.empty();
    }
    Known known = memo.get(file);
    if (known != null && known.stamp().equals(before.get())) {
      return Optional.of(known.hashed());
    }
    Hashed fresh;
    try {
      fresh = new Hashed(read(file), Files.isExecutable(file));
    } catch (IOException e) {
      return Optional.empty();
    }
    Optional<FileHashes.Stamp> after = stamps.stamp(file);
    if (after.isEmpty() || !after.get().equals(before.get())) {
      return Optional.empty(); // changed while being read
    }
    if (before.get().lastChange().isBefore(clock.instant().minus(FileHashes.SETTLE))) {
      memo.put(file, new Known(before.get(), fresh));
    }
    return Optional.of(fresh);
  }

  /** How many files are remembered (for tests and statistics). */
  public int size() {
    return memo.size();
  }

  private static Digest read(Path file) throws IOException {
    MessageDigest sha = Digest.sha256();
    long size = 0;
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        size += n;
      }
    }
    return new Digest(HexFormat.of().formatHex(sha.digest()), size);
  }
}
