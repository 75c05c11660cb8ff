package io.hybridgrid.coord.grpc;

import static io.hybridgrid.coord.grpc.GrpcCoordinator.compile;
import static io.hybridgrid.coord.grpc.GrpcCoordinator.object;
import static io.hybridgrid.coord.grpc.GrpcCoordinator.result;
import static io.hybridgrid.coord.grpc.GrpcCoordinator.uploaded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.action.ActionLimits;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.cas.CasSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.TaskAssignment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's shared action cache, seen by clients over gRPC. */
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
                    new CacheSettings(cache, 1 << 20, state.resolve("cache"), 1 << 20))
                // On disk, so that outputs outlive a restart as the cache entries do.
                .withCas(
                    new CasSettings(1 << 20, state.resolve("cas"), 64L << 20, 32L << 20),
                    ActionLimits.defaults()));
    return coord;
  }

  @AfterEach
  void stop() {
    if (coord != null) {
      coord.close();
    }
  }

  /** One client compiles {@code source} on worker w1, which answers {@code exitCode}. */
  private CompileResponse compileOnWorker(String source, int exitCode) throws Exception {
    FakeWorker w = coord.connect("w1", 2);
    ManagedChannel client = coord.channel();
    Action action = uploaded(client, source);
    CompletableFuture<CompileResponse> f =
        CompletableFuture.supplyAsync(() -> compile(client, action));
    TaskAssignment a = w.nextAssignment();
    w.reply(a.getTaskId(), result("w1", exitCode, "\u007fELF object"));
    CompileResponse r = f.get();
    w.up.onCompleted(); // the worker leaves: nothing can compile any more
    GrpcCoordinator.await(() -> coord.stats().getWorkers() == 0, "worker gone");
    return r;
  }

  private Status compileFails(String source) {
    Action action = uploaded(coord.channel(), source);
    return assertThrows(StatusRuntimeException.class, () -> compile(coord.channel(), action))
        .getStatus();
  }

  private CompileResponse compileNow(String source) {
    return compile(coord.channel(), uploaded(coord.channel(), source));
  }

  @Test
  void aSecondClientGetsTheResultWithoutAnyWorker() throws Exception {
    start(true);
    CompileResponse first = compileOnWorker(UNIT, 0);
    assertEquals("w1", first.getActionResult().getWorkerId());
    assertFalse(first.getCached());

    CompileResponse second = compileNow(UNIT);

    assertTrue(second.getCached());
    assertEquals("cache", second.getActionResult().getWorkerId());
    assertEquals(0, second.getAttempts());
    assertEquals("\u007fELF object", object(second));
    assertEquals(object(first), object(second));
    assertEquals(
        first.getActionResult().getStderr(),
        second.getActionResult().getStderr(),
        "warnings replay");
    assertEquals(4242, second.getActionResult().getCompileMicros());
    Stats s = coord.stats();
    assertEquals(1, s.getCacheHits());
    assertEquals(1, s.getCacheMisses());
    assertEquals(1, s.getCacheMemoryEntries());
    assertEquals(1, s.getTasksCompleted(), "the hit did not go to a worker");
  }

  @Test
  void oneDifferentByteInAnInputMisses() throws Exception {
    start(true);
    compileOnWorker(UNIT, 0);

    Status s = compileFails(UNIT.replace('0', '1'));

    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode(), s::toString);
    assertEquals(2, coord.stats().getCacheMisses());
  }

  @Test
  void compileErrorsAreNotStored() throws Exception {
    start(true);
    assertEquals(1, compileOnWorker(UNIT, 1).getActionResult().getExitCode());

    Status s = compileFails(UNIT);

    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode(), s::toString);
    assertEquals(0, coord.stats().getCacheMemoryEntries());
  }

  @Test
  void theDiskTierServesAfterACoordinatorRestart() throws Exception {
    start(true);
    CompileResponse first = compileOnWorker(UNIT, 0);
    GrpcCoordinator.await(() -> coord.stats().getCacheDiskEntries() == 1, "written to disk");
    coord.close();

    start(true);
    CompileResponse again = compileNow(UNIT);

    assertTrue(again.getCached());
    assertEquals(object(first), object(again));
    assertEquals(1, coord.stats().getCacheHits());
    assertEquals(0, coord.stats().getCacheMisses());
  }

  @Test
  void withTheCacheOffNothingIsServedFromIt() throws Exception {
    start(false);
    compileOnWorker(UNIT, 0);

    assertEquals(Status.Code.FAILED_PRECONDITION, compileFails(UNIT).getCode());
    Stats s = coord.stats();
    assertEquals(0, s.getCacheHits());
    assertEquals(0, s.getCacheMisses());
  }

  @Test
  void aClientThatAsksForNoCachingIsNeitherServedFromItNorStored() throws Exception {
    start(true);
    compileOnWorker(UNIT, 0); // stored
    Action action = uploaded(coord.channel(), UNIT);

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                io.hybridgrid.proto.v1.CompileServiceGrpc.newBlockingStub(coord.channel())
                    .compile(
                        io.hybridgrid.proto.v1.CompileRequest.newBuilder()
                            .setAction(action)
                            .setSkipCache(true)
                            .build()));

    assertEquals(
        Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), "no hit: it needs a worker");
    Stats s = coord.stats();
    assertEquals(0, s.getCacheHits());
    assertEquals(1, s.getCacheMisses(), "the skipped request was not even looked up");
  }
}
