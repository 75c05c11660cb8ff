package io.hybridgrid.coord.registry;

/**
 * An exponentially weighted moving average: {@code avg = alpha * sample + (1 - alpha) * avg}, the
 * first sample taken as is. NaN until the first sample. Not thread-safe.
 */
public final class Ewma {
  private final double alpha;
  private double value = Double.NaN;
  private long samples;

  /**
   * @param alpha the weight of a new sample, in (0, 1]
   */
  public Ewma(double alpha) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("EWMA alpha must be in (0, 1], not " + alpha);
    }
    this.alpha = alpha;
  }

  /** Adds a sample; negative or non-finite samples are ignored. */
  public void add(double sample) {
    if (!Double.isFinite(sample) || sample < 0) {
      return;
    }
    value = samples == 0 ? sample : alpha * sample + (1 - alpha) * value;
    samples++;
  }

  /** The average, or NaN before the first sample. */
  public double value() {
    return value;
  }

  public long samples() {
    return samples;
  }
}
