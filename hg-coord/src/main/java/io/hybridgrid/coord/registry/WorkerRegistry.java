package io.hybridgrid.coord.registry;

import io.hybridgrid.common.compiler.CompilerIdentity;
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

  /** Adds a worker; a worker reconnecting under the same id replaces its old entry. */
  public Optional<WorkerState<P>> put(WorkerState<P> state) {
    return Optional.ofNullable(workers.put(state.id(), state));
  }

  public Optional<WorkerState<P>> remove(String id) {
    return Optional.ofNullable(workers.remove(id));
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

  /** Whether any worker outside {@code excluded} that is not draining can run {@code compiler}. */
  public boolean anyCapable(CompilerIdentity compiler, Collection<String> excluded) {
    for (WorkerState<P> w : workers.values()) {
      if (!w.draining()
          && !excluded.contains(w.id())
          && w.descriptor().compilers().contains(compiler)) {
        return true;
      }
    }
    return false;
  }

  /** Workers that can run {@code compiler}, are not draining and have a free slot. */
  public List<WorkerState<P>> available(CompilerIdentity compiler, Collection<String> excluded) {
    List<WorkerState<P>> out = new ArrayList<>();
    for (WorkerState<P> w : workers.values()) {
      if (!w.draining()
          && w.freeSlots() > 0
          && !excluded.contains(w.id())
          && w.descriptor().compilers().contains(compiler)) {
        out.add(w);
      }
    }
    return out;
  }
}
