package io.hybridgrid.coord.grpc;

import static io.hybridgrid.coord.grpc.GrpcCoordinator.compile;
import static io.hybridgrid.coord.grpc.GrpcCoordinator.object;
import static io.hybridgrid.coord.grpc.GrpcCoordinator.result;
import static io.hybridgrid.coord.grpc.GrpcCoordinator.uploaded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.TaskAssignment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a client sees when every capable worker is busy: its task waits and runs when a slot frees;
 * a full queue or a passed deadline is a clear error it falls back on.
 */
class QueueGrpcTest {
  private GrpcCoordinator coord;

  private void start(int queueCapacity, Duration queueTimeout) throws Exception {
    DispatchSettings d = DispatchSettings.defaults();
    coord =
        new GrpcCoordinator(
            new CoordinatorConfig(
                new DispatchSettings(
                    queueCapacity,
                    queueTimeout,
                    d.taskTimeout(),
                    d.maxAttempts(),
                    Duration.ofMinutes(5)),
                Duration.ofSeconds(3),
                SchedulerKind.P2C,
                null,
                CacheSettings.off()));
  }

  @AfterEach
  void stop() {
    if (coord != null) {
      coord.close();
    }
  }

  private Status fails(String unit) {
    return assertThrows(
            StatusRuntimeException.class,
            () -> compile(coord.channel(), uploaded(coord.channel(), unit)))
        .getStatus();
  }

  @Test
  void aWaitingTaskRunsAsSoonAsASlotFrees() throws Exception {
    start(10, Duration.ofMinutes(5));
    FakeWorker w = coord.connect("w1", 1);
    CompletableFuture<CompileResponse> running =
        CompletableFuture.supplyAsync(
            () -> compile(coord.channel(), uploaded(coord.channel(), "a")));
    TaskAssignment first = w.nextAssignment();
    CompletableFuture<CompileResponse> waiting =
        CompletableFuture.supplyAsync(
            () -> compile(coord.channel(), uploaded(coord.channel(), "b")));
    GrpcCoordinator.await(() -> coord.stats().getTasksQueued() == 1, "b queued");

    w.reply(first.getTaskId(), result("w1", 0, "a.o"));

    TaskAssignment second = w.nextAssignment();
    assertEquals(
        GrpcCoordinator.digest(GrpcCoordinator.utf8("b")),
        second.getAction().getInputs(0).getDigest(),
        "the waiting action runs next");
    w.reply(second.getTaskId(), result("w1", 0, "b.o"));
    assertEquals("a.o", object(running.get()));
    assertEquals("b.o", object(waiting.get()));
    assertTrue(waiting.get().getQueueMicros() > 0);
  }

  @Test
  void aFullQueueIsResourceExhausted() throws Exception {
    start(1, Duration.ofMinutes(5));
    coord.connect("w1", 1);
    var unusedRunning =
        CompletableFuture.runAsync(
            () -> compile(coord.channel(), uploaded(coord.channel(), "running")));
    GrpcCoordinator.await(() -> coord.stats().getActiveTasks() == 1, "one running");
    var unusedWaiting =
        CompletableFuture.runAsync(
            () -> compile(coord.channel(), uploaded(coord.channel(), "waiting")));
    GrpcCoordinator.await(() -> coord.stats().getTasksQueued() == 1, "one waiting");

    Status s = fails("one too many");

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode());
    assertEquals("queue is full (1 tasks waiting)", s.getDescription());
  }

  @Test
  void aPassedQueueDeadlineIsDeadlineExceeded() throws Exception {
    start(10, Duration.ZERO);
    coord.connect("w1", 1);
    var unused =
        CompletableFuture.runAsync(
            () -> compile(coord.channel(), uploaded(coord.channel(), "running")));
    GrpcCoordinator.await(() -> coord.stats().getActiveTasks() == 1, "one running");

    Status s = fails("waits too long"); // the sweep (every 500 ms) expires it

    assertEquals(Status.Code.DEADLINE_EXCEEDED, s.getCode());
    assertEquals("no worker became free within 0 s", s.getDescription());
  }

  @Test
  void noCapableWorkerIsAnImmediateErrorNamingTheCompiler() throws Exception {
    start(10, Duration.ofMinutes(5));

    Status s = fails("x");

    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertEquals(
        "no connected worker has gcc 12.2.0 x86_64-linux-gnu (0 workers connected)",
        s.getDescription());
  }
}
