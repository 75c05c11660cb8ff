package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.coord.metrics.GridMetrics;
import io.hybridgrid.coord.tasks.TaskFeed;
import io.hybridgrid.proto.v1.ClientTask;
import io.hybridgrid.proto.v1.ClientTasksAck;
import io.hybridgrid.proto.v1.ClientTasksReport;
import io.hybridgrid.proto.v1.ListBuildsRequest;
import io.hybridgrid.proto.v1.ListBuildsResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Client reports feed the metrics and the build view; malformed ones are refused whole. */
class ActivityGrpcServiceTest {
  private final List<String> calls = new ArrayList<>();
  private final GridMetrics metrics =
      new GridMetrics() {
        @Override
        public void task(Placement placement, Outcome outcome) {
          calls.add("task " + placement.tag() + " " + outcome.tag());
        }

        @Override
        public void cacheLookup(String tier, boolean hit) {
          calls.add("cache " + tier + " " + hit);
        }

        @Override
        public void fallbacks(String reason, long count) {
          calls.add("fallbacks " + count);
        }
      };
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T10:00:00Z"), ZoneOffset.UTC);
  private final TaskFeed<String> feed = new TaskFeed<>(p -> p, clock, null);
  private final ActivityGrpcService service = new ActivityGrpcService(metrics, feed, clock);

  private static final class Recorder<T> implements StreamObserver<T> {
    T value;
    Throwable error;

    @Override
    public void onNext(T v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}
  }

  private static ClientTask task(String placement, int exit) {
    return ClientTask.newBuilder()
        .setPlacement(placement)
        .setFile("a.c")
        .setExitCode(exit)
        .setBuildId("b1")
        .setDurationMicros(1500)
        .build();
  }

  @Test
  void reportsMoveMetricsAndBuilds() {
    Recorder<ClientTasksAck> ack = new Recorder<>();
    service.reportClientTasks(
        ClientTasksReport.newBuilder()
            .setClientId("ann@h")
            .setLocalCacheMisses(2)
            .addTasks(task("local_cache", 0))
            .addTasks(task("fallback", 0))
            .addTasks(task("local", 1))
            .build(),
        ack);
    assertEquals(3, ack.value.getAccepted());
    assertEquals(
        List.of(
            "cache local false",
            "cache local false",
            "task local_cache success",
            "cache local true",
            "task fallback success",
            "fallbacks 1",
            "task local compile_error"),
        calls);
    Recorder<ListBuildsResponse> builds = new Recorder<>();
    service.listBuilds(ListBuildsRequest.getDefaultInstance(), builds);
    var b = builds.value.getBuilds(0);
    assertEquals("b1", b.getBuildId());
    assertEquals(3, b.getTasks());
    assertEquals(1, b.getLocalCache());
    assertEquals(1, b.getFallback());
    assertEquals("ann@h", b.getClientId());
  }

  @Test
  void aBadPlacementOrTooManyTasksIsRefusedWhole() {
    Recorder<ClientTasksAck> bad = new Recorder<>();
    service.reportClientTasks(
        ClientTasksReport.newBuilder()
            .addTasks(task("local", 0))
            .addTasks(task("remote", 0))
            .build(),
        bad);
    assertNotNull(bad.error);
    assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(bad.error).getCode());
    assertTrue(bad.error.getMessage().contains("'remote'"), bad.error.getMessage());
    ClientTasksReport.Builder many = ClientTasksReport.newBuilder();
    for (int i = 0; i <= ActivityGrpcService.MAX_TASKS; i++) {
      many.addTasks(task("local", 0));
    }
    Recorder<ClientTasksAck> tooMany = new Recorder<>();
    service.reportClientTasks(many.build(), tooMany);
    assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(tooMany.error).getCode());
    assertTrue(calls.isEmpty(), "nothing counted from refused reports: " + calls);
  }
}
