package io.hybridgrid.coord.compile;

import io.hybridgrid.common.compiler.ArgumentClassifier;
import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.cache.CacheKey;
import io.hybridgrid.proto.v1.CompileTask;
import java.util.List;
import java.util.Objects;

/** What the dispatcher carries to a worker: an action, or (until that path is removed) a unit. */
public sealed interface Work {
  /** A short label for feeds and logs: the source file the command compiles. */
  static String describe(Work w) {
    if (w instanceof Run r) {
      return label(r.action());
    }
    return ((CompileTask) ((Unit) w).task()).getSourcePath();
  }

  /** The source file {@code action} compiles, else its command line. */
  public static String label(ActionSpec action) {
    List<String> argv = action.argv();
    String source =
        argv.size() > 1 ? ArgumentClassifier.classify(argv.subList(1, argv.size())).source() : null;
    return source != null ? source : String.join(" ", argv);
  }

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
