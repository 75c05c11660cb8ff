package io.hybridgrid.coord.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.registry.WorkerLoad;
import io.hybridgrid.coord.registry.WorkerState;
import io.hybridgrid.coord.scheduler.InputSet;
import io.hybridgrid.coord.scheduler.ShippedToolchain;
import io.hybridgrid.coord.scheduler.WorkerSnapshot;
import io.hybridgrid.coord.testing.FirstCandidate;
import io.hybridgrid.coord.testing.MutableClock;
import io.hybridgrid.coord.testing.RecordingSink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);
  private static final CompilerIdentity GXX =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", true);
  private static final CompilerIdentity GCC13 =
      new CompilerIdentity("gcc", "13.2.0", "x86_64-linux-gnu", false);
  private static final CompilerIdentity CLANG =
      new CompilerIdentity("clang", "14.0.6", "x86_64-linux-gnu", false);

  private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration TASK_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);

  private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
  private final EventLog events = EventLog.inMemory(100);
  private Dispatcher<String, Integer> dispatcher = dispatcher(100, 3);

  /** Exit code 0 is success, anything else a compile error. */
  private Dispatcher<String, Integer> dispatcher(int queueCapacity, int maxAttempts) {
    return new Dispatcher<>(
        new DispatchSettings(
                queueCapacity, QUEUE_TIMEOUT, TASK_TIMEOUT, maxAttempts, HEARTBEAT_TIMEOUT)
            .withWorkerWait(Duration.ZERO)
            .withHedging(3, Duration.ZERO),
        new FirstCandidate(),
        clock,
        r -> r != 0,
        events);
  }

  private static WorkerDescriptor descriptor(String id, int slots, CompilerIdentity... compilers) {
    return new WorkerDescriptor(
        id, id + ".lan", 8, 16L << 30, "amd64", "linux", Set.of(compilers), slots, "test");
  }

  /** A worker session authenticated as the token named after its id (so it may reconnect). */
  private RecordingSink worker(String id, int slots, CompilerIdentity... compilers) {
    RecordingSink sink = new RecordingSink();
    assertEquals(
        Optional.empty(),
        dispatcher.register(descriptor(id, slots, compilers), sink, id + "-token"));
    return sink;
  }

  @Test
  void aSecondRegistrationUnderALiveIdByAnotherIdentityIsRefused() {
    RecordingSink real = worker("w1", 1, GCC);
    RecordingSink hijacker = new RecordingSink();
    Optional<String> refused = dispatcher.register(descriptor("w1", 4, GCC), hijacker, "mallory");
    assertTrue(refused.isPresent());
    assertTrue(refused.get().contains("already connected"), refused.get());
    // Without tokens (no owner) a live id cannot be taken over either.
    assertTrue(
        dispatcher.register(descriptor("w1", 4, GCC), new RecordingSink(), null).isPresent());
    CompletableFuture<Completed<Integer>> f = submit("a");
    assertEquals(List.of("a"), real.payloads(), "the real worker still gets the work");
    assertEquals(List.of(), hijacker.assignments());
    assertEquals(List.of(), real.disconnects());
    assertFalse(f.isDone());
    // Once the real session has ended, the id is free again.
    dispatcher.workerGone("w1", real, "worker closed the session");
    assertEquals(
        Optional.empty(), dispatcher.register(descriptor("w1", 1, GCC), hijacker, "mallory"));
  }

  private CompletableFuture<Completed<Integer>> submit(String payload) {
    return dispatcher.submit(GCC, Priority.INTERACTIVE, payload);
  }

  /** Submits a task whose outcome the test does not look at. */
  private void submitUnwatched(String payload) {
    submitUnwatched(Priority.INTERACTIVE, payload);
  }

  private void submitUnwatched(Priority priority, String payload) {
    var unused = dispatcher.submit(GCC, priority, payload);
  }

  /** Advances the clock, with every listed worker sending a heartbeat at the new time. */
  private void advance(Duration d, String... alive) {
    clock.advance(d);
    for (String w : alive) {
      dispatcher.heartbeat(w, new WorkerLoad(0, 0.5, 0));
    }
  }

  private static <R> Completed<R> completed(CompletableFuture<Completed<R>> f) {
    assertTrue(f.isDone(), "task should have completed");
    assertFalse(f.isCompletedExceptionally(), () -> "task failed: " + f);
    return f.join();
  }

  private static DispatchException failure(CompletableFuture<?> f) {
    assertTrue(f.isCompletedExceptionally(), () -> "task should have failed: " + f);
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(DispatchException.class, e.getCause());
  }

  private int active(String workerId) {
    return dispatcher.workers(w -> w).stream()
        .filter(w -> w.id().equals(workerId))
        .mapToInt(WorkerState::active)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aShippedToolchainRunsWhereTheCompilerIsMissingAndItsRunnerIsRememberedAsHolder() {
    ShippedToolchain tc = new ShippedToolchain("c".repeat(64), "amd64");
    RecordingSink own = new RecordingSink(); // has gcc 13 only and runs only its own compilers
    assertEquals(
        Optional.empty(),
        dispatcher.register(
            new WorkerDescriptor(
                "own",
                "own.lan",
                8,
                1L << 30,
                "amd64",
                "linux",
                Set.of(GCC13),
                2,
                "t",
                true,
                false),
            own,
            "own-token"));
    // Only the own-only worker: nobody can run gcc 12, shipped or not.
    DispatchException e =
        failure(dispatcher.submit(GCC, Priority.INTERACTIVE, "x", InputSet.NONE, tc));
    assertEquals(DispatchException.Kind.NO_CAPABLE_WORKER, e.kind());
    assertTrue(e.getMessage().contains("accepts a shipped toolchain for x86_64"), e.getMessage());
    assertTrue(
        e.getMessage().contains("1 runs only its own compilers (--toolchains own)"),
        e.getMessage());

    RecordingSink bare = new RecordingSink();
    assertEquals(
        Optional.empty(),
        dispatcher.register(
            new WorkerDescriptor(
                "bare", "bare.lan", 8, 1L << 30, "amd64", "linux", Set.of(), 2, "t", false, true),
            bare,
            "bare-token"));
    CompletableFuture<Completed<Integer>> f =
        dispatcher.submit(GCC, Priority.INTERACTIVE, "y", InputSet.NONE, tc);
    assertEquals(List.of("y"), bare.payloads());
    assertEquals(List.of(), own.payloads());
    assertEquals(List.of(), dispatcher.workers(w -> w.toolchains()).get(1));
    dispatcher.result("bare", bare.last().taskId(), 0);
    assertEquals("bare", completed(f).workerId());
    assertEquals(
        List.of(tc.digest()),
        dispatcher.workers(w -> w).stream()
            .filter(w -> w.id().equals("bare"))
            .findFirst()
            .orElseThrow()
            .toolchains());
  }

  @Test
  void taskGoesToCapableWorkerWithFreeSlot() {
    RecordingSink w1 = worker("w1", 2, GCC);

    CompletableFuture<Completed<Integer>> f = submit("unit-a");

    assertEquals(1, w1.assignments().size());
    RecordingSink.Assignment a = w1.last();
    assertEquals("unit-a", a.payload());
    assertEquals(TASK_TIMEOUT.toMillis(), a.timeoutMillis());
    assertFalse(f.isDone());
    DispatchStats s = dispatcher.stats();
    assertEquals(0, s.queued());
    assertEquals(1, s.active());
    assertEquals(1, active("w1"));

    dispatcher.result("w1", a.taskId(), 0);

    assertEquals(new Completed<>(0, "w1", 0L, 1), completed(f));
    assertEquals(0, dispatcher.stats().active());
    assertEquals(1, dispatcher.stats().tasksCompleted());
    assertEquals(0, dispatcher.stats().compileErrors());
  }

  @Test
  void workerWithoutTheCompilerIdentityNeverGetsTheTask() {
    // Registered first, so the first-candidate scheduler would pick them if capability were
    // ignored: another family, another gcc version, the C++ driver of the same gcc.
    RecordingSink clang = worker("clang", 4, CLANG);
    RecordingSink gcc13 = worker("gcc13", 4, GCC13);
    RecordingSink gxx = worker("gxx", 4, GXX);
    RecordingSink gcc = worker("gcc", 1, GCC, CLANG);

    submitUnwatched("a");
    submitUnwatched("b");
    submitUnwatched("c");

    assertEquals(List.of(), clang.assignments());
    assertEquals(List.of(), gcc13.assignments());
    assertEquals(List.of(), gxx.assignments());
    assertEquals(List.of("a"), gcc.payloads());
    assertEquals(2, dispatcher.stats().queued());
  }

  @Test
  void fullWorkersQueueTheTaskUntilAResultFreesASlot() {
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> a = submit("a");
    submitUnwatched("b");

    CompletableFuture<Completed<Integer>> c = submit("c");

    assertEquals(List.of("a"), w1.payloads());
    assertEquals(List.of("b"), w2.payloads());
    assertEquals(1, dispatcher.stats().queued());
    assertEquals(2, dispatcher.stats().active());
    assertFalse(c.isDone());

    advance(Duration.ofSeconds(3), "w1", "w2");
    dispatcher.result("w1", w1.last().taskId(), 0);

    assertEquals(new Completed<>(0, "w1", 0L, 1), completed(a));
    assertEquals(List.of("a", "c"), w1.payloads());
    assertEquals(0, dispatcher.stats().queued());
    assertEquals(2, dispatcher.stats().active());
    dispatcher.result("w1", w1.last().taskId(), 0);
    assertEquals(new Completed<>(0, "w1", 3_000_000L, 1), completed(c));
  }

  @Test
  void noCapableWorkerFailsAtOnce() {
    CompletableFuture<Completed<Integer>> none = submit("a");
    DispatchException e = failure(none);
    assertEquals(DispatchException.Kind.NO_CAPABLE_WORKER, e.kind());
    assertEquals(
        "no connected worker has gcc 12.2.0 x86_64-linux-gnu (0 workers connected)",
        e.getMessage());

    RecordingSink clang = worker("clang", 4, CLANG);
    DispatchException other = failure(submit("b"));
    assertEquals(DispatchException.Kind.NO_CAPABLE_WORKER, other.kind());
    assertTrue(other.getMessage().contains("(1 workers connected)"), other.getMessage());
    assertEquals(List.of(), clang.assignments());
    assertEquals(2, dispatcher.stats().tasksFailed());
    assertEquals(0, dispatcher.stats().queued());
  }

  @Test
  void queueCapacityIsEnforced() {
    dispatcher = dispatcher(2, 3);
    worker("w1", 1, GCC);
    submitUnwatched("running");
    CompletableFuture<Completed<Integer>> q1 = submit("q1");
    CompletableFuture<Completed<Integer>> q2 = submit("q2");

    DispatchException e = failure(submit("q3"));

    assertEquals(DispatchException.Kind.QUEUE_FULL, e.kind());
    assertEquals("queue is full (2 tasks waiting)", e.getMessage());
    assertFalse(q1.isDone());
    assertFalse(q2.isDone());
    assertEquals(2, dispatcher.stats().queued());
    assertEquals(1, dispatcher.stats().tasksFailed());
  }

  @Test
  void interactiveTasksArePlacedBeforeBatchTasksQueuedEarlier() {
    RecordingSink w1 = worker("w1", 1, GCC);
    submitUnwatched("running");
    submitUnwatched(Priority.BATCH, "batch-1");
    submitUnwatched(Priority.BATCH, "batch-2");
    submitUnwatched(Priority.INTERACTIVE, "interactive");
    assertEquals(3, dispatcher.stats().queued());

    for (int i = 0; i < 3; i++) {
      dispatcher.result("w1", w1.last().taskId(), 0);
    }

    assertEquals(List.of("running", "interactive", "batch-1", "batch-2"), w1.payloads());
  }

  @Test
  void compileErrorCompletesOnceAndIsNotRetried() {
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("broken.c");
    String id = w1.last().taskId();

    dispatcher.result("w1", id, 1);
    dispatcher.result("w1", id, 0); // a duplicate must not complete it again

    assertEquals(new Completed<>(1, "w1", 0L, 1), completed(f));
    assertEquals(1, w1.assignments().size());
    assertEquals(List.of(), w2.assignments());
    DispatchStats s = dispatcher.stats();
    assertEquals(1, s.tasksCompleted());
    assertEquals(1, s.compileErrors());
    assertEquals(0, s.tasksRetried());
    assertEquals(0, s.tasksFailed());
    assertEquals(0, s.active());
  }

  @Test
  void workerGoneResendsItsTaskAndIgnoresALateResultFromIt() {
    RecordingSink w1 = worker("w1", 2, GCC);
    RecordingSink w2 = worker("w2", 2, GCC);
    CompletableFuture<Completed<Integer>> f = submit("a");
    String id = w1.last().taskId();

    dispatcher.workerGone("w1", w1, "stream broke");

    assertEquals(
        List.of(new RecordingSink.Assignment(id, "a", TASK_TIMEOUT.toMillis())), w2.assignments());
    DispatchStats s = dispatcher.stats();
    assertEquals(1, s.workers());
    assertEquals(1, s.tasksRetried());
    assertEquals(1, s.active());

    dispatcher.result("w1", id, 0);
    assertFalse(f.isDone(), "a result from the gone worker must be ignored");
    assertEquals(0, dispatcher.stats().tasksCompleted());

    dispatcher.result("w2", id, 0);
    assertEquals(new Completed<>(0, "w2", 0L, 2), completed(f));
    assertEquals(1, dispatcher.stats().tasksCompleted());
  }

  @Test
  void workerGoneFailsWaitingTasksThatNoRemainingWorkerCanRun() {
    RecordingSink w1 = worker("w1", 1, GCC);
    CompletableFuture<Completed<Integer>> running = submit("running");
    CompletableFuture<Completed<Integer>> waiting = submit("waiting");

    dispatcher.workerGone("w1", w1, "stream broke");

    assertEquals(DispatchException.Kind.RETRIES_EXHAUSTED, failure(running).kind());
    assertEquals(DispatchException.Kind.NO_CAPABLE_WORKER, failure(waiting).kind());
    assertEquals(0, dispatcher.stats().queued());
    assertEquals(0, dispatcher.stats().workers());
  }

  @Test
  void retryableRejectionSendsTheTaskToAnotherWorker() {
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("a");
    String id = w1.last().taskId();

    dispatcher.rejected("w1", id, Rejection.INFRASTRUCTURE, "circuit breaker open");

    assertEquals(id, w2.last().taskId());
    assertEquals(1, dispatcher.stats().tasksRetried());
    assertEquals(0, active("w1"));
    assertFalse(f.isDone());
    dispatcher.result("w2", id, 0);
    assertEquals(new Completed<>(0, "w2", 0L, 2), completed(f));
    assertEquals(1, w1.assignments().size(), "never sent back to the worker that refused it");
  }

  @Test
  void retryableRejectionWithNoOtherWorkerFails() {
    RecordingSink w1 = worker("w1", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("a");

    dispatcher.rejected("w1", w1.last().taskId(), Rejection.INFRASTRUCTURE, "compiler crashed");

    DispatchException e = failure(f);
    assertEquals(DispatchException.Kind.RETRIES_EXHAUSTED, e.kind());
    assertTrue(e.getMessage().contains("compiler crashed"), e.getMessage());
    assertEquals(1, w1.assignments().size());
  }

  @Test
  void nonRetryableRejectionFailsWithRejected() {
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("a");

    dispatcher.rejected(
        "w1", w1.last().taskId(), Rejection.FORBIDDEN_ARGUMENT, "forbidden argument -fplugin=x.so");

    DispatchException e = failure(f);
    assertEquals(DispatchException.Kind.REJECTED, e.kind());
    assertEquals("worker w1 refused the task: forbidden argument -fplugin=x.so", e.getMessage());
    assertEquals(List.of(), w2.assignments());
    assertEquals(0, dispatcher.stats().tasksRetried());
    assertEquals(1, dispatcher.stats().tasksFailed());
    assertEquals(0, dispatcher.stats().active());
  }

  @Test
  void invalidRejectionFailsWithInvalidTask() {
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("a");

    dispatcher.rejected(
        "w1", w1.last().taskId(), Rejection.INVALID_TASK, "source path escapes the tree");

    DispatchException e = failure(f);
    assertEquals(DispatchException.Kind.INVALID_TASK, e.kind());
    assertTrue(e.getMessage().contains("source path escapes the tree"), e.getMessage());
    assertEquals(List.of(), w2.assignments());
  }

  @Test
  void retriesStopAtMaxAttempts() {
    dispatcher = dispatcher(100, 2);
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    RecordingSink w3 = worker("w3", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("a");
    String id = w1.last().taskId();

    dispatcher.rejected("w1", id, Rejection.INFRASTRUCTURE, "infrastructure 1");
    assertEquals(id, w2.last().taskId());
    dispatcher.rejected("w2", id, Rejection.INFRASTRUCTURE, "infrastructure 2");

    DispatchException e = failure(f);
    assertEquals(DispatchException.Kind.RETRIES_EXHAUSTED, e.kind());
    assertTrue(e.getMessage().startsWith("tried 2 workers"), e.getMessage());
    assertTrue(e.getMessage().contains("infrastructure 2"), e.getMessage());
    assertEquals(List.of(), w3.assignments(), "a third attempt exceeds maxAttempts=2");
    assertEquals(1, dispatcher.stats().tasksRetried());
    assertEquals(1, dispatcher.stats().tasksFailed());
  }

  @Test
  void waitingTaskTimesOutAfterQueueTimeout() {
    RecordingSink w1 = worker("w1", 1, GCC);
    CompletableFuture<Completed<Integer>> running = submit("running");
    CompletableFuture<Completed<Integer>> waiting = submit("waiting");

    advance(QUEUE_TIMEOUT, "w1");
    dispatcher.sweep();
    assertFalse(waiting.isDone(), "exactly at the timeout the task still waits");

    advance(Duration.ofMillis(1), "w1");
    dispatcher.sweep();

    DispatchException e = failure(waiting);
    assertEquals(DispatchException.Kind.QUEUE_TIMEOUT, e.kind());
    assertEquals("no worker became free within 30 s", e.getMessage());
    assertEquals(0, dispatcher.stats().queued());
    assertFalse(running.isDone(), "the running task is not affected");
    assertEquals(1, dispatcher.stats().active());
    assertEquals(List.of("running"), w1.payloads());
  }

  @Test
  void retriedTaskMayWaitItsFullQueueTimeoutAfterRunningLongerThanIt() {
    // The task spent no time in the queue, then 60 s on w1, longer than the 30 s queue timeout.
    // Time spent running is not time spent waiting for a worker.
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> a = submit("a");
    submitUnwatched("b");
    advance(Duration.ofSeconds(60), "w1", "w2");

    dispatcher.workerGone("w1", w1, "stream broke");
    dispatcher.sweep();

    assertFalse(a.isDone(), () -> "retried task failed at once: " + a);
    assertEquals(1, dispatcher.stats().queued());
    advance(Duration.ofSeconds(5), "w2");
    dispatcher.result("w2", w2.last().taskId(), 0);
    assertEquals(w1.last().taskId(), w2.last().taskId());
    dispatcher.result("w2", w2.last().taskId(), 0);
    assertEquals(new Completed<>(0, "w2", 5_000_000L, 2), completed(a));
  }

  @Test
  void retriedTaskStillTimesOutInTheQueue() {
    RecordingSink w1 = worker("w1", 1, GCC);
    worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> a = submit("a");
    submitUnwatched("b");
    advance(Duration.ofSeconds(60), "w1", "w2");
    dispatcher.workerGone("w1", w1, "stream broke");

    advance(QUEUE_TIMEOUT.plusSeconds(1), "w2");
    dispatcher.sweep();

    assertEquals(DispatchException.Kind.QUEUE_TIMEOUT, failure(a).kind());
  }

  @Test
  void overdueTaskIsSentToAnotherWorker() {
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("slow");
    String id = w1.last().taskId();

    advance(TASK_TIMEOUT, "w1", "w2");
    dispatcher.sweep();
    assertEquals(List.of(), w2.assignments(), "exactly at the timeout the task is not overdue");

    advance(Duration.ofMillis(1), "w1", "w2");
    dispatcher.sweep();

    assertEquals(id, w2.last().taskId());
    assertEquals(1, dispatcher.stats().tasksRetried());
    assertEquals(0, active("w1"));
    dispatcher.result("w1", id, 0);
    assertFalse(f.isDone(), "the overdue worker's late result is ignored");
    dispatcher.result("w2", id, 0);
    assertEquals("w2", completed(f).workerId());
  }

  @Test
  void heartbeatTimeoutDropsTheWorkerDisconnectsItAndResendsItsTask() {
    RecordingSink w1 = worker("w1", 1, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("a");
    String id = w1.last().taskId();

    advance(Duration.ofSeconds(6), "w2");
    advance(Duration.ofSeconds(4));
    dispatcher.sweep(); // w1 silent for exactly 10 s: still there
    assertEquals(2, dispatcher.stats().workers());
    assertEquals(List.of(), w1.disconnects());

    advance(Duration.ofSeconds(1));
    dispatcher.sweep(); // w1 silent 11 s, w2 only 5 s

    assertEquals(List.of("heartbeat timeout"), w1.disconnects());
    assertEquals(List.of(), w2.disconnects());
    DispatchStats s = dispatcher.stats();
    assertEquals(1, s.workers());
    assertEquals(1, s.tasksRetried());
    assertEquals(id, w2.last().taskId());
    assertEquals(
        List.of("w2"), dispatcher.workers(WorkerState::id), "only the silent worker is dropped");
    dispatcher.result("w2", id, 0);
    assertEquals(2, completed(f).attempts());
  }

  @Test
  void workerGoneFromAStaleSessionKeepsTheNewRegistration() {
    RecordingSink oldSession = worker("w1", 1, GCC);
    RecordingSink newSession = worker("w1", 1, GCC);
    CompletableFuture<Completed<Integer>> f = submit("a");
    assertEquals(List.of(), oldSession.assignments());
    assertEquals(List.of("a"), newSession.payloads());

    dispatcher.workerGone("w1", oldSession, "old stream closed");

    assertEquals(1, dispatcher.stats().workers());
    assertEquals(1, dispatcher.stats().active());
    assertEquals(0, dispatcher.stats().tasksRetried());
    dispatcher.result("w1", newSession.last().taskId(), 0);
    assertEquals(new Completed<>(0, "w1", 0L, 1), completed(f));
    submitUnwatched("b");
    assertEquals(List.of("a", "b"), newSession.payloads());
  }

  @Test
  void drainingWorkerGetsNoNewTasksButFinishesRunningOnes() {
    RecordingSink w1 = worker("w1", 4, GCC);
    RecordingSink w2 = worker("w2", 4, GCC);
    CompletableFuture<Completed<Integer>> running = submit("before-drain");

    dispatcher.drain("w1");
    submitUnwatched("after-drain-1");
    submitUnwatched("after-drain-2");

    assertEquals(List.of("before-drain"), w1.payloads());
    assertEquals(List.of("after-drain-1", "after-drain-2"), w2.payloads());
    dispatcher.result("w1", w1.last().taskId(), 0);
    assertEquals("w1", completed(running).workerId());

    dispatcher.drain("w2");
    assertEquals(DispatchException.Kind.NO_CAPABLE_WORKER, failure(submit("nobody")).kind());
  }

  @Test
  void closeFailsWaitingAndRunningTasksWithShuttingDown() {
    worker("w1", 1, GCC);
    CompletableFuture<Completed<Integer>> running = submit("running");
    CompletableFuture<Completed<Integer>> interactive = submit("interactive");
    CompletableFuture<Completed<Integer>> batch = dispatcher.submit(GCC, Priority.BATCH, "batch");

    dispatcher.close();

    for (CompletableFuture<Completed<Integer>> f : List.of(running, interactive, batch)) {
      DispatchException e = failure(f);
      assertEquals(DispatchException.Kind.SHUTTING_DOWN, e.kind());
      assertEquals("coordinator is shutting down", e.getMessage());
    }
    assertEquals(0, dispatcher.stats().queued());
    assertEquals(0, dispatcher.stats().active());
    assertEquals(DispatchException.Kind.SHUTTING_DOWN, failure(submit("late")).kind());
  }

  @Test
  void cancelRemovesAWaitingTask() {
    RecordingSink w1 = worker("w1", 1, GCC);
    CompletableFuture<Completed<Integer>> running = submit("running");
    CompletableFuture<Completed<Integer>> waiting = submit("waiting");
    assertEquals(1, dispatcher.stats().queued());

    dispatcher.cancel(waiting);

    assertEquals(0, dispatcher.stats().queued());
    assertEquals(1, dispatcher.stats().active());
    dispatcher.result("w1", w1.last().taskId(), 0);
    assertEquals("w1", completed(running).workerId());
    assertEquals(List.of("running"), w1.payloads(), "the cancelled task is never sent");
    assertFalse(waiting.isDone());
  }

  private WorkerSnapshot snapshot(String workerId) {
    return dispatcher.workers(WorkerState::snapshot).stream()
        .filter(w -> w.id().equals(workerId))
        .findFirst()
        .orElseThrow();
  }

  private List<String> eventLines() {
    return events.recent(100).stream()
        .map(e -> e.type().wireName() + " " + e.workerId() + " " + e.hostname() + ": " + e.reason())
        .toList();
  }

  @Test
  void joinsLeavesAndTimeoutsAreRecordedAsConnectivityEvents() {
    RecordingSink w1 = worker("w1", 2, GCC);
    RecordingSink w2 = worker("w2", 1, GCC);
    worker("w3", 1, GCC); // replaces nothing
    RecordingSink w3again = worker("w3", 4, GCC);
    dispatcher.workerGone("w1", w1, "worker closed the session");
    advance(Duration.ofSeconds(11), "w3");
    dispatcher.sweep(); // w2 silent for 11 s

    assertEquals(
        List.of(
            "join w1 w1.lan: registered: 2 slots, 8 cores, 1 compilers, version test",
            "join w2 w2.lan: registered: 1 slots, 8 cores, 1 compilers, version test",
            "join w3 w3.lan: registered: 1 slots, 8 cores, 1 compilers, version test",
            "leave w3 w3.lan: replaced by a new session",
            "join w3 w3.lan: registered: 4 slots, 8 cores, 1 compilers, version test",
            "leave w1 w1.lan: worker closed the session",
            "timeout w2 w2.lan: no heartbeat for 11000 ms"),
        eventLines());
    assertEquals(List.of("heartbeat timeout"), w2.disconnects());
    assertEquals(
        Instant.parse("2024-05-01T10:00:11Z"), events.recent(1).get(0).time(), "noticed at");

    dispatcher.close();
    assertEquals("leave w3 w3.lan: coordinator shutting down", eventLines().get(7));
    assertEquals(List.of("coordinator shutting down"), w3again.disconnects());
  }

  @Test
  void resultsFeedTheTaskTimeAverageAndPongsTheRoundTripAverage() {
    RecordingSink w1 = worker("w1", 2, GCC);
    assertTrue(Double.isNaN(snapshot("w1").taskMillis()), "nothing measured yet");
    assertTrue(Double.isNaN(snapshot("w1").rttMillis()));

    submitUnwatched("a");
    clock.advance(Duration.ofSeconds(1));
    dispatcher.result("w1", w1.last().taskId(), 0);
    submitUnwatched("b");
    clock.advance(Duration.ofMillis(500));
    dispatcher.result("w1", w1.last().taskId(), 0);

    // first sample as is, then 0.2 × 500 + 0.8 × 1000
    assertEquals(900.0, snapshot("w1").taskMillis(), 1e-9);

    Instant sent = clock.instant();
    clock.advance(Duration.ofMillis(10));
    dispatcher.pong("w1", sent);
    clock.advance(Duration.ofMillis(20));
    dispatcher.pong("w1", sent); // 30 ms: 0.3 × 30 + 0.7 × 10
    assertEquals(16.0, snapshot("w1").rttMillis(), 1e-9);

    dispatcher.pong("w1", clock.instant().plusSeconds(1)); // from the future: ignored
    dispatcher.pong("w1", clock.instant().minusSeconds(60)); // beyond the heartbeat timeout
    dispatcher.pong("nobody", sent);
    assertEquals(16.0, snapshot("w1").rttMillis(), 1e-9);
  }

  @Test
  void heartbeatLoadReachesTheSchedulersSnapshot() {
    worker("w1", 4, GCC);
    submitUnwatched("a");

    dispatcher.heartbeat("w1", new WorkerLoad(3, 1.5, 2L << 30));

    WorkerSnapshot s = snapshot("w1");
    assertEquals(1, s.active(), "slots come from the coordinator's own count");
    assertEquals(2L << 30, s.freeMemoryBytes());
    assertEquals(4, s.maxParallel());
    assertEquals("x86_64", s.arch(), "amd64 normalized");
    WorkerState<String> state = dispatcher.workers(w -> w).stream().findFirst().orElseThrow();
    assertEquals(3, state.reportedActive());
    assertEquals(1.5, state.loadAverage());
  }

  @Test
  void aLongQueueForOneCompilerDoesNotHoldBackAnother() {
    RecordingSink gcc = worker("gcc", 1, GCC);
    RecordingSink clang = worker("clang", 1, CLANG);
    submitUnwatched("gcc-running");
    for (int i = 0; i < 50; i++) {
      submitUnwatched("gcc-waiting-" + i);
    }

    var f = dispatcher.submit(CLANG, Priority.BATCH, "clang-task");

    assertEquals(List.of("clang-task"), clang.payloads());
    assertEquals(50, dispatcher.stats().queued());
    dispatcher.result("gcc", gcc.last().taskId(), 0);
    assertEquals(List.of("gcc-running", "gcc-waiting-0"), gcc.payloads());
    assertFalse(f.isDone());
  }
}
