package io.hybridgrid.bench.scheduler;

import java.util.Arrays;

/**
 * Durations in nanoseconds, recorded from any thread, with percentiles. Keeps at most {@code
 * capacity} samples (later ones are counted but dropped) so a long run cannot exhaust the heap.
 */
final class LatencySamples {
  private final int capacity;
  private long[] values = new long[1024];
  private int size;
  private long dropped;

  LatencySamples(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
    }
    this.capacity = capacity;
  }

  synchronized void add(long nanos) {
    if (size == capacity) {
      dropped++;
      return;
    }
    if (size == values.length) {
      values = Arrays.copyOf(values, Math.min(capacity, values.length * 2));
    }
    values[size++] = nanos;
  }

  /** Forgets everything recorded so far (end of a warm-up). */
  synchronized void clear() {
    size = 0;
    dropped = 0;
  }

  synchronized Summary summary() {
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return new Summary(size, dropped, sorted);
  }

  /** A sorted copy of the samples. */
  static final class Summary {
    final int count;
    final long dropped;
    private final long[] sorted;

    Summary(int count, long dropped, long[] sorted) {
      this.count = count;
      this.dropped = dropped;
      this.sorted = sorted;
    }

    /** The {@code p}-th percentile (nearest rank) in microseconds; NaN when empty. */
    double percentileMicros(double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1000.0;
    }

    double maxMicros() {
      return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1000.0;
    }
  }
}
