package io.hybridgrid.coord.grpc;

import static io.hybridgrid.coord.grpc.GrpcCoordinator.compile;
import static io.hybridgrid.coord.grpc.GrpcCoordinator.result;
import static io.hybridgrid.coord.grpc.GrpcCoordinator.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.TaskAssignment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's shared result cache, seen by clients over gRPC. */
class SharedCacheGrpcTest {
  private static final String UNIT = "int main(void) { return 0; }\n";

  @TempDir Path state;
  private GrpcCoordinator coord;

  private GrpcCoordinator start(boolean cache) throws Exception {
    coord =
        new GrpcCoordinator(
            new CoordinatorConfig(
                DispatchSettings.defaults(),
                Duration.ofSeconds(3),
                SchedulerKind.P2C,
                state,
                new CacheSettings(cache, 1 << 20, state.resolve("cache"), 1 << 20)));
    return coord;
  }

  @AfterEach
  void stop() {
    if (coord != null) {
      coord.close();
    }
  }

  /** One client compiles {@code task} on worker w1, which answers {@code exitCode}. */
  private CompileResponse compileOnWorker(CompileTask task, int exitCode) throws Exception {
    FakeWorker w = coord.connect("w1", 2);
    ManagedChannel client = coord.channel();
    CompletableFuture<CompileResponse> f =
        CompletableFuture.supplyAsync(() -> compile(client, task));
    TaskAssignment a = w.nextAssignment();
    w.reply(a.getTaskId(), result("w1", exitCode, "\u007fELF object"));
    CompileResponse r = f.get();
    w.up.onCompleted(); // the worker leaves: nothing can compile any more
    GrpcCoordinator.await(() -> coord.stats().getWorkers() == 0, "worker gone");
    return r;
  }

  private Status compileFails(CompileTask task) {
    return assertThrows(StatusRuntimeException.class, () -> compile(coord.channel(), task))
        .getStatus();
  }

  @Test
  void aSecondClientGetsTheResultWithoutAnyWorker() throws Exception {
    start(true);
    CompileResponse first = compileOnWorker(task(UNIT), 0);
    assertEquals("w1", first.getResult().getWorkerId());
    assertFalse(first.getCached());

    CompileResponse second = compile(coord.channel(), task(UNIT));

    assertTrue(second.getCached());
    assertEquals("cache", second.getResult().getWorkerId());
    assertEquals(0, second.getAttempts());
    assertEquals(first.getResult().getObject(), second.getResult().getObject());
    assertEquals(first.getResult().getStderr(), second.getResult().getStderr(), "warnings replay");
    assertEquals(4242, second.getResult().getCompileMicros());
    Stats s = coord.stats();
    assertEquals(1, s.getCacheHits());
    assertEquals(1, s.getCacheMisses());
    assertEquals(1, s.getCacheMemoryEntries());
    assertEquals(1, s.getTasksCompleted(), "the hit did not go to a worker");
  }

  @Test
  void oneDifferentByteInTheUnitMisses() throws Exception {
    start(true);
    compileOnWorker(task(UNIT), 0);

    Status s = compileFails(task(UNIT.replace('0', '1')));

    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode(), s::toString);
    assertEquals(2, coord.stats().getCacheMisses());
  }

  @Test
  void compileErrorsAreNotStored() throws Exception {
    start(true);
    assertEquals(1, compileOnWorker(task(UNIT), 1).getResult().getExitCode());

    Status s = compileFails(task(UNIT));

    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode(), s::toString);
    assertEquals(0, coord.stats().getCacheMemoryEntries());
  }

  @Test
  void theDiskTierServesAfterACoordinatorRestart() throws Exception {
    start(true);
    CompileResponse first = compileOnWorker(task(UNIT), 0);
    GrpcCoordinator.await(() -> coord.stats().getCacheDiskEntries() == 1, "written to disk");
    coord.close();

    start(true);
    CompileResponse again = compile(coord.channel(), task(UNIT));

    assertTrue(again.getCached());
    assertEquals(first.getResult().getObject(), again.getResult().getObject());
    assertEquals(1, coord.stats().getCacheHits());
    assertEquals(0, coord.stats().getCacheMisses());
  }

  @Test
  void withTheCacheOffNothingIsServedFromIt() throws Exception {
    start(false);
    compileOnWorker(task(UNIT), 0);

    assertEquals(Status.Code.FAILED_PRECONDITION, compileFails(task(UNIT)).getCode());
    Stats s = coord.stats();
    assertEquals(0, s.getCacheHits());
    assertEquals(0, s.getCacheMisses());
  }

  @Test
  void aClientThatAsksForNoCachingIsNeitherServedFromItNorStored() throws Exception {
    start(true);
    compileOnWorker(task(UNIT), 0); // stored

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                io.hybridgrid.proto.v1.CompileServiceGrpc.newBlockingStub(coord.channel())
                    .compile(
                        io.hybridgrid.proto.v1.CompileRequest.newBuilder()
                            .setTask(task(UNIT))
                            .setSkipCache(true)
                            .build()));

    assertEquals(
        Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), "no hit: it needs a worker");
    Stats s = coord.stats();
    assertEquals(0, s.getCacheHits());
    assertEquals(1, s.getCacheMisses(), "the skipped request was not even looked up");
  }
}
