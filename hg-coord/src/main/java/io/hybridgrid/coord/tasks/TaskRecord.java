package io.hybridgrid.coord.tasks;

import java.time.Instant;
import java.util.Objects;

/**
 * One finished compile as the task feed, the task log and the build view show it.
 *
 * @param finished when it ended
 * @param file the source file
 * @param client the client id the request named
 * @param buildId the build it belongs to, or ""
 * @param worker the worker that ran it, or "" (cache hits, client-side compiles)
 * @param placement remote, cache, local_cache, local or fallback
 * @param outcome success, compile_error or failed
 * @param durationMillis from the request's arrival (or the client's start) to its end
 * @param queueMillis time spent waiting for a worker
 * @param bytesIn request bytes received
 * @param bytesOut response bytes sent
 */
public record TaskRecord(
    Instant finished,
    String file,
    String client,
    String buildId,
    String worker,
    String placement,
    String outcome,
    double durationMillis,
    double queueMillis,
    long bytesIn,
    long bytesOut) {
  public TaskRecord {
    Objects.requireNonNull(finished, "finished");
    file = clip(file);
    client = clip(client);
    buildId = clip(buildId);
    worker = clip(worker);
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** Strings from clients are bounded: a feed entry never holds more than 256 characters each. */
  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= 256 ? s : s.substring(0, 256);
  }
}
