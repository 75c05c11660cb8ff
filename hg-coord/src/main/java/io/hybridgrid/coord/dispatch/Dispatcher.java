package io.hybridgrid.coord.dispatch;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.events.ConnectivityEvent;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.registry.TaskSink;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.coord.registry.WorkerLoad;
import io.hybridgrid.coord.registry.WorkerRegistry;
import io.hybridgrid.coord.registry.WorkerState;
import io.hybridgrid.coord.scheduler.InputSet;
import io.hybridgrid.coord.scheduler.Scheduler;
import io.hybridgrid.coord.scheduler.ShippedToolchain;
import io.hybridgrid.coord.scheduler.TaskRequest;
import io.hybridgrid.coord.scheduler.WorkerSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places tasks on workers: the registry, the queue and the in-flight table behind one lock. (Over
 * 500 lines on purpose: the three share that lock and every transition touches all three, so
 * splitting them would spread one state machine over several classes.)
 *
 * <p>A task goes straight to a worker when a capable one has a free slot (chosen by the {@link
 * Scheduler}), otherwise it waits in a bounded queue (interactive before batch) until a slot frees
 * up or its deadline passes. A task whose worker disconnects, times out or reports an
 * infrastructure failure is sent to another worker, up to {@code maxAttempts}; a result, including
 * a compile error, is returned once. When no connected worker has the compiler at all, the task
 * fails at once so that the client compiles locally. Futures are completed and messages sent
 * outside the lock.
 *
 * <p>Every join, leave and heartbeat timeout is recorded in the {@link EventLog} (under the lock,
 * so the log's order is the registry's order; these are rare, small appends).
 *
 * @param <P> the task payload sent to workers
 * @param <R> the result workers send back
 */
public final class Dispatcher<P, R> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final DispatchSettings settings;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Predicate<R> isCompileError;
  private final EventLog events;
  private final DispatchListener<? super P> listener;

  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final WorkerRegistry<P> registry = new WorkerRegistry<>();
  // @GuardedBy("lock")
  private final Deque<Pending> interactive = new ArrayDeque<>();
  // @GuardedBy("lock")
  private final Deque<Pending> batch = new ArrayDeque<>();
  // @GuardedBy("lock")
  private final Map<String, Pending> inFlight = new HashMap<>();
  // @GuardedBy("lock")
  private boolean closed;

  private final AtomicLong nextId = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong compileErrors = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private ScheduledFuture<?> sweeper;

  /** A task from submission to completion. */
  private final class Pending {
    final String id;
    final CompilerIdentity compiler;
    final Priority priority;
    final P payload;
    final InputSet inputs;
    final ShippedToolchain toolchain;
    final CompletableFuture<Completed<R>> future = new CompletableFuture<>();
    final Set<String> tried = new HashSet<>();
    Instant waitingSince;
    long queueMicros;
    String worker;
    Instant assignedAt;

    /** What placement needs; {@code tried} is live, so this is cheap to make per decision. */
    TaskRequest request() {
      return new TaskRequest(compiler, tried, inputs, toolchain);
    }

    Pending(
        String id,
        CompilerIdentity compiler,
        Priority priority,
        P payload,
        InputSet inputs,
        ShippedToolchain toolchain,
        Instant now) {
      this.id = id;
      this.compiler = compiler;
      this.priority = priority;
      this.payload = payload;
      this.inputs = inputs;
      this.toolchain = toolchain;
      this.waitingSince = now;
    }
  }

  /**
   * @param settings queue and retry limits
   * @param scheduler picks among capable workers with free slots
   * @param clock time source (a fake one in tests)
   * @param isCompileError tells a compile error result from a successful one, for stats
   */
  public Dispatcher(
      DispatchSettings settings, Scheduler scheduler, Clock clock, Predicate<R> isCompileError) {
    this(settings, scheduler, clock, isCompileError, EventLog.inMemory(EventLog.DEFAULT_CAPACITY));
  }

  /**
   * @param settings queue and retry limits
   * @param scheduler picks among capable workers with free slots
   * @param clock time source (a fake one in tests)
   * @param isCompileError tells a compile error result from a successful one, for stats
   * @param events where joins, leaves and timeouts are recorded (started by the caller)
   */
  public Dispatcher(
      DispatchSettings settings,
      Scheduler scheduler,
      Clock clock,
      Predicate<R> isCompileError,
      EventLog events) {
    this(settings, scheduler, clock, isCompileError, events, DispatchListener.none());
  }

  /**
   * @param settings queue and retry limits
   * @param scheduler picks among capable workers with free slots
   * @param clock time source (a fake one in tests)
   * @param isCompileError tells a compile error result from a successful one, for stats
   * @param events where joins, leaves and timeouts are recorded (started by the caller)
   * @param listener told of assignments, results, failures and retries (metrics, task feed)
   */
  public Dispatcher(
      DispatchSettings settings,
      Scheduler scheduler,
      Clock clock,
      Predicate<R> isCompileError,
      EventLog events,
      DispatchListener<? super P> listener) {
    this.settings = settings;
    this.scheduler = scheduler;
    this.clock = clock;
    this.isCompileError = isCompileError;
    this.events = events;
    this.listener = listener;
  }

  /** Starts the periodic sweep for deadlines and silent workers on {@code timer}. */
  public void start(ScheduledExecutorService timer, Duration period) {
    sweeper =
        timer.scheduleAtFixedRate(
            this::sweep, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Submits a task.
   *
   * @return a future completed with the result, or exceptionally with a {@link DispatchException}
   */
  public CompletableFuture<Completed<R>> submit(
      CompilerIdentity compiler, Priority priority, P payload) {
    return submit(compiler, priority, payload, InputSet.NONE);
  }

  /**
   * Submits a task whose input blobs are {@code inputs}: the scheduler may prefer workers that were
   * sent them before, and the chosen worker is remembered to hold them.
   *
   * @return a future completed with the result, or exceptionally with a {@link DispatchException}
   */
  public CompletableFuture<Completed<R>> submit(
      CompilerIdentity compiler, Priority priority, P payload, InputSet inputs) {
    return submit(compiler, priority, payload, inputs, ShippedToolchain.NONE);
  }

  /**
   * Submits a task that ships {@code toolchain}: besides the workers with {@code compiler}
   * installed, any worker accepting shipped toolchains on its architecture can run it, and one that
   * already ran it is preferred.
   *
   * @return a future completed with the result, or exceptionally with a {@link DispatchException}
   */
  public CompletableFuture<Completed<R>> submit(
      CompilerIdentity compiler,
      Priority priority,
      P payload,
      InputSet inputs,
      ShippedToolchain toolchain) {
    List<Runnable> after = new ArrayList<>();
    Pending p;
    synchronized (lock) {
      p =
          new Pending(
              "t" + nextId.incrementAndGet(),
              compiler,
              priority,
              payload,
              inputs,
              toolchain,
              clock.instant());
      if (closed) {
        fail(p, DispatchException.Kind.SHUTTING_DOWN, "coordinator is shutting down", after);
      } else if (!registry.anyCapable(p.request())) {
        fail(p, DispatchException.Kind.NO_CAPABLE_WORKER, noCapableMessage(p), after);
      } else if (interactive.size() + batch.size() >= settings.queueCapacity()) {
        fail(
            p,
            DispatchException.Kind.QUEUE_FULL,
            "queue is full (" + settings.queueCapacity() + " tasks waiting)",
            after);
      } else {
        queueFor(priority).addLast(p);
        pump(after);
      }
    }
    runAll(after);
    return p.future;
  }

  /** Registers a connected worker; a worker reconnecting under the same id replaces the old one. */
  public void register(WorkerDescriptor descriptor, TaskSink<P> sink) {
    register(descriptor, sink, null);
  }

  /**
   * Registers a worker session that {@code owner} (an authenticated identity; null when tokens are
   * off) opened. While a worker with the same id is connected, only its own owner may replace it (a
   * reconnect whose old stream has not broken yet); anyone else is refused, so a second
   * registration can no longer evict the real worker.
   *
   * @return empty when registered, else why it was refused (the sink has been disconnected)
   */
  public Optional<String> register(WorkerDescriptor descriptor, TaskSink<P> sink, String owner) {
    List<Runnable> after = new ArrayList<>();
    Optional<String> refused = Optional.empty();
    synchronized (lock) {
      if (closed) {
        after.add(() -> sink.disconnect("coordinator is shutting down"));
        refused = Optional.of("coordinator is shutting down");
      } else {
        Optional<WorkerState<P>> live = registry.get(descriptor.id());
        if (live.isPresent() && (owner == null || !owner.equals(live.get().owner()))) {
          String why =
              "worker id '"
                  + descriptor.id()
                  + "' is already connected; a second session under a live id is refused"
                  + " (give this worker another --id, or wait until the old session ends)";
          refused = Optional.of(why);
          log.warn("refused a second registration of live worker {}", descriptor.id());
        } else {
          registerLocked(descriptor, sink, owner, after);
        }
      }
    }
    runAll(after);
    return refused;
  }

  // under the lock
  private void registerLocked(
      WorkerDescriptor descriptor, TaskSink<P> sink, String owner, List<Runnable> after) {
    Optional<WorkerState<P>> old =
        registry.put(new WorkerState<>(descriptor, sink, clock.instant(), owner));
    old.ifPresent(
        o -> {
          event(ConnectivityEvent.Type.LEAVE, o.descriptor(), "replaced by a new session");
          requeueTasksOf(o.id(), "worker re-registered", after);
        });
    event(
        ConnectivityEvent.Type.JOIN,
        descriptor,
        "registered: "
            + descriptor.maxParallel()
            + " slots, "
            + descriptor.cores()
            + " cores, "
            + descriptor.compilers().size()
            + " compilers, version "
            + descriptor.version());
    log.info(
        "worker {} joined: {} slots, {} compilers",
        descriptor.id(),
        descriptor.maxParallel(),
        descriptor.compilers().size());
    pump(after);
  }

  /** Records a heartbeat and the load it reports; unknown workers are ignored. */
  public void heartbeat(String workerId, WorkerLoad load) {
    synchronized (lock) {
      registry.get(workerId).ifPresent(w -> w.heartbeat(clock.instant(), load));
    }
  }

  /**
   * A ping sent at {@code pingSentAt} (this coordinator's clock) came back from the worker now;
   * feeds its round-trip average. Unknown workers and implausible times are ignored.
   */
  public void pong(String workerId, Instant pingSentAt) {
    synchronized (lock) {
      Duration rtt = Duration.between(pingSentAt, clock.instant());
      if (rtt.isNegative() || rtt.compareTo(settings.heartbeatTimeout()) > 0) {
        return;
      }
      registry.get(workerId).ifPresent(w -> w.roundTrip(rtt.toNanos() / 1e6));
    }
  }

  /** The worker takes no new tasks; running ones finish. */
  public void drain(String workerId) {
    synchronized (lock) {
      registry.get(workerId).ifPresent(WorkerState::setDraining);
      log.info("worker {} is draining", workerId);
    }
  }

  /**
   * The worker's session ended. Its running tasks go to other workers; waiting tasks that no
   * remaining worker can run fail at once.
   */
  public void workerGone(String workerId, TaskSink<P> sink, String reason) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      Optional<WorkerState<P>> current = registry.get(workerId);
      if (closed || current.isEmpty() || current.get().sink() != sink) {
        return; // shut down (leave recorded), gone, or replaced by a newer session under the id
      }
      registry.remove(workerId);
      event(ConnectivityEvent.Type.LEAVE, current.get().descriptor(), reason);
      log.info("worker {} left: {}", workerId, reason);
      requeueTasksOf(workerId, reason, after);
      failUnplaceable(after);
      pump(after);
    }
    runAll(after);
  }

  /** A worker returned a compiler result for {@code taskId}. */
  public void result(String workerId, String taskId, R result) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      Pending p = inFlight.get(taskId);
      if (p == null || !workerId.equals(p.worker)) {
        log.debug("late result for {} from {} ignored", taskId, workerId);
        return;
      }
      inFlight.remove(taskId);
      double millis = Duration.between(p.assignedAt, clock.instant()).toNanos() / 1e6;
      registry
          .get(workerId)
          .ifPresent(
              w -> {
                w.taskEnded(true);
                w.taskTime(millis);
                // It ran the shipped toolchain: its store holds the files now.
                w.toolchainRan(p.toolchain.digest());
              });
      completed.incrementAndGet();
      boolean compileError = isCompileError.test(result);
      if (compileError) {
        compileErrors.incrementAndGet();
      }
      Duration ran = Duration.between(p.assignedAt, clock.instant());
      Duration queued = Duration.ofNanos(p.queueMicros * 1000);
      after.add(() -> listener.completed(taskId, workerId, ran, queued, compileError));
      Completed<R> done = new Completed<>(result, workerId, p.queueMicros, p.tried.size());
      after.add(() -> p.future.complete(done));
      pump(after);
    }
    runAll(after);
  }

  /**
   * A worker refused or could not run {@code taskId}. Retryable refusals send the task to another
   * worker; the others fail it.
   */
  public void rejected(
      String workerId, String taskId, boolean retryable, boolean invalid, String message) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      Pending p = inFlight.get(taskId);
      if (p == null || !workerId.equals(p.worker)) {
        return;
      }
      inFlight.remove(taskId);
      registry.get(workerId).ifPresent(w -> w.taskEnded(false));
      if (retryable) {
        retry(p, "worker " + workerId + ": " + message, after);
      } else {
        fail(
            p,
            invalid ? DispatchException.Kind.INVALID_TASK : DispatchException.Kind.REJECTED,
            "worker " + workerId + " refused the task: " + message,
            after);
      }
      pump(after);
    }
    runAll(after);
  }

  /** The client gave up on a task: drop it if it is still waiting. */
  public void cancel(CompletableFuture<Completed<R>> future) {
    synchronized (lock) {
      interactive.removeIf(p -> p.future == future);
      batch.removeIf(p -> p.future == future);
    }
  }

  /** Expires waiting tasks, re-sends overdue running tasks and drops silent workers. */
  public void sweep() {
    List<Runnable> after = new ArrayList<>();
    List<TaskSink<P>> silent = new ArrayList<>();
    synchronized (lock) {
      Instant now = clock.instant();
      for (Deque<Pending> q : List.of(interactive, batch)) {
        for (Iterator<Pending> it = q.iterator(); it.hasNext(); ) {
          Pending p = it.next();
          // Time waiting for a worker across all waits; time spent running on a worker that
          // then failed does not count, or every retry after a long compile would expire.
          Duration waited =
              Duration.ofNanos(p.queueMicros * 1000).plus(Duration.between(p.waitingSince, now));
          if (waited.compareTo(settings.queueTimeout()) > 0) {
            it.remove();
            fail(
                p,
                DispatchException.Kind.QUEUE_TIMEOUT,
                "no worker became free within " + settings.queueTimeout().toSeconds() + " s",
                after);
          }
        }
      }
      for (Pending p : List.copyOf(inFlight.values())) {
        if (Duration.between(p.assignedAt, now).compareTo(settings.taskTimeout()) > 0) {
          inFlight.remove(p.id);
          registry.get(p.worker).ifPresent(w -> w.taskEnded(false));
          retry(p, "worker " + p.worker + " did not answer in time", after);
        }
      }
      for (WorkerState<P> w : List.copyOf(registry.all())) {
        if (Duration.between(w.lastHeartbeat(), now).compareTo(settings.heartbeatTimeout()) > 0) {
          registry.remove(w.id());
          event(
              ConnectivityEvent.Type.TIMEOUT,
              w.descriptor(),
              "no heartbeat for " + Duration.between(w.lastHeartbeat(), now).toMillis() + " ms");
          log.warn("worker {} timed out (no heartbeat)", w.id());
          requeueTasksOf(w.id(), "heartbeat timeout", after);
          silent.add(w.sink());
        }
      }
      failUnplaceable(after);
      pump(after);
    }
    silent.forEach(s -> s.disconnect("heartbeat timeout"));
    runAll(after);
  }

  /** Counters and gauges. */
  public DispatchStats stats() {
    synchronized (lock) {
      return new DispatchStats(
          registry.size(),
          completed.get(),
          failed.get(),
          compileErrors.get(),
          retried.get(),
          interactive.size() + batch.size(),
          inFlight.size());
    }
  }

  /**
   * A consistent copy of the connected workers' states, for status pages.
   *
   * @param <T> the view type
   */
  public <T> List<T> workers(java.util.function.Function<WorkerState<P>, T> view) {
    synchronized (lock) {
      return registry.all().stream().map(view).toList();
    }
  }

  /**
   * Fails every waiting and running task with SHUTTING_DOWN, records a leave for every worker and
   * ends its session (so workers reconnect elsewhere at once instead of holding the server open).
   */
  @Override
  public void close() {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (!closed) {
        for (WorkerState<P> w : registry.all()) {
          event(ConnectivityEvent.Type.LEAVE, w.descriptor(), "coordinator shutting down");
          TaskSink<P> sink = w.sink();
          after.add(() -> sink.disconnect("coordinator shutting down"));
        }
      }
      closed = true;
      for (Deque<Pending> q : List.of(interactive, batch)) {
        for (Pending p : q) {
          fail(p, DispatchException.Kind.SHUTTING_DOWN, "coordinator is shutting down", after);
        }
        q.clear();
      }
      for (Pending p : inFlight.values()) {
        fail(p, DispatchException.Kind.SHUTTING_DOWN, "coordinator is shutting down", after);
      }
      inFlight.clear();
    }
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    runAll(after);
  }

  /** Runs sends and completions outside the lock; one failing does not stop the others. */
  private static void runAll(List<Runnable> actions) {
    for (Runnable r : actions) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("dispatch action failed: {}", e.toString());
      }
    }
  }

  // --- everything below runs under the lock ---

  private Deque<Pending> queueFor(Priority priority) {
    return priority == Priority.BATCH ? batch : interactive;
  }

  /**
   * Places every waiting task that has a capable worker with a free slot, interactive first. Stops
   * when no slot is free, and once a compiler identity found no worker it is not asked again in
   * this pass, so a long queue costs little per event.
   */
  private void pump(List<Runnable> after) {
    if (interactive.isEmpty() && batch.isEmpty()) {
      return;
    }
    List<WorkerSnapshot> workers = registry.snapshots();
    int free = 0;
    for (WorkerSnapshot w : workers) {
      free += w.draining() ? 0 : w.freeSlots();
    }
    Set<List<Object>> exhausted = new HashSet<>();
    for (Deque<Pending> q : List.of(interactive, batch)) {
      for (Iterator<Pending> it = q.iterator(); it.hasNext() && free > 0; ) {
        Pending p = it.next();
        List<Object> need = List.of(p.compiler, p.toolchain);
        if (exhausted.contains(need)) {
          continue; // no worker can take this identity and toolchain now, excluded ones or not
        }
        TaskRequest request = p.request();
        Optional<WorkerSnapshot> pick = scheduler.pick(request, workers);
        if (pick.isEmpty()) {
          if (p.tried.isEmpty()) {
            exhausted.add(need);
          }
          continue;
        }
        WorkerState<P> w =
            registry
                .get(pick.get().id())
                .orElseThrow(() -> new IllegalStateException("scheduler picked an unknown worker"));
        if (!request.canRunOn(w.snapshot())) {
          throw new IllegalStateException(
              "scheduler picked " + w.id() + ", which cannot run " + p.compiler.describe());
        }
        it.remove();
        assign(p, w, after);
        free--;
      }
    }
  }

  /** Records a connectivity event (under the lock, so the log keeps the registry's order). */
  private void event(ConnectivityEvent.Type type, WorkerDescriptor d, String reason) {
    events.record(new ConnectivityEvent(clock.instant(), type, d.id(), d.hostname(), reason));
  }

  private void assign(Pending p, WorkerState<P> w, List<Runnable> after) {
    Instant now = clock.instant();
    Duration waited = Duration.between(p.waitingSince, now);
    p.queueMicros += waited.toNanos() / 1000;
    String workerId = w.id();
    after.add(() -> listener.assigned(p.id, p.payload, workerId, waited));
    p.worker = w.id();
    p.assignedAt = now;
    p.tried.add(w.id());
    w.taskStarted();
    w.sentInputs().sent(p.inputs);
    inFlight.put(p.id, p);
    TaskSink<P> sink = w.sink();
    long timeout = settings.taskTimeout().toMillis();
    after.add(() -> sink.assign(p.id, p.payload, timeout));
  }

  private void requeueTasksOf(String workerId, String reason, List<Runnable> after) {
    for (Pending p : List.copyOf(inFlight.values())) {
      if (workerId.equals(p.worker)) {
        inFlight.remove(p.id);
        retry(p, "worker " + workerId + " lost (" + reason + ")", after);
      }
    }
  }

  private void retry(Pending p, String why, List<Runnable> after) {
    p.worker = null;
    if (p.tried.size() >= settings.maxAttempts()) {
      fail(
          p,
          DispatchException.Kind.RETRIES_EXHAUSTED,
          "tried " + p.tried.size() + " workers; last failure: " + why,
          after);
      return;
    }
    if (!registry.anyCapable(p.request())) {
      fail(
          p,
          DispatchException.Kind.RETRIES_EXHAUSTED,
          "no other capable worker to retry on; last failure: " + why,
          after);
      return;
    }
    retried.incrementAndGet();
    String lastWorker = p.tried.isEmpty() ? "" : String.join(",", p.tried);
    after.add(() -> listener.retried(p.id, lastWorker));
    log.info("task {} retried: {}", p.id, why);
    p.waitingSince = clock.instant();
    queueFor(p.priority).addFirst(p);
  }

  /** Fails waiting tasks that no connected worker can ever run. */
  private void failUnplaceable(List<Runnable> after) {
    for (Deque<Pending> q : List.of(interactive, batch)) {
      for (Iterator<Pending> it = q.iterator(); it.hasNext(); ) {
        Pending p = it.next();
        if (!registry.anyCapable(new TaskRequest(p.compiler, Set.of(), p.inputs, p.toolchain))) {
          it.remove();
          fail(p, DispatchException.Kind.NO_CAPABLE_WORKER, noCapableMessage(p), after);
        } else if (!registry.anyCapable(p.request())) {
          it.remove();
          fail(
              p,
              DispatchException.Kind.RETRIES_EXHAUSTED,
              "every capable worker failed this task",
              after);
        }
      }
    }
  }

  private void fail(Pending p, DispatchException.Kind kind, String message, List<Runnable> after) {
    failed.incrementAndGet();
    DispatchException e = new DispatchException(kind, message);
    after.add(() -> listener.failed(p.id, kind));
    after.add(() -> p.future.completeExceptionally(e));
  }

  private String noCapableMessage(Pending p) {
    StringBuilder b = new StringBuilder("no connected worker has ").append(p.compiler.describe());
    if (p.toolchain.shipped()) {
      b.append(" or accepts a shipped toolchain for ").append(p.toolchain.arch());
    }
    b.append(" (").append(registry.size()).append(" workers connected");
    if (p.toolchain.shipped()) {
      long ownOnly =
          registry.all().stream().filter(w -> !w.descriptor().acceptsShippedToolchains()).count();
      if (ownOnly > 0) {
        b.append("; ")
            .append(ownOnly)
            .append(ownOnly == 1 ? " runs" : " run")
            .append(" only its own compilers (--toolchains own) and refuses shipped toolchains");
      }
    }
    return b.append(')').toString();
  }
}
