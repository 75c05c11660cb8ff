package io.hybridgrid.worker.cas;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The coordinator's content store as the worker uses it: read what the local store lacks, upload
 * outputs too large to travel inline. {@link GrpcCasClient} is the real one; tests use a fake.
 */
public interface CasClient {

  /**
   * Reads small blobs in one call (at most {@link CasFetcher#BATCH_BYTES} in all) and hands each to
   * {@code sink} as it arrives. The bytes are not verified here; the local store verifies them.
   *
   * @throws BlobNotFoundException naming every requested blob the store lacks
   */
  void readBatch(List<BlobDigest> digests, BiConsumer<BlobDigest, byte[]> sink) throws IOException;

  /**
   * Streams one blob into {@code out}.
   *
   * @throws BlobNotFoundException when the store lacks it
   */
  void read(BlobDigest digest, OutputStream out) throws IOException;

  /** Uploads {@code file}, whose digest is {@code digest}, in chunks. */
  void write(BlobDigest digest, Path file) throws IOException;
}
