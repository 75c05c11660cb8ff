package io.hybridgrid.worker.cas;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.GrpcLimits;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * {@link CasClient} over the coordinator's {@code ContentStore} service, on the channel the worker
 * already holds to the coordinator. Every call has a deadline.
 */
public final class GrpcCasClient implements CasClient {
  /** Chunk size of streamed uploads. */
  static final int CHUNK = 1024 * 1024;

  private final Channel channel;
  private final Duration deadline;

  /**
   * @param channel the channel to the coordinator (not closed here)
   * @param deadline the longest one call may take
   */
  public GrpcCasClient(Channel channel, Duration deadline) {
    this.channel = channel;
    this.deadline = deadline;
  }

  private ContentStoreGrpc.ContentStoreBlockingStub blocking() {
    return ContentStoreGrpc.newBlockingStub(channel)
        .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
        .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  static Digest toWire(BlobDigest d) {
    return Digest.newBuilder().setHash(d.hash()).setSizeBytes(d.size()).build();
  }

  static BlobDigest fromWire(Digest d) {
    return new BlobDigest(d.getHash(), d.getSizeBytes());
  }

  @Override
  public void readBatch(List<BlobDigest> digests, BiConsumer<BlobDigest, byte[]> sink)
      throws IOException {
    BatchReadBlobsRequest.Builder req = BatchReadBlobsRequest.newBuilder();
    digests.forEach(d -> req.addDigests(toWire(d)));
    BatchReadBlobsResponse resp;
    try {
      resp = blocking().batchReadBlobs(req.build());
    } catch (StatusRuntimeException e) {
      throw new IOException("BatchReadBlobs from the coordinator failed: " + e.getStatus(), e);
    }
    List<BlobDigest> missing = new ArrayList<>();
    java.util.Set<BlobDigest> wanted = new java.util.HashSet<>(digests);
    java.util.Set<BlobDigest> got = new java.util.HashSet<>();
    for (BlobData b : resp.getBlobsList()) {
      BlobDigest d = fromWire(b.getDigest());
      if (wanted.contains(d) && got.add(d)) {
        sink.accept(d, b.getData().toByteArray());
      }
    }
    for (BlobStatus s : resp.getStatusesList()) {
      if (s.getCode() == Status.Code.NOT_FOUND.value()) {
        missing.add(fromWire(s.getDigest()));
      } else if (s.getCode() != 0) {
        throw new IOException(
            "coordinator could not read blob "
                + fromWire(s.getDigest())
                + ": code "
                + s.getCode()
                + " "
                + s.getMessage());
      }
    }
    for (BlobDigest d : digests) {
      if (!got.contains(d) && !missing.contains(d)) {
        missing.add(d);
      }
    }
    if (!missing.isEmpty()) {
      throw new BlobNotFoundException(missing);
    }
  }

  @Override
  public void read(BlobDigest digest, OutputStream out) throws IOException {
    try {
      Iterator<ReadBlobChunk> chunks =
          blocking().readBlob(ReadBlobRequest.newBuilder().setDigest(toWire(digest)).build());
      while (chunks.hasNext()) {
        chunks.next().getData().writeTo(out);
      }
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new BlobNotFoundException(List.of(digest));
      }
      throw new IOException("ReadBlob " + digest + " failed: " + e.getStatus(), e);
    }
  }

  @Override
  public void write(BlobDigest digest, Path file) throws IOException {
    CompletableFuture<WriteBlobResponse> done = new CompletableFuture<>();
    StreamObserver<WriteBlobChunk> up =
        ContentStoreGrpc.newStub(channel)
            .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
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
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[CHUNK];
      boolean first = true;
      int n;
      while ((n = in.readNBytes(buf, 0, buf.length)) > 0 || first) {
        WriteBlobChunk.Builder c =
            WriteBlobChunk.newBuilder().setData(ByteString.copyFrom(buf, 0, n));
        if (first) {
          c.setDigest(toWire(digest));
          first = false;
        }
        up.onNext(c.build());
        if (done.isDone()) {
          break; // refused early
        }
      }
      up.onCompleted();
    } catch (IOException | RuntimeException e) {
      up.onError(e);
      throw e;
    }
    try {
      WriteBlobResponse r = done.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      if (r.getCommittedSize() != digest.size()) {
        throw new IOException(
            "coordinator committed " + r.getCommittedSize() + " bytes of " + digest);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading " + digest);
    } catch (ExecutionException e) {
      throw new IOException(
          "WriteBlob " + digest + " failed: " + Status.fromThrowable(e.getCause()), e);
    } catch (TimeoutException e) {
      throw new IOException("WriteBlob " + digest + " timed out", e);
    }
  }
}
