package io.hybridgrid.cli.compile;

import io.hybridgrid.cli.action.MissingInputException;
import io.hybridgrid.cli.action.RemoteAction;
import io.hybridgrid.cli.action.RemoteResult;

/** Runs one action on the grid: uploads the inputs it lacks, runs it, fetches the outputs. */
public interface RemoteCompiler {
  /**
   * Runs {@code action} remotely.
   *
   * @param clientId a free-form client name for the coordinator's logs and dashboard
   * @param batch whether this is a batch (low-priority) compile
   * @throws GridUnavailableException when the grid cannot serve this compile (connection refused,
   *     no capable worker, deadline, refusal): the caller compiles locally or fails
   * @throws MissingInputException when an input vanished or changed before it was uploaded: the
   *     caller compiles locally
   * @throws InterruptedException when the calling thread was interrupted (the daemon's launcher
   *     hung up): the call is cancelled, and the caller must neither fall back nor write outputs
   */
  RemoteResult execute(RemoteAction action, String clientId, boolean batch)
      throws GridUnavailableException, MissingInputException, InterruptedException;
}
