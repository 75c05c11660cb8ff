package io.hybridgrid.common.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Removal of the temporary directory trees the client and worker make per compile. */
public final class TempTrees {
  private TempTrees() {}

  /**
   * Deletes {@code dir} and everything below it; symlinks are removed, never followed. Absent is
   * fine.
   *
   * <p>Each entry is first simply removed ({@code File.delete}: an {@code unlink}, which is all a
   * file or symlink needs); only an entry that will not go is looked at, and listed when it is a
   * real directory. A worker removes a few hundred entries per compile, and a walk that {@code
   * lstat}s each one before removing it (and {@code Files.delete}, which looks again) paid two
   * calls per entry more.
   */
  public static void delete(Path dir) throws IOException {
    if (dir.toFile().delete()) {
      return;
    }
    BasicFileAttributes a = attributes(dir);
    if (a == null) {
      return;
    }
    if (a.isDirectory()) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path p : entries) {
          delete(p);
        }
      }
    }
    Files.delete(dir); // gone now, or the reason it is not
  }

  private static BasicFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null;
    }
  }
}
