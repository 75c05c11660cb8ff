package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.hybridgrid.proto.v1.ConnectivityEvent;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Heartbeat;
import io.hybridgrid.proto.v1.ListEventsRequest;
import io.hybridgrid.proto.v1.ListWorkersRequest;
import io.hybridgrid.proto.v1.Pong;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import io.hybridgrid.proto.v1.WorkerInfo;
import io.hybridgrid.proto.v1.WorkerMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connectivity events, live load and round-trip time over the real session protocol. */
class ConnectivityGrpcTest {
  @TempDir Path state;
  private GrpcCoordinator coord;

  private void start() throws Exception {
    coord =
        new GrpcCoordinator(
            new CoordinatorConfig(
                DispatchSettings.defaults(),
                Duration.ofSeconds(3),
                SchedulerKind.P2C,
                state,
                CacheSettings.off()));
  }

  @AfterEach
  void stop() {
    if (coord != null) {
      coord.close();
    }
  }

  private StatusServiceGrpc.StatusServiceBlockingStub status() {
    return StatusServiceGrpc.newBlockingStub(coord.channel())
        .withDeadlineAfter(GrpcCoordinator.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private List<String> events(int limit) {
    return status()
        .listEvents(ListEventsRequest.newBuilder().setLimit(limit).build())
        .getEventsList()
        .stream()
        .map(e -> e.getType() + " " + e.getWorkerId() + " " + e.getHostname())
        .toList();
  }

  @Test
  void eventsAreListedAndSurviveACoordinatorRestart() throws Exception {
    start();
    FakeWorker w1 = coord.connect("w1", 2);
    coord.connect("w2", 2);
    w1.up.onCompleted();
    GrpcCoordinator.await(() -> coord.stats().getWorkers() == 1, "w1 gone");
    assertEquals(List.of("join w1 w1.lan", "join w2 w2.lan", "leave w1 w1.lan"), events(0));
    assertEquals(List.of("leave w1 w1.lan"), events(1));
    coord.close();
    assertTrue(Files.exists(state.resolve("events.jsonl")));

    start();

    List<ConnectivityEvent> after =
        status().listEvents(ListEventsRequest.getDefaultInstance()).getEventsList();
    assertEquals(
        List.of("join w1 w1.lan", "join w2 w2.lan", "leave w1 w1.lan", "leave w2 w2.lan"),
        events(0));
    assertEquals("coordinator shutting down", after.get(3).getReason());
    assertEquals("worker closed the session", after.get(2).getReason());
    assertTrue(after.get(0).getUnixMillis() > 0);
  }

  @Test
  void aNegativeLimitIsInvalid() throws Exception {
    start();
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> status().listEvents(ListEventsRequest.newBuilder().setLimit(-1).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @Test
  void heartbeatsReportLoadAndEachIsAnsweredWithAPingWhosePongGivesTheRtt() throws Exception {
    start();
    FakeWorker w = coord.connect("w1", 2);

    w.send(
        WorkerMessage.newBuilder()
            .setHeartbeat(
                Heartbeat.newBuilder()
                    .setActiveTasks(1)
                    .setLoadAverage(0.25)
                    .setFreeMemoryBytes(3L << 30))
            .build());
    CoordinatorMessage ping = w.next();
    assertEquals(CoordinatorMessage.KindCase.PING, ping.getKindCase(), ping::toString);
    long sentAt = ping.getPing().getSentAtUnixMicros();
    long now = System.currentTimeMillis() * 1000;
    assertTrue(Math.abs(now - sentAt) < 60_000_000, "coordinator clock in micros: " + sentAt);
    w.send(
        WorkerMessage.newBuilder()
            .setPong(
                Pong.newBuilder()
                    .setNonce(ping.getPing().getNonce())
                    .setPingSentAtUnixMicros(sentAt))
            .build());

    GrpcCoordinator.await(
        () ->
            status()
                    .listWorkers(ListWorkersRequest.getDefaultInstance())
                    .getWorkers(0)
                    .getRttMillis()
                >= 0,
        "an RTT measured");
    WorkerInfo info = status().listWorkers(ListWorkersRequest.getDefaultInstance()).getWorkers(0);
    assertTrue(info.getRttMillis() < 10_000, () -> "rtt " + info.getRttMillis());
    assertEquals(3L << 30, info.getFreeMemoryBytes());
    assertEquals(1, info.getReportedActiveTasks());
    assertEquals(0.25, info.getLoadAverage());
    assertEquals(-1, info.getTaskMillis(), "no task ran");
  }
}
