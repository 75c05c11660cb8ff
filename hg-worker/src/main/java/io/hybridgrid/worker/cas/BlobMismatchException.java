package io.hybridgrid.worker.cas;

import java.io.IOException;

/** Bytes offered for a digest hash to something else; they were not stored. */
public final class BlobMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  public BlobMismatchException(String message) {
    super(message);
  }
}
