package io.hybridgrid.coord.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.events.ConnectivityEvent;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.scheduler.InputSet;
import io.hybridgrid.coord.scheduler.ShippedToolchain;
import io.hybridgrid.coord.testing.FirstCandidate;
import io.hybridgrid.coord.testing.MutableClock;
import io.hybridgrid.coord.testing.RecordingSink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** What the dispatcher does for result verification: re-runs at the lowest priority, quarantine. */
class DispatcherVerifyTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);
  private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(30);

  private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
  private final EventLog events = EventLog.inMemory(100);
  private final Dispatcher<String, Integer> dispatcher =
      new Dispatcher<>(
          new DispatchSettings(1, QUEUE_TIMEOUT, Duration.ofMinutes(10), 3, Duration.ofMinutes(10))
              .withWorkerWait(Duration.ZERO), // not about the start-up wait for workers
          new FirstCandidate(),
          clock,
          r -> r != 0,
          events);

  private RecordingSink worker(String id, int slots) {
    RecordingSink sink = new RecordingSink();
    assertEquals(
        Optional.empty(),
        dispatcher.register(
            new WorkerDescriptor(
                id, id + ".lan", 8, 16L << 30, "amd64", "linux", Set.of(GCC), slots, "test"),
            sink,
            id + "-token"));
    return sink;
  }

  private CompletableFuture<Completed<Integer>> verify(String payload, String... excluded) {
    return dispatcher.submit(
        GCC, Priority.VERIFY, payload, InputSet.NONE, ShippedToolchain.NONE, Set.of(excluded));
  }

  @Test
  void aReRunNeverGoesToAnExcludedWorkerAndWaitsForOneItMayRunOn() {
    RecordingSink producer = worker("producer", 2);
    CompletableFuture<Completed<Integer>> f = verify("re-run", "producer");
    assertEquals(List.of(), producer.payloads());
    assertFalse(f.isDone(), "it waits instead of failing");
    RecordingSink other = worker("other", 1);
    assertEquals(List.of("re-run"), other.payloads());
  }

  @Test
  void reRunsArePlacedOnlyAfterClientTasksAndDoNotFillTheClientQueue() {
    RecordingSink w = worker("w", 1);
    var unused = dispatcher.submit(GCC, Priority.INTERACTIVE, "first");
    CompletableFuture<Completed<Integer>> v = verify("re-run");
    // The client queue holds one task; the waiting re-run does not count against it.
    CompletableFuture<Completed<Integer>> batch = dispatcher.submit(GCC, Priority.BATCH, "batch");
    assertFalse(batch.isDone(), "accepted: " + batch);
    dispatcher.result("w", w.last().taskId(), 0);
    assertEquals(List.of("first", "batch"), w.payloads(), "the client task before the re-run");
    dispatcher.result("w", w.last().taskId(), 0);
    assertEquals(List.of("first", "batch", "re-run"), w.payloads());
    assertFalse(v.isDone());
  }

  @Test
  void aReRunWithNoWorkerExpiresAtTheQueueTimeout() {
    CompletableFuture<Completed<Integer>> v = verify("re-run");
    clock.advance(QUEUE_TIMEOUT.plusSeconds(1));
    dispatcher.sweep();
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, v::get);
    assertEquals(DispatchException.Kind.QUEUE_TIMEOUT, ((DispatchException) e.getCause()).kind());
  }

  @Test
  void aQuarantinedWorkerGetsNoTasksLosesItsRunningOnesAndStaysQuarantinedAcrossReconnects()
      throws Exception {
    RecordingSink evil = worker("evil", 1);
    RecordingSink honest = worker("honest", 1);
    CompletableFuture<Completed<Integer>> running =
        dispatcher.submit(GCC, Priority.INTERACTIVE, "a");
    assertEquals(List.of("a"), evil.payloads());
    assertTrue(dispatcher.quarantine("evil", "lied"));
    assertFalse(dispatcher.quarantine("evil", "again"), "once");
    assertEquals(List.of("a"), honest.payloads(), "its running task went elsewhere");
    dispatcher.result("evil", evil.last().taskId(), 0); // a late answer is ignored
    assertFalse(running.isDone());
    dispatcher.result("honest", honest.last().taskId(), 0);
    assertEquals("honest", running.get().workerId());

    dispatcher.workerGone("evil", evil, "closed");
    RecordingSink back = worker("evil", 4);
    var unused = dispatcher.submit(GCC, Priority.INTERACTIVE, "b");
    assertEquals(List.of(), back.payloads(), "still quarantined after reconnecting");
    assertEquals(List.of("a", "b"), honest.payloads());
    assertTrue(dispatcher.workers(w -> w.id() + ":" + w.quarantined()).contains("evil:true"));

    assertTrue(dispatcher.release("evil", "admin"));
    var unused2 = dispatcher.submit(GCC, Priority.INTERACTIVE, "c");
    assertEquals(List.of("c"), back.payloads());
    assertEquals(
        List.of(ConnectivityEvent.Type.QUARANTINE, ConnectivityEvent.Type.RELEASE),
        events.recent(100).stream()
            .map(ConnectivityEvent::type)
            .filter(
                t -> t == ConnectivityEvent.Type.QUARANTINE || t == ConnectivityEvent.Type.RELEASE)
            .toList());
  }

  @Test
  void withOnlyQuarantinedWorkersAClientTaskFailsAtOnceSoTheClientCompilesLocally() {
    worker("evil", 2);
    dispatcher.quarantine("evil", "lied");
    CompletableFuture<Completed<Integer>> f = dispatcher.submit(GCC, Priority.INTERACTIVE, "a");
    assertTrue(f.isCompletedExceptionally());
  }
}
