package io.hybridgrid.coord.action;

import io.hybridgrid.coord.cas.Digest;
import java.util.List;
import java.util.Objects;

/**
 * What running an action produced.
 *
 * @param exitCode the command's exit code
 * @param outputs the files it wrote at declared output paths
 * @param stdout its standard output
 * @param stderr its diagnostics
 * @param workerId the worker that ran it ("cache" for a cache hit)
 * @param compileMicros wall time of the command on the worker
 */
public record ActionOutcome(
    int exitCode,
    List<OutputFile> outputs,
    byte[] stdout,
    byte[] stderr,
    String workerId,
    long compileMicros) {
  public ActionOutcome {
    outputs = List.copyOf(outputs);
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
    Objects.requireNonNull(workerId, "workerId");
  }

  /**
   * One output file.
   *
   * @param path the absolute output path
   * @param digest its content (always in the CAS once the coordinator accepted the result)
   * @param executable whether it has the executable bit
   * @param contents its bytes when carried inline, else null
   */
  public record OutputFile(String path, Digest digest, boolean executable, byte[] contents) {
    public OutputFile {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(digest, "digest");
    }

    /** The same file without its inline bytes. */
    public OutputFile byDigest() {
      return contents == null ? this : new OutputFile(path, digest, executable, null);
    }

    /** The same file carrying {@code data} inline. */
    public OutputFile inline(byte[] data) {
      return new OutputFile(path, digest, executable, data);
    }
  }

  /** The same outcome, answered by {@code worker}, with outputs as given. */
  public ActionOutcome with(String worker, List<OutputFile> newOutputs) {
    return new ActionOutcome(exitCode, newOutputs, stdout, stderr, worker, compileMicros);
  }
}
