package io.hybridgrid.coord.tasks;

import java.nio.file.Path;

/**
 * The optional task log.
 *
 * @param file where it is written, or null when it is off
 * @param maxBytes the size at which it is rotated
 * @param keep rotated files kept
 */
public record TaskLogSettings(Path file, long maxBytes, int keep) {
  /** Default rotation size: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  /** Default rotated files kept. */
  public static final int DEFAULT_KEEP = 3;

  public TaskLogSettings {
    if (file != null && maxBytes < 4096) {
      throw new IllegalArgumentException(
          "--task-log-size must be at least 4K, not " + maxBytes + " bytes");
    }
    if (file != null && keep < 1) {
      throw new IllegalArgumentException("task log must keep at least 1 rotated file");
    }
  }

  /** No task log. */
  public static TaskLogSettings off() {
    return new TaskLogSettings(null, DEFAULT_MAX_BYTES, DEFAULT_KEEP);
  }

  /** Whether a log is written. */
  public boolean enabled() {
    return file != null;
  }
}
