package io.hybridgrid.coord.cas;

/**
 * A blob was refused: its bytes do not match its digest, or it is larger than the store takes. It
 * is an {@link IllegalArgumentException} because it is the sender's fault (INVALID_ARGUMENT).
 */
public final class InvalidBlobException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidBlobException(String message) {
    super(message);
  }
}
