package io.hybridgrid.e2e;

import io.hybridgrid.common.fs.TempTrees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Clean-up of the scratch directories the end-to-end tests keep outside JUnit's {@code @TempDir}.
 * Each grid leaves hundreds of MB (worker CAS with shipped toolchains, coordinator store): a full
 * run of the suite must not fill the CI machine's disk, which makes later tests fail for no reason
 * of their own. The logs at the top of the directory stay, so a failure can still be read.
 */
final class Scratch {
  private Scratch() {}

  /** Deletes every subdirectory of {@code dir}, keeping its top-level files (the logs). */
  static void keepOnlyLogs(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(entry);
        }
      }
    } catch (IOException e) {
      System.err.println("cannot prune " + dir + ": " + e.getMessage());
    }
  }

  /** Deletes {@code dir} and everything under it; what cannot be deleted is reported, not fatal. */
  static void deleteTree(Path dir) {
    try {
      TempTrees.delete(dir);
    } catch (IOException e) {
      System.err.println("cannot delete " + dir + ": " + e.getMessage());
    }
  }
}
