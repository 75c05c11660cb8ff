package io.hybridgrid.cli.daemon;

import java.io.IOException;

/** A launcher or daemon broke the wire format; the message says how, for the user. */
public final class ProtocolException extends IOException {
  private static final long serialVersionUID = 1L;

  public ProtocolException(String message) {
    super(message);
  }
}
