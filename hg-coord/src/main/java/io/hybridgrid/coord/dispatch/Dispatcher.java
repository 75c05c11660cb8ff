package io.hybridgrid.coord.dispatch;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.coord.events.ConnectivityEvent;
import io.hybridgrid.coord.events.EventLog;
import io.hybridgrid.coord.health.WorkerBreakers;
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
import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * Places tasks on workers: the registry, the queue, the in-flight table and the workers' circuit
 * breakers behind one lock. (Over 500 lines on purpose: they share that lock and every transition
 * touches all of them, so splitting them would spread one state machine over several classes.)
 *
 * <p>A task goes straight to a worker when a capable one has a free slot (chosen by the {@link
 * Scheduler}), otherwise it waits in a bounded queue (interactive before batch) until a slot frees
 * up or its deadline passes. A task whose worker disconnects, times out or reports an
 * infrastructure failure is sent to another worker, up to {@code maxAttempts}; a result, including
 * a compile error, is returned once. When no connected worker has the compiler at all, the task
 * fails at once so that the client compiles locally (except just after start, when workers may
 * still be reconnecting: then it waits up to {@code workerWait}). Futures are completed and
 * messages sent outside the lock.
 *
 * <p>Reliability (docs/reliability.md): every outcome feeds the worker's circuit breaker ({@link
 * WorkerBreakers}); an open breaker takes the worker out of scheduling and a half-open one gets a
 * single probe task. A running task that passes its progress deadline, max(hedgeFactor × its
 * worker's average for similar tasks, hedgeFloor), is hedged: a duplicate goes to another worker
 * with a free slot, the first result wins and the other attempt is cancelled on its worker (and
 * counts against that worker's breaker if it was the overdue one). A task whose client went away is
 * cancelled on its workers; late results are ignored.
 *
 * <p>Every join, leave and heartbeat timeout is recorded in the {@link EventLog} (under the lock,
 * so the log's order is the registry's order; these are rare, small appends).
 *
 * @param <P> the task payload sent to workers
 * @param <R> the result workers send back
 */
public final class Dispatcher<P, R> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** A hedge never goes to a worker with at least this share of recent failures. */
  static final double HEDGE_MAX_FAILURE_SHARE = 0.5;

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
  private final Deque<Pending> verify = new ArrayDeque<>();
  // @GuardedBy("lock"): worker ids that get no tasks until an admin lifts it (survives reconnects)
  private final Map<String, String> quarantined = new java.util.LinkedHashMap<>();
  // @GuardedBy("lock")
  private final Map<String, Pending> inFlight = new HashMap<>();
  // @GuardedBy("lock")
  private boolean closed;
  // @GuardedBy("lock"): no new submissions; placed and waiting tasks still run
  private boolean closing;

  private final AtomicLong nextId = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong compileErrors = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong hedged = new AtomicLong();
  private final AtomicLong hedgesWon = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  // @GuardedBy("lock")
  private final WorkerBreakers breakers;
  private final Instant startedAt;
  private ScheduledFuture<?> sweeper;

  /** One worker running a task. */
  private record Attempt(String worker, Instant assignedAt, boolean hedge) {}

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
    // Workers running it now, by id: one, or more once hedged.
    final Map<String, Attempt> attempts = new LinkedHashMap<>();
    Instant waitingSince;
    long queueMicros;

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
    this.breakers = new WorkerBreakers(settings.breaker(), clock);
    this.startedAt = clock.instant();
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
    return submit(compiler, priority, payload, inputs, ShippedToolchain.NONE, Set.of());
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
    return submit(compiler, priority, payload, inputs, toolchain, Set.of());
  }

  /**
   * As above, never placed on a worker in {@code excluded} (verification re-runs a result on a
   * different worker). Excluded workers count as tried, so they count against the attempts. A
   * {@link Priority#VERIFY} task is placed only when no client task waits, does not count against
   * the queue's capacity, and waits for a worker it may run on to connect (until the queue timeout)
   * instead of failing at once.
   */
  public CompletableFuture<Completed<R>> submit(
      CompilerIdentity compiler,
      Priority priority,
      P payload,
      InputSet inputs,
      ShippedToolchain toolchain,
      Set<String> excluded) {
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
      p.tried.addAll(excluded);
      if (closed || closing) {
        fail(p, DispatchException.Kind.SHUTTING_DOWN, "coordinator is shutting down", after);
      } else if (priority == Priority.VERIFY) {
        // A re-run waits (up to the queue timeout) for a worker it may run on to connect.
        verify.addLast(p);
        pump(after);
      } else if (!registry.anyCapable(p.request()) && !waitingForWorkers()) {
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
    WorkerState<P> state = new WorkerState<>(descriptor, sink, clock.instant(), owner);
    state.health(breakers.state(descriptor.id()), breakers.failureShare(descriptor.id()));
    if (quarantined.containsKey(descriptor.id())) {
      state.setQuarantined(true); // a reconnect does not lift a quarantine
    }
    Optional<WorkerState<P>> old = registry.put(state);
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

  /**
   * The worker takes no new tasks; running ones finish. Waiting tasks that only it could run fail
   * (the client compiles locally).
   *
   * @return whether such a worker is connected
   */
  public boolean drain(String workerId) {
    List<Runnable> after = new ArrayList<>();
    boolean known;
    synchronized (lock) {
      Optional<WorkerState<P>> w = registry.get(workerId);
      known = w.isPresent();
      if (known && !w.get().draining()) {
        w.get().setDraining();
        event(ConnectivityEvent.Type.LEAVE, w.get().descriptor(), "draining");
        log.info("worker {} is draining", workerId);
        failUnplaceable(after);
      }
    }
    runAll(after);
    return known;
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

  /**
   * A worker returned a compiler result for {@code taskId}. The first result of a hedged task wins;
   * the other attempts are cancelled on their workers. Results for tasks no longer running there
   * (cancelled, won elsewhere, re-dispatched) are ignored.
   */
  public void result(String workerId, String taskId, R result) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      Pending p = inFlight.get(taskId);
      Attempt a = p == null ? null : p.attempts.remove(workerId);
      if (a == null) {
        log.debug("late result for {} from {} ignored", taskId, workerId);
        return;
      }
      inFlight.remove(taskId);
      Duration took = Duration.between(a.assignedAt(), clock.instant());
      breakers.success(workerId, took);
      registry
          .get(workerId)
          .ifPresent(
              w -> {
                w.taskEnded(true);
                w.taskTime(p.compiler, took.toNanos() / 1e6);
                refreshHealth(w);
                // It ran the shipped toolchain: its store holds the files now.
                w.toolchainRan(p.toolchain.digest());
              });
      if (a.hedge()) {
        hedgesWon.incrementAndGet();
      }
      withdrawOthers(p, "answered by " + workerId, true, after);
      completed.incrementAndGet();
      boolean compileError = isCompileError.test(result);
      if (compileError) {
        compileErrors.incrementAndGet();
      }
      Duration queued = Duration.ofNanos(p.queueMicros * 1000);
      after.add(() -> listener.completed(taskId, workerId, took, queued, compileError));
      Completed<R> done = new Completed<>(result, workerId, p.queueMicros, p.tried.size());
      after.add(() -> p.future.complete(done));
      pump(after);
    }
    runAll(after);
  }

  /**
   * A worker refused or could not run {@code taskId}. A {@linkplain Rejection#retryable()
   * retryable} refusal sends the task to another worker (unless a hedge of it is still running);
   * the others fail it. {@linkplain Rejection#workerFault() Worker faults} count against the
   * worker's breaker, faults of the task for it.
   */
  public void rejected(String workerId, String taskId, Rejection reason, String message) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      Pending p = inFlight.get(taskId);
      Attempt a = p == null ? null : p.attempts.remove(workerId);
      if (a == null) {
        return;
      }
      Duration took = Duration.between(a.assignedAt(), clock.instant());
      if (reason.workerFault()) {
        breakers.failure(workerId, took, reason + ": " + message);
      } else {
        breakers.success(workerId, took);
      }
      registry
          .get(workerId)
          .ifPresent(
              w -> {
                w.taskEnded(false);
                refreshHealth(w);
              });
      if (reason.retryable()) {
        if (p.attempts.isEmpty()) {
          inFlight.remove(taskId);
          retry(p, "worker " + workerId + ": " + message, after);
        }
      } else {
        inFlight.remove(taskId);
        withdrawOthers(p, "failed on " + workerId, false, after);
        fail(
            p,
            reason == Rejection.INVALID_TASK
                ? DispatchException.Kind.INVALID_TASK
                : DispatchException.Kind.REJECTED,
            "worker " + workerId + " refused the task: " + message,
            after);
      }
      pump(after);
    }
    runAll(after);
  }

  /**
   * Quarantines worker {@code workerId} (connected or not): it gets no more tasks, also after it
   * reconnects under the same id, until {@link #release}. Its running tasks go to other workers and
   * anything it still answers for them is ignored.
   *
   * @return whether it was not quarantined before
   */
  public boolean quarantine(String workerId, String reason) {
    List<Runnable> after = new ArrayList<>();
    boolean added;
    synchronized (lock) {
      added = quarantined.putIfAbsent(workerId, reason) == null;
      Optional<WorkerState<P>> w = registry.get(workerId);
      w.ifPresent(s -> s.setQuarantined(true));
      if (added) {
        events.record(
            new ConnectivityEvent(
                clock.instant(),
                ConnectivityEvent.Type.QUARANTINE,
                workerId,
                w.map(s -> s.descriptor().hostname()).orElse(""),
                reason));
        log.warn("worker {} quarantined: {}", workerId, reason);
      }
      requeueTasksOf(workerId, "quarantined", after);
      failUnplaceable(after);
      pump(after);
    }
    runAll(after);
    return added;
  }

  /**
   * Lifts the quarantine of {@code workerId}.
   *
   * @return whether it was quarantined
   */
  public boolean release(String workerId, String reason) {
    List<Runnable> after = new ArrayList<>();
    boolean removed;
    synchronized (lock) {
      removed = quarantined.remove(workerId) != null;
      Optional<WorkerState<P>> w = registry.get(workerId);
      w.ifPresent(s -> s.setQuarantined(false));
      if (removed) {
        events.record(
            new ConnectivityEvent(
                clock.instant(),
                ConnectivityEvent.Type.RELEASE,
                workerId,
                w.map(s -> s.descriptor().hostname()).orElse(""),
                reason));
      }
      pump(after);
    }
    runAll(after);
    return removed;
  }

  /** Whether {@code workerId} is quarantined. */
  public boolean isQuarantined(String workerId) {
    synchronized (lock) {
      return quarantined.containsKey(workerId);
    }
  }

  /** The quarantined worker ids with the reason each was quarantined, oldest first. */
  public Map<String, String> quarantined() {
    synchronized (lock) {
      return new java.util.LinkedHashMap<>(quarantined);
    }
  }

  /**
   * The client gave up on a task: drop it if it is still waiting; if it is running, cancel it on
   * its workers (which stop the compile and free the slot) and ignore whatever they send later.
   */
  public void cancel(CompletableFuture<Completed<R>> future) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      interactive.removeIf(p -> p.future == future);
      batch.removeIf(p -> p.future == future);
      verify.removeIf(p -> p.future == future);
      for (Pending p : List.copyOf(inFlight.values())) {
        if (p.future == future) {
          inFlight.remove(p.id);
          cancelled.incrementAndGet();
          after.add(() -> listener.cancelled(p.id));
          withdrawOthers(p, "client went away", false, after);
          after.add(
              () ->
                  p.future.completeExceptionally(new java.util.concurrent.CancellationException()));
          pump(after);
        }
      }
    }
    runAll(after);
  }

  /**
   * Whether a connected worker with this id may be given tasks: its breaker is not open. For tests,
   * status and metrics: the breaker state itself is in {@link WorkerState#circuitState()}.
   */
  public boolean schedulable(String workerId) {
    synchronized (lock) {
      return registry.get(workerId).isPresent() && !breakers.isOpen(workerId);
    }
  }

  /** Expires waiting tasks, re-sends overdue running tasks and drops silent workers. */
  public void sweep() {
    List<Runnable> after = new ArrayList<>();
    List<TaskSink<P>> silent = new ArrayList<>();
    synchronized (lock) {
      Instant now = clock.instant();
      for (Deque<Pending> q : List.of(interactive, batch, verify)) {
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
        for (Attempt a : List.copyOf(p.attempts.values())) {
          Duration took = Duration.between(a.assignedAt(), now);
          if (took.compareTo(settings.taskTimeout()) > 0) {
            p.attempts.remove(a.worker());
            breakers.failure(a.worker(), took, "no answer in " + took.toMillis() + " ms");
            registry
                .get(a.worker())
                .ifPresent(
                    w -> {
                      w.taskEnded(false);
                      refreshHealth(w);
                    });
            TaskSink<P> sink = sinkOf(a.worker());
            if (sink != null) {
              after.add(() -> sink.cancel(p.id));
            }
          }
        }
        if (p.attempts.isEmpty()) {
          inFlight.remove(p.id);
          retry(p, "no worker answered within " + settings.taskTimeout().toSeconds() + " s", after);
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
      hedge(now, after);
      for (WorkerState<P> w : registry.all()) {
        refreshHealth(w);
      }
      breakers.prune(registryIds());
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
          inFlight.size(),
          hedged.get(),
          hedgesWon.get(),
          cancelled.get());
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
   * The first step of a graceful shutdown: new tasks fail at once with SHUTTING_DOWN (the client
   * compiles locally), tasks already submitted still run; then waits up to {@code timeout} for them
   * to finish. {@link #close()} ends what is left.
   *
   * @return whether every task finished in time
   */
  public boolean shutdownGracefully(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      closing = true;
      while (!inFlight.isEmpty() || !interactive.isEmpty() || !batch.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // Completions do not notify; a short bounded wait keeps them free of shutdown concerns.
        lock.wait(Math.max(1, Math.min(50, left / 1_000_000)));
      }
      return true;
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
      for (Deque<Pending> q : List.of(interactive, batch, verify)) {
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
    return switch (priority) {
      case INTERACTIVE -> interactive;
      case BATCH -> batch;
      case VERIFY -> verify;
    };
  }

  /**
   * Places every waiting task that has a capable worker with a free slot, interactive first. Stops
   * when no slot is free, and once a compiler identity found no worker it is not asked again in
   * this pass, so a long queue costs little per event.
   */
  private void pump(List<Runnable> after) {
    if (interactive.isEmpty() && batch.isEmpty() && verify.isEmpty()) {
      return;
    }
    Candidates workers = candidates();
    int free = 0;
    for (WorkerSnapshot w : workers) {
      free += w.draining() ? 0 : w.freeSlots();
    }
    try {
      place(workers, free, after);
    } finally {
      workers.releaseUnused();
    }
  }

  private void place(Candidates workers, int free, List<Runnable> after) {
    Set<List<Object>> exhausted = new HashSet<>();
    for (Deque<Pending> q : List.of(interactive, batch, verify)) {
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
        workers.used(w);
        assign(p, w, false, after);
        free--;
      }
    }
  }

  /**
   * The workers the scheduler may pick from now: those whose breaker grants a permission (always
   * when closed; the one probe when half-open). A live view: elements are current snapshots, and a
   * worker whose probe permission was used leaves it.
   */
  private Candidates candidates() {
    Candidates c = new Candidates();
    for (WorkerState<P> w : registry.all()) {
      if (w.freeSlots() > 0 && !w.draining() && breakers.tryAcquire(w.id())) {
        c.states.add(w);
      }
      refreshHealth(w);
    }
    return c;
  }

  /**
   * See {@link #candidates()}. A closed breaker's permission costs nothing (granting and giving it
   * back are no-ops there); a half-open one has a single permission, the probe.
   */
  private final class Candidates extends AbstractList<WorkerSnapshot> {
    final List<WorkerState<P>> states = new ArrayList<>();

    @Override
    public WorkerSnapshot get(int index) {
      return states.get(index).snapshot();
    }

    @Override
    public int size() {
      return states.size();
    }

    /** {@code w} got a task: a worker on probation (half-open) gets no second one. */
    void used(WorkerState<P> w) {
      if (!"CLOSED".equals(breakers.state(w.id()))) {
        states.remove(w);
        log.info("worker {}: probe task sent (breaker half-open)", w.id());
      }
    }

    /** Gives back the permissions of candidates on probation that got no task. */
    void releaseUnused() {
      for (WorkerState<P> w : states) {
        if (!"CLOSED".equals(breakers.state(w.id()))) {
          breakers.release(w.id());
        }
      }
    }
  }

  /**
   * Hedges running tasks past their progress deadline onto another worker with a free slot (idle
   * capacity only: waiting tasks were placed first), at most {@code maxAttempts} workers per task.
   */
  private void hedge(Instant now, List<Runnable> after) {
    if (settings.hedgeFloor().isZero() || inFlight.isEmpty()) {
      return;
    }
    Candidates workers = null;
    try {
      for (Pending p : List.copyOf(inFlight.values())) {
        if (p.tried.size() >= settings.maxAttempts() || !allOverdue(p, now)) {
          continue;
        }
        if (workers == null) {
          workers = candidates();
        }
        Optional<WorkerSnapshot> pick = scheduler.pick(p.request(), workers);
        if (pick.isEmpty() || pick.get().failureShare() >= HEDGE_MAX_FAILURE_SHARE) {
          continue; // a duplicate is speculative: never on a worker that is failing
        }
        WorkerState<P> w = registry.get(pick.get().id()).orElseThrow();
        workers.used(w);
        hedged.incrementAndGet();
        log.info(
            "task {} hedged on {}: {} has not answered in {} ms",
            p.id,
            w.id(),
            String.join(",", p.attempts.keySet()),
            Duration.between(p.attempts.values().iterator().next().assignedAt(), now).toMillis());
        assign(p, w, true, after);
      }
    } finally {
      if (workers != null) {
        workers.releaseUnused();
      }
    }
  }

  /** Whether every running attempt of {@code p} is past its progress deadline. */
  private boolean allOverdue(Pending p, Instant now) {
    for (Attempt a : p.attempts.values()) {
      if (Duration.between(a.assignedAt(), now).compareTo(progressDeadline(p, a.worker())) <= 0) {
        return false;
      }
    }
    return !p.attempts.isEmpty();
  }

  /** max(hedgeFactor × the worker's average for tasks with this compiler, hedgeFloor). */
  private Duration progressDeadline(Pending p, String workerId) {
    double avg = registry.get(workerId).map(w -> w.taskMillis(p.compiler)).orElse(Double.NaN);
    long floor = settings.hedgeFloor().toMillis();
    long millis =
        Double.isNaN(avg) ? floor : Math.max(floor, (long) (settings.hedgeFactor() * avg));
    return Duration.ofMillis(millis);
  }

  /**
   * Ends every running attempt of {@code p} (another answered, or nobody wants it any more): frees
   * the slots, tells the workers to stop, and, when {@code lostRace}, counts it against the workers
   * whose attempt was overdue (a hedge that merely lost is neither).
   */
  private void withdrawOthers(Pending p, String why, boolean lostRace, List<Runnable> after) {
    Instant now = clock.instant();
    for (Attempt a : p.attempts.values()) {
      Duration took = Duration.between(a.assignedAt(), now);
      if (lostRace && !a.hedge() && took.compareTo(progressDeadline(p, a.worker())) > 0) {
        breakers.failure(a.worker(), took, "overdue and lost the race (" + why + ")");
      } else {
        breakers.release(a.worker());
      }
      registry
          .get(a.worker())
          .ifPresent(
              w -> {
                w.taskWithdrawn();
                refreshHealth(w);
              });
      TaskSink<P> sink = sinkOf(a.worker());
      if (sink != null) {
        log.debug("task {} cancelled on {}: {}", p.id, a.worker(), why);
        after.add(() -> sink.cancel(p.id));
      }
    }
    p.attempts.clear();
  }

  private TaskSink<P> sinkOf(String workerId) {
    return registry.get(workerId).map(WorkerState::sink).orElse(null);
  }

  /** Copies the worker's breaker state into its registry entry (for the score and status). */
  private void refreshHealth(WorkerState<P> w) {
    w.health(breakers.state(w.id()), breakers.failureShare(w.id()));
  }

  private Set<String> registryIds() {
    Set<String> ids = new HashSet<>();
    for (WorkerState<P> w : registry.all()) {
      ids.add(w.id());
    }
    return ids;
  }

  /** Whether the coordinator started recently enough that workers may still be reconnecting. */
  private boolean waitingForWorkers() {
    return Duration.between(startedAt, clock.instant()).compareTo(settings.workerWait()) < 0;
  }

  /** Records a connectivity event (under the lock, so the log keeps the registry's order). */
  private void event(ConnectivityEvent.Type type, WorkerDescriptor d, String reason) {
    events.record(new ConnectivityEvent(clock.instant(), type, d.id(), d.hostname(), reason));
  }

  private void assign(Pending p, WorkerState<P> w, boolean hedge, List<Runnable> after) {
    Instant now = clock.instant();
    String workerId = w.id();
    if (hedge) {
      after.add(() -> listener.hedged(p.id, workerId));
    } else {
      Duration waited = Duration.between(p.waitingSince, now);
      p.queueMicros += waited.toNanos() / 1000;
      after.add(() -> listener.assigned(p.id, p.payload, workerId, waited));
    }
    p.attempts.put(w.id(), new Attempt(w.id(), now, hedge));
    p.tried.add(w.id());
    w.taskStarted();
    w.sentInputs().sent(p.inputs);
    inFlight.put(p.id, p);
    TaskSink<P> sink = w.sink();
    long timeout = settings.taskTimeout().toMillis();
    after.add(() -> sink.assign(p.id, p.payload, timeout));
  }

  private void requeueTasksOf(String workerId, String reason, List<Runnable> after) {
    Instant now = clock.instant();
    for (Pending p : List.copyOf(inFlight.values())) {
      Attempt a = p.attempts.remove(workerId);
      if (a == null) {
        continue;
      }
      breakers.failure(workerId, Duration.between(a.assignedAt(), now), "lost: " + reason);
      if (p.attempts.isEmpty()) {
        inFlight.remove(p.id);
        retry(p, "worker " + workerId + " lost (" + reason + ")", after);
      }
    }
  }

  private void retry(Pending p, String why, List<Runnable> after) {
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

  /**
   * Fails waiting client tasks that no connected worker can ever run (verification re-runs wait for
   * one to connect, until the queue timeout).
   */
  private void failUnplaceable(List<Runnable> after) {
    if (waitingForWorkers()) {
      return;
    }
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
