package io.hybridgrid.cli.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.cli.action.Digest;
import io.hybridgrid.cli.action.MissingInputException;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.proto.v1.BatchReadBlobsRequest;
import io.hybridgrid.proto.v1.BatchReadBlobsResponse;
import io.hybridgrid.proto.v1.BatchUpdateBlobsRequest;
import io.hybridgrid.proto.v1.BatchUpdateBlobsResponse;
import io.hybridgrid.proto.v1.BlobData;
import io.hybridgrid.proto.v1.BlobStatus;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.FindMissingBlobsRequest;
import io.hybridgrid.proto.v1.FindMissingBlobsResponse;
import io.hybridgrid.proto.v1.ReadBlobChunk;
import io.hybridgrid.proto.v1.ReadBlobRequest;
import io.hybridgrid.proto.v1.WriteBlobChunk;
import io.hybridgrid.proto.v1.WriteBlobResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The client's side of the coordinator's content-addressed store: which blobs it lacks, uploads
 * (batched when small, streamed when large) and downloads. Every blob read from disk for an upload
 * is checked against the digest the action names, so a file that changed after it was scanned is
 * never sent under the wrong name. All calls share the caller's deadline.
 */
final class CasClient {
  /** Blobs up to this size go in batches; larger ones are streamed. */
  static final int BATCH_BLOB_LIMIT = 1024 * 1024;

  /** Bytes of blob data per batch call (the store accepts at most 4 MiB per call). */
  static final int BATCH_BYTES = 3 * 1024 * 1024;

  /** Bytes per message of a streamed blob. */
  static final int CHUNK_BYTES = 1024 * 1024;

  /** Digests per FindMissingBlobs call. */
  private static final int FIND_BATCH = 10_000;

  private final Channel channel;
  private final Deadline deadline;

  CasClient(Channel channel, Deadline deadline) {
    this.channel = channel;
    this.deadline = deadline;
  }

  private ContentStoreGrpc.ContentStoreBlockingStub blocking() {
    return ContentStoreGrpc.newBlockingStub(channel)
        .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
        .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
        .withDeadline(deadline);
  }

  /** The subset of {@code digests} the store lacks. */
  Set<Digest> findMissing(Collection<Digest> digests) {
    Set<Digest> missing = new LinkedHashSet<>();
    List<Digest> all = new ArrayList<>(digests);
    for (int from = 0; from < all.size(); from += FIND_BATCH) {
      FindMissingBlobsRequest.Builder req = FindMissingBlobsRequest.newBuilder();
      for (Digest d : all.subList(from, Math.min(all.size(), from + FIND_BATCH))) {
        req.addDigests(GrpcRemoteCompiler.toWire(d));
      }
      FindMissingBlobsResponse resp = blocking().findMissingBlobs(req.build());
      for (io.hybridgrid.proto.v1.Digest d : resp.getMissingList()) {
        missing.add(GrpcRemoteCompiler.fromWire(d));
      }
    }
    return missing;
  }

  /**
   * Uploads {@code blobs} (digest to a file holding it): small ones in batches, large ones
   * streamed.
   *
   * @throws MissingInputException when a file no longer holds its digest or cannot be read
   * @throws StoreRefusedException when the store refused a blob
   */
  void upload(Map<Digest, Path> blobs)
      throws MissingInputException, StoreRefusedException, InterruptedException {
    BatchUpdateBlobsRequest.Builder batch = BatchUpdateBlobsRequest.newBuilder();
    long batchBytes = 0;
    for (Map.Entry<Digest, Path> e : blobs.entrySet()) {
      Digest d = e.getKey();
      if (d.sizeBytes() > BATCH_BLOB_LIMIT) {
        writeStreamed(d, e.getValue());
        continue;
      }
      if (batchBytes + d.sizeBytes() > BATCH_BYTES && batch.getBlobsCount() > 0) {
        sendBatch(batch.build(), blobs);
        batch = BatchUpdateBlobsRequest.newBuilder();
        batchBytes = 0;
      }
      // Not hashed again here: the store checks every blob against its digest, and a refusal is
      // traced to the file below. Hashing every upload twice cost the client its toolchain's
      // 80 MB once more on a new coordinator.
      byte[] bytes = readSized(d, e.getValue());
      batch.addBlobs(
          BlobData.newBuilder()
              .setDigest(GrpcRemoteCompiler.toWire(d))
              .setData(UnsafeByteOperations.unsafeWrap(bytes)));
      batchBytes += bytes.length;
    }
    if (batch.getBlobsCount() > 0) {
      sendBatch(batch.build(), blobs);
    }
  }

  private void sendBatch(BatchUpdateBlobsRequest req, Map<Digest, Path> files)
      throws StoreRefusedException, MissingInputException {
    BatchUpdateBlobsResponse resp = blocking().batchUpdateBlobs(req);
    for (BlobStatus s : resp.getStatusesList()) {
      if (s.getCode() != 0) {
        Digest d = GrpcRemoteCompiler.fromWire(s.getDigest());
        if (s.getCode() == Status.Code.INVALID_ARGUMENT.value() && files.containsKey(d)) {
          readVerified(d, files.get(d)); // names the file when it changed since it was digested
        }
        throw new StoreRefusedException(
            "the store refused blob "
                + GrpcRemoteCompiler.fromWire(s.getDigest())
                + " (code "
                + s.getCode()
                + ": "
                + s.getMessage()
                + ")");
      }
    }
  }

  private void writeStreamed(Digest d, Path file)
      throws MissingInputException, StoreRefusedException, InterruptedException {
    CompletableFuture<WriteBlobResponse> done = new CompletableFuture<>();
    StreamObserver<WriteBlobChunk> out =
        ContentStoreGrpc.newStub(channel)
            .withDeadline(deadline)
            .writeBlob(
                new StreamObserver<>() {
                  @Override
                  public void onNext(WriteBlobResponse value) {
                    done.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(WriteBlobResponse.getDefaultInstance());
                  }
                });
    long size = 0;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[CHUNK_BYTES];
      boolean first = true;
      int n;
      while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
        size += n;
        WriteBlobChunk.Builder chunk =
            WriteBlobChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n));
        if (first) {
          chunk.setDigest(GrpcRemoteCompiler.toWire(d));
          first = false;
        }
        out.onNext(chunk.build());
      }
    } catch (IOException e) {
      out.onError(e);
      throw new MissingInputException(file.toString(), "cannot be read: " + e.getMessage());
    }
    if (size != d.sizeBytes()) {
      out.onError(new IllegalStateException("input changed"));
      throw new MissingInputException(file.toString(), "changed after the dependency scan");
    }
    out.onCompleted();
    try {
      WriteBlobResponse r = done.get();
      if (r.getCommittedSize() != d.sizeBytes()) {
        throw new StoreRefusedException(
            "the store committed " + r.getCommittedSize() + " bytes of blob " + d);
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        if (s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
          verifyStreamed(d, file); // names the file when it changed since it was digested
        }
        throw s;
      }
      throw new StoreRefusedException("upload of blob " + d + " failed: " + e.getCause());
    }
  }

  /** The bytes of {@code file}, which must be as long as {@code d} says (not hashed). */
  static byte[] readSized(Digest d, Path file) throws MissingInputException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new MissingInputException(file.toString(), "cannot be read: " + e.getMessage());
    }
    if (bytes.length != d.sizeBytes()) {
      throw new MissingInputException(file.toString(), "changed after the dependency scan");
    }
    return bytes;
  }

  /** Hashes {@code file} as it is now; throws when it no longer holds {@code d}. */
  private static void verifyStreamed(Digest d, Path file) throws MissingInputException {
    Digest now;
    try {
      now = Digest.ofFile(file);
    } catch (IOException e) {
      throw new MissingInputException(file.toString(), "cannot be read: " + e.getMessage());
    }
    if (!now.equals(d)) {
      throw new MissingInputException(file.toString(), "changed after the dependency scan");
    }
  }

  /** The bytes of {@code file}, which must hold exactly {@code d}. */
  static byte[] readVerified(Digest d, Path file) throws MissingInputException {
    byte[] bytes = readSized(d, file);
    if (!Digest.of(bytes).equals(d)) {
      throw new MissingInputException(file.toString(), "changed after the dependency scan");
    }
    return bytes;
  }

  /**
   * Downloads {@code digests}: small ones in batches, large ones streamed.
   *
   * @throws StoreRefusedException when the store lacks one
   */
  Map<Digest, byte[]> read(Collection<Digest> digests) throws StoreRefusedException {
    Map<Digest, byte[]> out = new HashMap<>();
    List<Digest> small = new ArrayList<>();
    for (Digest d : new LinkedHashSet<>(digests)) {
      if (d.sizeBytes() > BATCH_BLOB_LIMIT) {
        out.put(d, readStreamed(d));
      } else {
        small.add(d);
      }
    }
    int from = 0;
    while (from < small.size()) {
      BatchReadBlobsRequest.Builder req = BatchReadBlobsRequest.newBuilder();
      long bytes = 0;
      while (from < small.size()
          && (req.getDigestsCount() == 0 || bytes + small.get(from).sizeBytes() <= BATCH_BYTES)) {
        bytes += small.get(from).sizeBytes();
        req.addDigests(GrpcRemoteCompiler.toWire(small.get(from++)));
      }
      BatchReadBlobsResponse resp = blocking().batchReadBlobs(req.build());
      for (BlobStatus s : resp.getStatusesList()) {
        if (s.getCode() != 0) {
          throw new StoreRefusedException(
              "the store cannot give output blob "
                  + GrpcRemoteCompiler.fromWire(s.getDigest())
                  + ": "
                  + s.getMessage());
        }
      }
      for (BlobData b : resp.getBlobsList()) {
        out.put(GrpcRemoteCompiler.fromWire(b.getDigest()), b.getData().toByteArray());
      }
    }
    for (Digest d : digests) {
      if (!out.containsKey(d)) {
        throw new StoreRefusedException("the store did not return output blob " + d);
      }
    }
    return out;
  }

  private byte[] readStreamed(Digest d) throws StoreRefusedException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.min(d.sizeBytes(), 1 << 26));
    java.util.Iterator<ReadBlobChunk> it =
        blocking()
            .readBlob(ReadBlobRequest.newBuilder().setDigest(GrpcRemoteCompiler.toWire(d)).build());
    while (it.hasNext()) {
      ReadBlobChunk c = it.next();
      if (buf.size() + (long) c.getData().size() > d.sizeBytes()) {
        throw new StoreRefusedException("output blob " + d + " is longer than its digest says");
      }
      try {
        c.getData().writeTo(buf);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e); // a ByteArrayOutputStream does not fail
      }
    }
    return buf.toByteArray();
  }

  /** The store refused or lost a blob: the grid cannot serve this compile. */
  static final class StoreRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    StoreRefusedException(String message) {
      super(message);
    }
  }
}
