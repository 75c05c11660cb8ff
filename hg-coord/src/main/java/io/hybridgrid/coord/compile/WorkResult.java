package io.hybridgrid.coord.compile;

import io.hybridgrid.coord.action.ActionOutcome;
import java.util.Objects;

/** What a worker answered for a {@link Work}. */
public sealed interface WorkResult {
  /** The compiler's exit code (non-zero is a compile error, returned as is). */
  int exitCode();

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
