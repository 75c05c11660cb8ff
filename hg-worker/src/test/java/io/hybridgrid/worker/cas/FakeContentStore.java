package io.hybridgrid.worker.cas;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.proto.v1.BatchReadBlobsRequest;
import io.hybridgrid.proto.v1.BatchReadBlobsResponse;
import io.hybridgrid.proto.v1.BlobData;
import io.hybridgrid.proto.v1.BlobStatus;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.Digest;
import io.hybridgrid.proto.v1.ReadBlobChunk;
import io.hybridgrid.proto.v1.ReadBlobRequest;
import io.hybridgrid.proto.v1.WriteBlobChunk;
import io.hybridgrid.proto.v1.WriteBlobResponse;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The coordinator's ContentStore as the worker's tests need it (the real one is hg-coord's): an
 * in-memory map; WriteBlob verifies the digest as the real one must.
 */
public final class FakeContentStore extends ContentStoreGrpc.ContentStoreImplBase {
  public final Map<BlobDigest, byte[]> blobs = new ConcurrentHashMap<>();
  public final AtomicInteger batchReads = new AtomicInteger();
  public final AtomicInteger streamReads = new AtomicInteger();
  public final AtomicInteger writes = new AtomicInteger();

  public BlobDigest add(byte[] data) {
    BlobDigest d = BlobDigest.of(data);
    blobs.put(d, data);
    return d;
  }

  private static BlobDigest of(Digest d) {
    return new BlobDigest(d.getHash(), d.getSizeBytes());
  }

  @Override
  public void batchReadBlobs(
      BatchReadBlobsRequest req, StreamObserver<BatchReadBlobsResponse> out) {
    batchReads.incrementAndGet();
    BatchReadBlobsResponse.Builder r = BatchReadBlobsResponse.newBuilder();
    for (Digest d : req.getDigestsList()) {
      byte[] b = blobs.get(of(d));
      if (b == null) {
        r.addStatuses(
            BlobStatus.newBuilder()
                .setDigest(d)
                .setCode(Status.Code.NOT_FOUND.value())
                .setMessage("not found"));
      } else {
        r.addStatuses(BlobStatus.newBuilder().setDigest(d));
        r.addBlobs(BlobData.newBuilder().setDigest(d).setData(ByteString.copyFrom(b)));
      }
    }
    out.onNext(r.build());
    out.onCompleted();
  }

  @Override
  public void readBlob(ReadBlobRequest req, StreamObserver<ReadBlobChunk> out) {
    streamReads.incrementAndGet();
    byte[] b = blobs.get(of(req.getDigest()));
    if (b == null) {
      out.onError(Status.NOT_FOUND.withDescription("no such blob").asRuntimeException());
      return;
    }
    for (int off = 0; off < b.length; off += 256 * 1024) {
      out.onNext(
          ReadBlobChunk.newBuilder()
              .setData(ByteString.copyFrom(b, off, Math.min(256 * 1024, b.length - off)))
              .build());
    }
    out.onCompleted();
  }

  @Override
  public StreamObserver<WriteBlobChunk> writeBlob(StreamObserver<WriteBlobResponse> out) {
    writes.incrementAndGet();
    return new StreamObserver<>() {
      Digest digest;
      final ByteArrayOutputStream data = new ByteArrayOutputStream();

      @Override
      public void onNext(WriteBlobChunk c) {
        if (digest == null) {
          digest = c.getDigest();
        }
        data.writeBytes(c.getData().toByteArray());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        byte[] b = data.toByteArray();
        if (!BlobDigest.of(b).equals(of(digest))) {
          out.onError(
              Status.INVALID_ARGUMENT.withDescription("digest mismatch").asRuntimeException());
          return;
        }
        blobs.put(of(digest), b);
        out.onNext(WriteBlobResponse.newBuilder().setCommittedSize(b.length).build());
        out.onCompleted();
      }
    };
  }
}
