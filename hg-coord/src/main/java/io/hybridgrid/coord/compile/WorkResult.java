package io.hybridgrid.coord.compile;

import io.hybridgrid.coord.action.ActionOutcome;
import io.hybridgrid.coord.cache.CachedResult;
import java.util.Objects;
import java.util.function.Supplier;

/** What a worker answered for a {@link Work}. */
public sealed interface WorkResult {
  /** The compiler's exit code (non-zero is a compile error, returned as is). */
  int exitCode();

  /**
   * A compile unit's result (the reconstruction path, being removed).
   *
   * @param result the wire message, opaque here
   * @param exitCode its exit code
   * @param forCache what the shared cache keeps of it (built only when it is stored)
   */
  record UnitDone(Object result, int exitCode, Supplier<CachedResult> forCache)
      implements WorkResult {
    public UnitDone {
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(forCache, "forCache");
    }
  }

  /**
   * An action's outcome; every output is in the CAS by the time the dispatcher sees it.
   *
   * @param outcome what the command produced
   */
  record ActionDone(ActionOutcome outcome) implements WorkResult {
    public ActionDone {
      Objects.requireNonNull(outcome, "outcome");
    }

    @Override
    public int exitCode() {
      return outcome.exitCode();
    }
  }
}
