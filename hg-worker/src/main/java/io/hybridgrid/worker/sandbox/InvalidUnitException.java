package io.hybridgrid.worker.sandbox;

/** A task whose preprocessed text or paths cannot be laid out safely; the task is refused. */
public final class InvalidUnitException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidUnitException(String message) {
    super(message);
  }
}
