package io.hybridgrid.coord.scheduler;

import java.util.Arrays;
import java.util.Objects;

/**
 * The input blobs of a task, for affinity: each as a 64-bit prefix of its SHA-256 with its size. (A
 * prefix is plenty to tell a task's inputs apart in a bounded per-worker set; a rare collision only
 * makes a worker look slightly warmer than it is.)
 *
 * @param keys the first 8 bytes of each blob's SHA-256, as a long
 * @param sizes each blob's size
 */
public record InputSet(long[] keys, long[] sizes) {
  /** No inputs (work that reads nothing, or a test): affinity plays no part. */
  public static final InputSet NONE = new InputSet(new long[0], new long[0]);

  public InputSet {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(sizes, "sizes");
    if (keys.length != sizes.length) {
      throw new IllegalArgumentException("keys and sizes differ in length");
    }
  }

  /** The key of a blob named by lower-case hex SHA-256 {@code hash}. */
  public static long key(String hash) {
    return Long.parseUnsignedLong(hash.substring(0, 16), 16);
  }

  /** Total bytes of the inputs. */
  public long totalBytes() {
    long t = 0;
    for (long s : sizes) {
      t += s;
    }
    return t;
  }

  public int size() {
    return keys.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputSet s && Arrays.equals(keys, s.keys) && Arrays.equals(sizes, s.sizes);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(keys) + Arrays.hashCode(sizes);
  }

  @Override
  public String toString() {
    return "InputSet[" + keys.length + " blobs, " + totalBytes() + " bytes]";
  }
}
