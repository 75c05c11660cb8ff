package io.hybridgrid.coord.cache;

import java.util.Arrays;
import java.util.Objects;

/**
 * A successful compile's output as the cache keeps it (exit code 0 is implied: nothing else is
 * stored).
 *
 * @param object the object file
 * @param stdout the compiler's standard output
 * @param stderr its diagnostics (warnings)
 * @param compileMicros how long the compile took on the worker that produced it
 */
public record CachedResult(byte[] object, byte[] stdout, byte[] stderr, long compileMicros) {
  public CachedResult {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
  }

  /** Bytes of output held. */
  public long size() {
    return (long) object.length + stdout.length + stderr.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CachedResult r
        && compileMicros == r.compileMicros
        && Arrays.equals(object, r.object)
        && Arrays.equals(stdout, r.stdout)
        && Arrays.equals(stderr, r.stderr);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        Arrays.hashCode(object), Arrays.hashCode(stdout), Arrays.hashCode(stderr), compileMicros);
  }

  @Override
  public String toString() {
    return "CachedResult[object="
        + object.length
        + " B, stdout="
        + stdout.length
        + " B, stderr="
        + stderr.length
        + " B, compileMicros="
        + compileMicros
        + "]";
  }
}
