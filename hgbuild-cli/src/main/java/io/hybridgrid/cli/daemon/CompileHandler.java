package io.hybridgrid.cli.daemon;

import java.io.PrintStream;

/** Serves one compile request for the daemon (the grid in production, a fake in tests). */
public interface CompileHandler {
  /**
   * Compiles as {@code hgbuild <argv>} would have in the launcher's directory and environment.
   *
   * @param out the launcher's stdout
   * @param err the launcher's stderr
   * @return the exit code the launcher exits with
   * @throws Exception when the daemon cannot serve it: the launcher then compiles locally
   */
  int compile(LauncherRequest request, PrintStream out, PrintStream err) throws Exception;
}
