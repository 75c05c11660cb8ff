package io.hybridgrid.coord.tasks;

import io.hybridgrid.coord.dispatch.DispatchException;
import io.hybridgrid.coord.dispatch.DispatchListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What the grid is doing, for the dashboard, {@code hgbuild top} and the task log: the tasks
 * running on workers now (heard from the dispatcher), the last finished ones with a sequence number
 * each (so a live view asks only for what it has not seen), and per-build counts. Finished tasks
 * are also appended to the {@link TaskLog} when there is one, and the build counts are rebuilt from
 * it on start. Thread-safe.
 *
 * @param <P> the dispatcher's task payload
 */
public final class TaskFeed<P> implements DispatchListener<P> {
  /** Finished tasks kept in memory. */
  public static final int RECENT = 1000;

  /** Builds kept in memory, the most recently active last. */
  static final int BUILDS = 200;

  /**
   * A task running now.
   *
   * @param taskId the dispatcher's id
   * @param file the source file
   * @param worker where it runs
   * @param started when it was assigned
   */
  public record Running(String taskId, String file, String worker, Instant started) {}

  /**
   * A finished task and its place in the feed.
   *
   * @param seq increases by one per task
   * @param task the task
   */
  public record Numbered(long seq, TaskRecord task) {}

  private final Function<P, String> describe;
  private final Clock clock;
  private final TaskLog log;
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  // @GuardedBy("this")
  private final Deque<Numbered> recent = new ArrayDeque<>();
  // @GuardedBy("this")
  private final LinkedHashMap<String, BuildSummary> builds = new LinkedHashMap<>(16, 0.75f, true);
  // @GuardedBy("this")
  private long seq;

  /**
   * @param describe names a payload's source file
   * @param clock time of assignments
   * @param log where finished tasks are appended, or null for none
   */
  public TaskFeed(Function<P, String> describe, Clock clock, TaskLog log) {
    this.describe = describe;
    this.clock = clock;
    this.log = log;
  }

  /** Rebuilds the build counts from the task log (if any). */
  public synchronized void start() {
    if (log != null) {
      log.readAll(this::countBuild);
    }
  }

  /** A compile finished (on a worker, from the cache, or on a client that reported it). */
  public void finished(TaskRecord t) {
    synchronized (this) {
      recent.addLast(new Numbered(++seq, t));
      while (recent.size() > RECENT) {
        recent.removeFirst();
      }
      countBuild(t);
    }
    if (log != null) {
      log.append(t);
    }
  }

  /** The finished tasks numbered above {@code afterSeq}, at most {@code limit}, oldest first. */
  public synchronized List<Numbered> since(long afterSeq, int limit) {
    List<Numbered> out = new ArrayList<>();
    for (Numbered n : recent) {
      if (n.seq() > afterSeq) {
        out.add(n);
      }
    }
    return out.size() <= limit ? out : List.copyOf(out.subList(out.size() - limit, out.size()));
  }

  /** The last finished task's number (0 before any). */
  public synchronized long lastSeq() {
    return seq;
  }

  /** Finished tasks that ended in the last {@code window}. */
  public synchronized int finishedWithin(Duration window) {
    Instant from = clock.instant().minus(window);
    int n = 0;
    for (var it = recent.descendingIterator(); it.hasNext(); ) {
      if (it.next().task().finished().isBefore(from)) {
        break;
      }
      n++;
    }
    return n;
  }

  /** Tasks running on workers, oldest first. */
  public List<Running> running() {
    List<Running> all = new ArrayList<>(running.values());
    all.sort(Comparator.comparing(Running::started));
    return all;
  }

  /** Builds, the most recently active first. */
  public synchronized List<BuildSummary> builds(int limit) {
    List<BuildSummary> all = new ArrayList<>(builds.values());
    java.util.Collections.reverse(all);
    return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
  }

  private void countBuild(TaskRecord t) {
    if (t.buildId().isEmpty()) {
      return;
    }
    builds.put(
        t.buildId(), builds.getOrDefault(t.buildId(), BuildSummary.empty(t.buildId())).plus(t));
    while (builds.size() > BUILDS) {
      builds.remove(builds.keySet().iterator().next());
    }
  }

  // --- DispatchListener: tasks on workers ---

  @Override
  public void assigned(String taskId, P payload, String workerId, Duration waited) {
    running.put(taskId, new Running(taskId, describe.apply(payload), workerId, clock.instant()));
  }

  @Override
  public void completed(
      String taskId, String workerId, Duration ran, Duration queued, boolean compileError) {
    running.remove(taskId);
  }

  @Override
  public void failed(String taskId, DispatchException.Kind kind) {
    running.remove(taskId);
  }

  @Override
  public void retried(String taskId, String workerId) {
    running.remove(taskId);
  }

  @Override
  public void cancelled(String taskId) {
    running.remove(taskId);
  }
}
