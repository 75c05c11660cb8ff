package io.hybridgrid.cli.daemon;

import java.io.IOException;
import java.nio.file.Path;

/** Another daemon already serves the socket. */
public final class DaemonAlreadyRunningException extends IOException {
  private static final long serialVersionUID = 1L;

  DaemonAlreadyRunningException(Path socket, String pid) {
    super(
        "a daemon already runs on "
            + socket
            + (pid.isEmpty() ? "" : " (pid " + pid + ")")
            + "; `hgbuild daemon --stop` stops it");
  }
}
