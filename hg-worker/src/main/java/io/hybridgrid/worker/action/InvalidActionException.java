package io.hybridgrid.worker.action;

import java.io.IOException;

/** The action itself is malformed or refused; it would fail on any worker. */
public final class InvalidActionException extends IOException {
  private static final long serialVersionUID = 1L;

  public InvalidActionException(String message) {
    super(message);
  }
}
