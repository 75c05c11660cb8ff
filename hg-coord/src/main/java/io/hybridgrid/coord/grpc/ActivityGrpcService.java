package io.hybridgrid.coord.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.coord.metrics.GridMetrics;
import io.hybridgrid.coord.tasks.TaskFeed;
import io.hybridgrid.coord.tasks.TaskRecord;
import io.hybridgrid.proto.v1.ActivityServiceGrpc;
import io.hybridgrid.proto.v1.BuildSummary;
import io.hybridgrid.proto.v1.ClientTask;
import io.hybridgrid.proto.v1.ClientTasksAck;
import io.hybridgrid.proto.v1.ClientTasksReport;
import io.hybridgrid.proto.v1.ListBuildsRequest;
import io.hybridgrid.proto.v1.ListBuildsResponse;
import io.hybridgrid.proto.v1.ListRunningTasksRequest;
import io.hybridgrid.proto.v1.ListRunningTasksResponse;
import io.hybridgrid.proto.v1.RunningTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Compiles the coordinator never saw, as clients report them (their cache hits, local compiles and
 * fallbacks), into the metrics and the task feed; and the feed's builds and running tasks for
 * {@code hgbuild stats --builds} and {@code hgbuild top}.
 */
public final class ActivityGrpcService extends ActivityServiceGrpc.ActivityServiceImplBase {
  /** Tasks one report may carry. */
  static final int MAX_TASKS = 1000;

  private static final Set<String> PLACEMENTS = Set.of("local_cache", "local", "fallback");

  private final GridMetrics metrics;
  private final TaskFeed<?> feed;
  private final Clock clock;

  public ActivityGrpcService(GridMetrics metrics, TaskFeed<?> feed, Clock clock) {
    this.metrics = metrics;
    this.feed = feed;
    this.clock = clock;
  }

  @Override
  public void reportClientTasks(ClientTasksReport r, StreamObserver<ClientTasksAck> out) {
    if (r.getTasksCount() > MAX_TASKS) {
      out.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "a report may carry at most " + MAX_TASKS + " tasks, not " + r.getTasksCount())
              .asRuntimeException());
      return;
    }
    for (ClientTask t : r.getTasksList()) {
      if (!PLACEMENTS.contains(t.getPlacement())) {
        out.onError(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "placement must be one of " + PLACEMENTS + ", not '" + t.getPlacement() + "'")
                .asRuntimeException());
        return;
      }
    }
    if (r.getLocalCacheMisses() < 0 || r.getLocalCacheMisses() > 1_000_000) {
      out.onError(
          Status.INVALID_ARGUMENT
              .withDescription("local_cache_misses out of range: " + r.getLocalCacheMisses())
              .asRuntimeException());
      return;
    }
    for (long i = 0; i < r.getLocalCacheMisses(); i++) {
      metrics.cacheLookup("local", false);
    }
    for (ClientTask t : r.getTasksList()) {
      GridMetrics.Placement placement =
          GridMetrics.Placement.valueOf(t.getPlacement().toUpperCase(java.util.Locale.ROOT));
      GridMetrics.Outcome outcome =
          t.getExitCode() == 0 ? GridMetrics.Outcome.SUCCESS : GridMetrics.Outcome.COMPILE_ERROR;
      metrics.task(placement, outcome);
      if (placement == GridMetrics.Placement.LOCAL_CACHE) {
        metrics.cacheLookup("local", true);
      } else if (placement == GridMetrics.Placement.FALLBACK) {
        metrics.fallbacks("grid_unavailable", 1);
      }
      feed.finished(
          new TaskRecord(
              t.getFinishedUnixMillis() > 0
                  ? Instant.ofEpochMilli(t.getFinishedUnixMillis())
                  : clock.instant(),
              t.getFile(),
              r.getClientId(),
              t.getBuildId(),
              "",
              t.getPlacement(),
              outcome.tag(),
              Math.max(0, t.getDurationMicros()) / 1000.0,
              0,
              0,
              0));
    }
    out.onNext(ClientTasksAck.newBuilder().setAccepted(r.getTasksCount()).build());
    out.onCompleted();
  }

  @Override
  public void listBuilds(ListBuildsRequest request, StreamObserver<ListBuildsResponse> out) {
    int limit = request.getLimit() <= 0 ? 20 : Math.min(request.getLimit(), 200);
    ListBuildsResponse.Builder b = ListBuildsResponse.newBuilder();
    for (var s : feed.builds(limit)) {
      b.addBuilds(
          BuildSummary.newBuilder()
              .setBuildId(s.buildId())
              .setClientId(s.client())
              .setStartedUnixMillis(s.started().toEpochMilli())
              .setFinishedUnixMillis(s.finished().toEpochMilli())
              .setTasks(s.tasks())
              .setRemote(s.remote())
              .setCached(s.cached())
              .setLocalCache(s.localCache())
              .setLocal(s.local())
              .setFallback(s.fallback())
              .setFailed(s.failed()));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void listRunningTasks(
      ListRunningTasksRequest request, StreamObserver<ListRunningTasksResponse> out) {
    ListRunningTasksResponse.Builder b = ListRunningTasksResponse.newBuilder();
    for (var t : feed.running()) {
      b.addTasks(
          RunningTask.newBuilder()
              .setTaskId(t.taskId())
              .setFile(t.file())
              .setWorkerId(t.worker())
              .setStartedUnixMillis(t.started().toEpochMilli()));
    }
    b.setFinishedLast10S(feed.finishedWithin(Duration.ofSeconds(10)));
    out.onNext(b.build());
    out.onCompleted();
  }
}
