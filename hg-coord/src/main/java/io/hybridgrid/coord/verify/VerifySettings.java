package io.hybridgrid.coord.verify;

/**
 * How the coordinator verifies worker results before sharing them.
 *
 * @param sampleRate the share of {@code trusted-worker} results re-run on another worker, 0 to 1
 *     ({@code worker} results are all re-run before they are shared)
 * @param maxPending verifications waiting or running at once; beyond it a result is not verified (a
 *     {@code worker} result is then not shared)
 */
public record VerifySettings(double sampleRate, int maxPending) {
  /** 5 % of trusted results: a lying trusted worker is caught within a few dozen compiles. */
  public static final double DEFAULT_SAMPLE_RATE = 0.05;

  /** Verifications in flight at most: 256. */
  public static final int DEFAULT_MAX_PENDING = 256;

  public VerifySettings {
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException(
          "verify sample rate must be between 0 and 1 (e.g. 0.05), not " + sampleRate);
    }
    if (maxPending < 1) {
      throw new IllegalArgumentException("pending verifications must be at least 1");
    }
  }

  public static VerifySettings defaults() {
    return new VerifySettings(DEFAULT_SAMPLE_RATE, DEFAULT_MAX_PENDING);
  }
}
