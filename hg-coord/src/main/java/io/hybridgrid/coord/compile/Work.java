package io.hybridgrid.coord.compile;

import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.cache.CacheKey;
import java.util.Objects;

/** What the dispatcher carries to a worker: an action, or (until that path is removed) a unit. */
public sealed interface Work {
  /**
   * A preprocessed compile unit (the reconstruction path, being removed): the wire message, opaque
   * to everything but the gRPC layer that built it and the one that sends it.
   *
   * @param task the unit as received
   */
  record Unit(Object task) implements Work {
    public Unit {
      Objects.requireNonNull(task, "task");
    }
  }

  /**
   * An action to replay on a worker.
   *
   * @param action the validated action
   * @param digest the coordinator's digest of it
   */
  record Run(ActionSpec action, CacheKey digest) implements Work {
    public Run {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(digest, "digest");
    }
  }
}
