package io.hybridgrid.worker.action;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One symlink per target text, kept beside the task directories, so that a task tree gets its
 * symlinks as hard links to these ({@code link(2)} links a symlink itself on Linux) instead of new
 * ones.
 *
 * <p>Why: a new symlink, like any new inode, is the dearest thing a layout does on some filesystems
 * (0.1–0.9 ms of kernel time each on the ext4 of the benchmark machine, against 10–20 µs for a hard
 * link), and a shipped toolchain alone brings a dozen per action. A symlink's target cannot be
 * changed after it is made, so sharing its inode between tasks shares nothing a command could
 * alter: a command can only remove its own name for it.
 *
 * <p>Each prototype is made under a temporary name and renamed into place, and read back once per
 * process before it is used, so a file left in the directory by anything else is replaced, never
 * trusted. Past {@link #MAX} targets, or when linking fails (another filesystem, the link-count
 * limit), the tree makes a plain symlink.
 */
final class SymlinkPrototypes {
  /** Targets remembered per process; a worker sees a few hundred. */
  static final int MAX = 16_384;

  private final Path dir;
  private final Map<String, Path> verified = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  SymlinkPrototypes(Path dir) {
    this.dir = dir;
  }

  /** The directory the prototypes live in. */
  Path dir() {
    return dir;
  }

  /**
   * A symlink whose target is {@code target}, to hard-link; null when there is none to offer (the
   * table is full, or it cannot be made).
   */
  Path prototype(String target) {
    Path p = verified.get(target);
    if (p != null) {
      return p;
    }
    if (verified.size() >= MAX) {
      return null;
    }
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        // Traversable, not listable: the targets name clients' paths.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
      }
      Path name = dir.resolve(name(target));
      if (!holds(name, target)) {
        Path staged =
            dir.resolve(".tmp-" + ProcessHandle.current().pid() + "-" + sequence.getAndIncrement());
        Files.deleteIfExists(staged);
        Files.createSymbolicLink(staged, Path.of(target));
        Files.move(staged, name, StandardCopyOption.ATOMIC_MOVE);
        if (!holds(name, target)) {
          return null;
        }
      }
      verified.put(target, name);
      return name;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean holds(Path name, String target) {
    try {
      return Files.isSymbolicLink(name) && Files.readSymbolicLink(name).toString().equals(target);
    } catch (IOException e) {
      return false;
    }
  }

  private static String name(String target) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(target.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
