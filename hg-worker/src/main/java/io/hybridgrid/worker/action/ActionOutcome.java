package io.hybridgrid.worker.action;

import io.hybridgrid.worker.cas.BlobDigest;
import java.util.List;

/**
 * What running an action gave.
 *
 * @param exitCode the command's exit status
 * @param outputs the declared outputs that exist after the run, in the order declared
 * @param stdout the command's standard output
 * @param stderr the command's standard error
 * @param micros wall time of the command
 */
public record ActionOutcome(
    int exitCode, List<Output> outputs, byte[] stdout, byte[] stderr, long micros) {

  public ActionOutcome {
    outputs = List.copyOf(outputs);
  }

  /**
   * A file the command wrote at a declared output path.
   *
   * @param path the declared absolute path
   * @param digest its content
   * @param executable whether its mode had an execute bit
   * @param contents the bytes when small enough to travel inline; null when uploaded to the
   *     coordinator's store instead
   */
  public record Output(String path, BlobDigest digest, boolean executable, byte[] contents) {}
}
