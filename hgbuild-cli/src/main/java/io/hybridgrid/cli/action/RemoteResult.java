package io.hybridgrid.cli.action;

import java.util.List;

/**
 * What the grid answered to a {@link RemoteAction}: the command's exit code and output, and the
 * files it wrote, with their bytes already fetched.
 *
 * @param exitCode the compiler's exit status
 * @param stdout what it printed
 * @param stderr what it printed on standard error
 * @param workerId which worker ran it ("cache" for the coordinator's action cache)
 * @param outputs the files it wrote, each at one of the action's output paths
 */
public record RemoteResult(
    int exitCode, byte[] stdout, byte[] stderr, String workerId, List<Output> outputs) {

  public RemoteResult {
    outputs = List.copyOf(outputs);
  }

  /** A file the command wrote, with the digest the worker reported for it. */
  public record Output(String path, Digest digest, boolean executable, byte[] content) {}
}
