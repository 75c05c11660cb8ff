package io.hybridgrid.bench.scheduler;

import java.util.SplittableRandom;

/**
 * A lognormal compile-time distribution: {@code median × exp(sigma × Z)}, Z standard normal,
 * truncated at {@code maxMillis} so one sample cannot stall a run. Heavy-tailed like real per-file
 * compile times (bench/results/compile-times.txt holds the measured Lua and zstd files the defaults
 * were fitted to; docs/benchmarks.md states the fit).
 *
 * @param medianMillis the median
 * @param sigma the standard deviation of ln(time)
 * @param maxMillis the truncation point
 */
record CompileTimes(double medianMillis, double sigma, double maxMillis) {
  CompileTimes {
    if (!(medianMillis > 0) || !(sigma >= 0) || !(maxMillis >= medianMillis)) {
      throw new IllegalArgumentException(
          "need median > 0, sigma >= 0 and max >= median, not "
              + medianMillis
              + ", "
              + sigma
              + ", "
              + maxMillis);
    }
  }

  /** One compile time in microseconds. */
  long sampleMicros(SplittableRandom random) {
    double z = gaussian(random);
    double millis = Math.min(maxMillis, medianMillis * Math.exp(sigma * z));
    return Math.max(1, Math.round(millis * 1000));
  }

  /** The same shape with every time multiplied by {@code factor}. */
  CompileTimes scaled(double factor) {
    return new CompileTimes(medianMillis * factor, sigma, maxMillis * factor);
  }

  /** Box-Muller; SplittableRandom has no nextGaussian on Java 17. */
  private static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble(); // (0, 1]
    double u2 = random.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}
