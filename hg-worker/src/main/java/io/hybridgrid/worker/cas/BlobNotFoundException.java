package io.hybridgrid.worker.cas;

import java.io.IOException;
import java.util.List;

/** The coordinator's store does not hold these blobs. */
public final class BlobNotFoundException extends IOException {
  private static final long serialVersionUID = 1L;

  private final List<BlobDigest> missing;

  public BlobNotFoundException(List<BlobDigest> missing) {
    super("the coordinator's content store lacks " + missing.size() + " blob(s): " + missing);
    this.missing = List.copyOf(missing);
  }

  public List<BlobDigest> missing() {
    return missing;
  }
}
