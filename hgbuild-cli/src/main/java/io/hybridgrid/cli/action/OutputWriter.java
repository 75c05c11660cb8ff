package io.hybridgrid.cli.action;

import io.hybridgrid.common.fs.AtomicFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Puts a remote compile's output files where the compiler would have written them: each is checked
 * against its digest and against the action's declared output paths first (a worker or coordinator
 * cannot make the client write anywhere else), then written next to its target and renamed over it,
 * so a reader (make, the linker) sees the old file or the new one, never half of one.
 */
public final class OutputWriter {

  /** An answer whose outputs the client must not trust; the caller compiles locally. */
  public static final class BadOutputException extends Exception {
    private static final long serialVersionUID = 1L;

    BadOutputException(String message) {
      super(message);
    }
  }

  private OutputWriter() {}

  /**
   * Checks every output, then writes them all.
   *
   * @throws BadOutputException when an output is not one of the action's paths, appears twice, or
   *     does not match its digest; nothing has been written then
   * @throws IOException when a file cannot be written (the ones before it are in place)
   */
  public static void write(RemoteAction action, List<RemoteResult.Output> outputs)
      throws BadOutputException, IOException {
    verify(action, outputs);
    for (RemoteResult.Output o : outputs) {
      writeAtomically(Path.of(o.path()), o.content(), o.executable());
    }
  }

  /** The checks of {@link #write}, without writing. */
  public static void verify(RemoteAction action, List<RemoteResult.Output> outputs)
      throws BadOutputException {
    Set<String> declared = new HashSet<>(action.outputPaths());
    Set<String> seen = new HashSet<>();
    for (RemoteResult.Output o : outputs) {
      if (!declared.contains(o.path())) {
        throw new BadOutputException(
            "the grid returned '" + o.path() + "', which is not an output of this compile");
      }
      if (!seen.add(o.path())) {
        throw new BadOutputException("the grid returned '" + o.path() + "' twice");
      }
      Digest actual = Digest.of(o.content());
      if (!actual.equals(o.digest())) {
        throw new BadOutputException(
            "output "
                + o.path()
                + " does not match its digest (expected "
                + o.digest()
                + ", received "
                + actual
                + ")");
      }
    }
  }

  private static InterruptedIOException cancelled(Path target) {
    return new InterruptedIOException("compile cancelled; " + target + " left as it was");
  }

  /** Writes {@code content} next to {@code target} and renames it over {@code target}. */
  public static void writeAtomically(Path target, byte[] content, boolean executable)
      throws IOException {
    try {
      AtomicFiles.write(target, content, executable);
    } catch (ClosedByInterruptException e) {
      // The build that asked was stopped (the daemon interrupts a request whose launcher went
      // away): an output appearing after that could make a later make skip a stale file.
      throw cancelled(target);
    }
  }
}
