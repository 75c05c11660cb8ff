package io.hybridgrid.cli.compile;

/** The grid could not compile a unit; the message says why, for the user. */
public final class GridUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public GridUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
