package io.hybridgrid.coord;

import java.io.IOException;

/** A listening port is taken by another process: {@code main} names the port and the flag. */
public final class PortInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Which of the coordinator's two ports. */
  public enum Which {
    GRPC,
    HTTP
  }

  private final Which which;

  public PortInUseException(Which which, Throwable cause) {
    super(which + " port already in use", cause);
    this.which = which;
  }

  public Which which() {
    return which;
  }

  /** Whether {@code e} (or its causes) says the address is in use. */
  static boolean isAddressInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }
}
