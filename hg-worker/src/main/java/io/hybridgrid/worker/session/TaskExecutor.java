package io.hybridgrid.worker.session;

import io.hybridgrid.common.concurrent.DaemonThreads;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's task slots: runs assignments on a bounded pool ({@code maxParallel} running, as many
 * waiting), keeps each running task's cancellation handle so that a CancelTask stops it, and drops
 * the result of a task that was cancelled.
 */
public final class TaskExecutor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskExecutor.class);

  private final TaskRunner runner;
  private final ThreadPoolExecutor pool;
  private final AtomicInteger active = new AtomicInteger();
  private final Map<String, Running> tasks = new ConcurrentHashMap<>();

  private record Running(Cancellation cancellation, Future<?> future) {}

  public TaskExecutor(int maxParallel, TaskRunner runner) {
    this.runner = runner;
    this.pool =
        new ThreadPoolExecutor(
            maxParallel,
            maxParallel,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(maxParallel),
            DaemonThreads.numbered("hg-compile"));
  }

  /**
   * Runs {@code assignment} and hands its result to {@code send}, unless it was cancelled.
   *
   * @return false when every slot and queue place is taken (or the executor is shut down)
   */
  public boolean submit(TaskAssignment assignment, Consumer<TaskResult> send) {
    String id = assignment.getTaskId();
    Cancellation cancellation = new Cancellation();
    synchronized (tasks) {
      try {
        Future<?> f = pool.submit(() -> run(assignment, cancellation, send));
        tasks.put(id, new Running(cancellation, f));
        return true;
      } catch (RejectedExecutionException e) {
        return false;
      }
    }
  }

  private void run(
      TaskAssignment assignment, Cancellation cancellation, Consumer<TaskResult> send) {
    active.incrementAndGet();
    TaskResult result;
    try {
      result = runner.run(assignment, cancellation);
    } finally {
      active.decrementAndGet();
      synchronized (tasks) {
        tasks.remove(assignment.getTaskId());
      }
      Thread.interrupted(); // a cancel's interrupt must not leak into the pool's next task
    }
    if (cancellation.isCancelled()) {
      log.info("task {} cancelled; its result is dropped", assignment.getTaskId());
      return;
    }
    send.accept(result);
  }

  /**
   * Stops task {@code taskId}: signals its handle (its runner kills the compiler's process tree)
   * and interrupts its thread, or takes it out of the queue.
   *
   * @return whether such a task was here
   */
  public boolean cancel(String taskId) {
    Running r;
    synchronized (tasks) {
      r = tasks.remove(taskId);
    }
    if (r == null) {
      return false;
    }
    r.cancellation().cancel();
    r.future().cancel(true);
    return true;
  }

  /** Tasks running now. */
  public int active() {
    return active.get();
  }

  /**
   * Takes no new tasks and waits up to {@code timeout} for the running ones; cancels what is left.
   *
   * @return whether every task finished in time
   */
  public boolean drain(Duration timeout) {
    pool.shutdown();
    try {
      if (pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (String id : java.util.List.copyOf(tasks.keySet())) {
      cancel(id);
    }
    pool.shutdownNow();
    return false;
  }

  @Override
  public void close() {
    drain(Duration.ZERO);
  }
}
