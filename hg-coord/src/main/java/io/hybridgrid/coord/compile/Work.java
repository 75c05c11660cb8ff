package io.hybridgrid.coord.compile;

import io.hybridgrid.common.compiler.ArgumentClassifier;
import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.cache.CacheKey;
import java.util.List;
import java.util.Objects;

/**
 * What the dispatcher carries to a worker: an action to replay (the one kind of work there is; the
 * sealed interface keeps the dispatcher's payload type apart from the action itself).
 */
public sealed interface Work {
  /** A short label for feeds and logs: the source file the command compiles. */
  static String describe(Work w) {
    return label(((Run) w).action());
  }

  /** The source file {@code action} compiles, else its command line. */
  public static String label(ActionSpec action) {
    List<String> argv = action.argv();
    String source =
        argv.size() > 1 ? ArgumentClassifier.classify(argv.subList(1, argv.size())).source() : null;
    return source != null ? source : String.join(" ", argv);
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
