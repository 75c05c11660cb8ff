package io.hybridgrid.coord.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.testing.FirstCandidate;
import io.hybridgrid.coord.testing.MutableClock;
import io.hybridgrid.coord.testing.RecordingSink;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: new tasks refused at once, accepted ones finish, then workers are told. */
class DispatcherShutdownTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  private final Dispatcher<String, Integer> d =
      new Dispatcher<>(
          new DispatchSettings(
                  100, Duration.ofSeconds(30), Duration.ofMinutes(10), 3, Duration.ofSeconds(10))
              .withWorkerWait(Duration.ZERO),
          new FirstCandidate(),
          new MutableClock(Instant.parse("2024-05-01T10:00:00Z")),
          r -> r != 0,
          EventLog.inMemory(10));

  @Test
  void acceptedTasksFinishNewOnesAreRefusedThenWorkersAreDisconnected() throws Exception {
    RecordingSink w1 = new RecordingSink();
    d.register(
        new WorkerDescriptor("w1", "h", 2, 1L << 30, "amd64", "linux", Set.of(GCC), 1, "t"), w1);
    CompletableFuture<Completed<Integer>> running = d.submit(GCC, Priority.INTERACTIVE, "a");
    CompletableFuture<Completed<Integer>> waiting = d.submit(GCC, Priority.INTERACTIVE, "b");

    Thread answer =
        new Thread(
            () -> {
              d.result("w1", w1.last().taskId(), 0); // a; b is then sent to w1
              d.result("w1", w1.last().taskId(), 0); // b
            });
    CompletableFuture<Boolean> drained = new CompletableFuture<>();
    Thread stopper =
        new Thread(
            () -> {
              try {
                drained.complete(d.shutdownGracefully(Duration.ofSeconds(10)));
              } catch (InterruptedException e) {
                drained.completeExceptionally(e);
              }
            });
    stopper.start();
    // A compiler no worker has fails at once either way: NO_CAPABLE_WORKER before the shutdown
    // began, SHUTTING_DOWN after; so probing with it adds no task the shutdown must wait for.
    CompilerIdentity clang = new CompilerIdentity("clang", "14.0.6", "x86_64-linux-gnu", false);
    long deadline = System.nanoTime() + 10_000_000_000L;
    DispatchException.Kind kind;
    do {
      assertTrue(System.nanoTime() < deadline, "new tasks were never refused");
      CompletableFuture<Completed<Integer>> probe = d.submit(clang, Priority.INTERACTIVE, "late");
      CompletionException e =
          org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, probe::join);
      kind = ((DispatchException) e.getCause()).kind();
      Thread.sleep(5); // polling with a deadline until the shutdown has begun
    } while (kind != DispatchException.Kind.SHUTTING_DOWN);
    assertFalse(drained.isDone(), "still waiting for the accepted tasks");

    answer.start();
    assertTrue(drained.get(), "accepted tasks finished within the grace period");
    assertEquals(0, running.join().result());
    assertEquals(0, waiting.join().result());
    d.close();
    assertEquals(1, w1.disconnects().size(), "the worker is told the coordinator is going");
  }

  @Test
  void gracePeriodEndsAndCloseFailsWhatIsLeft() throws Exception {
    RecordingSink w1 = new RecordingSink();
    d.register(
        new WorkerDescriptor("w1", "h", 2, 1L << 30, "amd64", "linux", Set.of(GCC), 1, "t"), w1);
    CompletableFuture<Completed<Integer>> stuck = d.submit(GCC, Priority.INTERACTIVE, "a");
    assertFalse(d.shutdownGracefully(Duration.ofMillis(100)));
    d.close();
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, stuck::join);
    assertEquals(DispatchException.Kind.SHUTTING_DOWN, ((DispatchException) e.getCause()).kind());
  }
}
