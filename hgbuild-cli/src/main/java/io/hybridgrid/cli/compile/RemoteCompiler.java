package io.hybridgrid.cli.compile;

import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;

/** Sends one compile to the grid. */
public interface RemoteCompiler {
  /**
   * Compiles remotely.
   *
   * @throws GridUnavailableException when the grid cannot serve this compile (connection refused,
   *     no capable worker, deadline, refusal): the caller compiles locally or fails
   */
  CompileResponse compile(CompileRequest request) throws GridUnavailableException;
}
