package io.hybridgrid.common.fs;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Putting a finished file in place so that readers see the old one or the new one, never half. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Renames {@code from} over {@code to} atomically; where the file system cannot (a different file
   * system), replaces it with a plain move.
   */
  public static void replace(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
