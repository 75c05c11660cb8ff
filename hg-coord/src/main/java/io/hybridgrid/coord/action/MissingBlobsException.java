package io.hybridgrid.coord.action;

import io.hybridgrid.coord.cas.Digest;
import java.util.List;

/**
 * An action names blobs the content store lacks: the client uploads them and asks again
 * (FAILED_PRECONDITION with a MissingBlobs detail on the wire).
 */
public final class MissingBlobsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<Digest> missing;

  /**
   * @param missing every digest the store lacks
   * @param message what to tell the client (names a path or two)
   */
  public MissingBlobsException(List<Digest> missing, String message) {
    super(message);
    this.missing = List.copyOf(missing);
  }

  public List<Digest> missing() {
    return missing;
  }
}
