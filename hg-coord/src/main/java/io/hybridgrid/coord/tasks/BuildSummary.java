package io.hybridgrid.coord.tasks;

import java.time.Instant;

/**
 * One build's compiles, counted by placement.
 *
 * @param buildId the id the wrapper set
 * @param client the client that ran it
 * @param started the first compile's end
 * @param finished the last compile's end
 * @param tasks compiles seen
 * @param remote on workers
 * @param cached from the coordinator's shared cache
 * @param localCache from the client's cache
 * @param local on the client by choice
 * @param fallback on the client because the grid could not serve
 * @param failed ended without a result
 */
public record BuildSummary(
    String buildId,
    String client,
    Instant started,
    Instant finished,
    long tasks,
    long remote,
    long cached,
    long localCache,
    long local,
    long fallback,
    long failed) {

  /** This summary with one more task. */
  BuildSummary plus(TaskRecord t) {
    boolean isFailed = t.outcome().equals("failed");
    return new BuildSummary(
        buildId,
        client.isEmpty() ? t.client() : client,
        started == null || t.finished().isBefore(started) ? t.finished() : started,
        finished == null || t.finished().isAfter(finished) ? t.finished() : finished,
        tasks + 1,
        remote + (!isFailed && t.placement().equals("remote") ? 1 : 0),
        cached + (t.placement().equals("cache") ? 1 : 0),
        localCache + (t.placement().equals("local_cache") ? 1 : 0),
        local + (t.placement().equals("local") ? 1 : 0),
        fallback + (t.placement().equals("fallback") ? 1 : 0),
        failed + (isFailed ? 1 : 0));
  }

  static BuildSummary empty(String buildId) {
    return new BuildSummary(buildId, "", null, null, 0, 0, 0, 0, 0, 0, 0);
  }
}
