package io.hybridgrid.common.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Putting a finished file in place so that readers see the old one or the new one, never half. */
public final class AtomicFiles {
  /** What the name of every temporary file {@link #write} makes contains. */
  private static final String TEMP_MARK = ".hgtmp-";

  private static final long PID = ProcessHandle.current().pid();

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

  /**
   * Writes {@code content} as {@code target}: into a hidden sibling named after this process,
   * thread and moment (created new, so never through a link planted under that name; no random
   * source needed), in one write call, then renamed over {@code target}. A failure leaves {@code
   * target} as it was and removes the sibling.
   *
   * @param executable whether to make the file executable for everyone
   * @throws ClosedByInterruptException when the calling thread is interrupted before the rename;
   *     {@code target} is then left as it was
   * @throws java.nio.file.NoSuchFileException when {@code target}'s directory does not exist
   */
  public static void write(Path target, byte[] content, boolean executable) throws IOException {
    Path temp =
        target.resolveSibling(
            "."
                + target.getFileName()
                + TEMP_MARK
                + PID
                + "-"
                + Thread.currentThread().getId()
                + "-"
                + System.nanoTime());
    boolean moved = false;
    try {
      // One write call (Files.write goes in 8 KiB pieces).
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
      if (executable) {
        temp.toFile().setExecutable(true, false);
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new ClosedByInterruptException();
      }
      replace(temp, target);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Whether {@code fileName} is one of {@link #write}'s temporary files (left by a crash). */
  public static boolean isTemporary(String fileName) {
    return fileName.startsWith(".") && fileName.contains(TEMP_MARK);
  }
}
