package io.hybridgrid.coord.registry;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.scheduler.TaskRequest;
import io.hybridgrid.coord.scheduler.WorkerSnapshot;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The workers currently connected. Not thread-safe: the dispatcher owns it and guards it with its
 * lock, so that placement decisions see one consistent state.
 *
 * @param <P> the task payload type
 */
public final class WorkerRegistry<P> {
  private final Map<String, WorkerState<P>> workers = new LinkedHashMap<>();
  // The same workers in the same order, for indexed access by the snapshot view.
  private final List<WorkerState<P>> order = new ArrayList<>();
  private final List<WorkerSnapshot> snapshots =
      new AbstractList<>() {
        @Override
        public WorkerSnapshot get(int index) {
          return order.get(index).snapshot();
        }

        @Override
        public int size() {
          return order.size();
        }
      };

  /** Adds a worker; a worker reconnecting under the same id replaces its old entry. */
  public Optional<WorkerState<P>> put(WorkerState<P> state) {
    WorkerState<P> old = workers.put(state.id(), state);
    if (old != null) {
      order.set(order.indexOf(old), state);
    } else {
      order.add(state);
    }
    return Optional.ofNullable(old);
  }

  public Optional<WorkerState<P>> remove(String id) {
    WorkerState<P> old = workers.remove(id);
    if (old != null) {
      order.remove(old);
    }
    return Optional.ofNullable(old);
  }

  public Optional<WorkerState<P>> get(String id) {
    return Optional.ofNullable(workers.get(id));
  }

  public Collection<WorkerState<P>> all() {
    return workers.values();
  }

  public int size() {
    return workers.size();
  }

  /** Whether any worker that is not draining can run {@code compiler}. */
  public boolean anyCapable(CompilerIdentity compiler) {
    return anyCapable(compiler, Set.of());
  }

  /**
   * Whether any worker outside {@code excluded}, not draining or quarantined, can run {@code
   * compiler}.
   */
  public boolean anyCapable(CompilerIdentity compiler, Collection<String> excluded) {
    return anyCapable(new TaskRequest(compiler, Set.copyOf(excluded)));
  }

  /**
   * Whether any worker outside the request's excluded ones, not draining or quarantined, can run it
   * (its compiler installed, or its shipped toolchain accepted on the right architecture).
   */
  public boolean anyCapable(TaskRequest request) {
    for (WorkerState<P> w : workers.values()) {
      if (!w.draining()
          && !w.quarantined()
          && !request.excluded().contains(w.id())
          && request.capable(w.snapshot())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every worker's scheduler view, in registration order: a live, read-only list (valid under the
   * owner's lock) whose elements are each worker's cached snapshot, so a decision allocates only
   * for workers that changed since the last one.
   */
  public List<WorkerSnapshot> snapshots() {
    return snapshots;
  }
}
