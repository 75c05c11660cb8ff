package io.hybridgrid.coord.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.coord.cas.ContentStore;
import io.hybridgrid.coord.cas.Digest;
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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ContentStore RPCs over a {@link ContentStore}: bounds every call, maps digests, and streams
 * large blobs in both directions with bounded memory (a write is hashed into a temporary file as
 * chunks arrive; a read sends the next chunk only when the transport is ready for it).
 */
public final class ContentStoreGrpcService extends ContentStoreGrpc.ContentStoreImplBase {
  /** Blob bytes one BatchUpdateBlobs or BatchReadBlobs call may carry: 4 MiB. */
  public static final long BATCH_BYTES = 4L << 20;

  /** Digests one call may name. */
  public static final int MAX_DIGESTS = 100_000;

  /** Bytes per ReadBlob message. */
  static final int READ_CHUNK = 128 * 1024;

  private final ContentStore store;

  public ContentStoreGrpcService(ContentStore store) {
    this.store = store;
  }

  @Override
  public void findMissingBlobs(
      FindMissingBlobsRequest request, StreamObserver<FindMissingBlobsResponse> out) {
    try {
      checkCount(request.getDigestsCount());
      List<Digest> asked = new ArrayList<>(request.getDigestsCount());
      for (var d : request.getDigestsList()) {
        asked.add(ProtoMapping.digest(d));
      }
      FindMissingBlobsResponse.Builder response = FindMissingBlobsResponse.newBuilder();
      for (Digest d : store.findMissing(asked)) {
        response.addMissing(ProtoMapping.toWire(d));
      }
      out.onNext(response.build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
    }
  }

  @Override
  public void batchUpdateBlobs(
      BatchUpdateBlobsRequest request, StreamObserver<BatchUpdateBlobsResponse> out) {
    try {
      checkCount(request.getBlobsCount());
      long total = 0;
      for (BlobData b : request.getBlobsList()) {
        total += b.getData().size();
      }
      if (total > BATCH_BYTES) {
        throw new IllegalArgumentException(
            "BatchUpdateBlobs carries "
                + total
                + " bytes, more than "
                + BATCH_BYTES
                + " per call: split the batch, and send blobs over that with WriteBlob");
      }
      BatchUpdateBlobsResponse.Builder response = BatchUpdateBlobsResponse.newBuilder();
      for (BlobData b : request.getBlobsList()) {
        BlobStatus.Builder status = BlobStatus.newBuilder().setDigest(b.getDigest());
        try {
          Digest d = ProtoMapping.digest(b.getDigest());
          store.put(d, b.getData().toByteArray(), true);
          status.setCode(Status.Code.OK.value());
        } catch (IllegalArgumentException e) {
          status.setCode(Status.Code.INVALID_ARGUMENT.value()).setMessage(e.getMessage());
        } catch (RuntimeException e) {
          status.setCode(Status.Code.INTERNAL.value()).setMessage(String.valueOf(e));
        }
        response.addStatuses(status);
      }
      out.onNext(response.build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
    }
  }

  @Override
  public void batchReadBlobs(
      BatchReadBlobsRequest request, StreamObserver<BatchReadBlobsResponse> out) {
    try {
      checkCount(request.getDigestsCount());
      List<Digest> asked = new ArrayList<>(request.getDigestsCount());
      long total = 0;
      for (var d : request.getDigestsList()) {
        Digest digest = ProtoMapping.digest(d);
        asked.add(digest);
        total += digest.size();
      }
      if (total > BATCH_BYTES) {
        throw new IllegalArgumentException(
            "BatchReadBlobs asks for "
                + total
                + " bytes, more than "
                + BATCH_BYTES
                + " per call: split the batch, and read blobs over that with ReadBlob");
      }
      BatchReadBlobsResponse.Builder response = BatchReadBlobsResponse.newBuilder();
      for (Digest d : asked) {
        Optional<byte[]> data = store.read(d);
        BlobStatus.Builder status = BlobStatus.newBuilder().setDigest(ProtoMapping.toWire(d));
        if (data.isPresent()) {
          status.setCode(Status.Code.OK.value());
          response.addBlobs(
              BlobData.newBuilder()
                  .setDigest(ProtoMapping.toWire(d))
                  .setData(ByteString.copyFrom(data.get())));
        } else {
          status
              .setCode(Status.Code.NOT_FOUND.value())
              .setMessage("blob " + d.hash() + " is not in the store");
        }
        response.addStatuses(status);
      }
      out.onNext(response.build());
      out.onCompleted();
    } catch (IOException | RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
    }
  }

  @Override
  public StreamObserver<WriteBlobChunk> writeBlob(StreamObserver<WriteBlobResponse> out) {
    return new Upload(out);
  }

  /** One WriteBlob stream: the first chunk names the digest, each chunk is written at once. */
  private final class Upload implements StreamObserver<WriteBlobChunk> {
    private final StreamObserver<WriteBlobResponse> out;
    private ContentStore.BlobWriter writer;
    private boolean failed;

    Upload(StreamObserver<WriteBlobResponse> out) {
      this.out = out;
    }

    @Override
    public void onNext(WriteBlobChunk chunk) {
      if (failed) {
        return;
      }
      try {
        if (writer == null) {
          if (!chunk.hasDigest()) {
            throw new IllegalArgumentException(
                "the first WriteBlob message must name the blob's digest");
          }
          writer = store.openWriter(ProtoMapping.digest(chunk.getDigest()));
        } else if (chunk.hasDigest()
            && !ProtoMapping.digest(chunk.getDigest()).equals(writer.digest())) {
          throw new IllegalArgumentException(
              "a WriteBlob stream writes one blob; a later message names another digest");
        }
        writer.write(chunk.getData().asReadOnlyByteBuffer());
      } catch (IOException | RuntimeException e) {
        fail(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      failed = true;
      if (writer != null) {
        writer.abort();
      }
    }

    @Override
    public void onCompleted() {
      if (failed) {
        return;
      }
      try {
        if (writer == null) {
          throw new IllegalArgumentException("WriteBlob stream ended without naming a digest");
        }
        writer.commit();
        out.onNext(WriteBlobResponse.newBuilder().setCommittedSize(writer.written()).build());
        out.onCompleted();
      } catch (IOException | RuntimeException e) {
        fail(e);
      }
    }

    private void fail(Exception e) {
      failed = true;
      if (writer != null) {
        writer.abort();
      }
      out.onError(ErrorMapper.toStatus(e));
    }
  }

  @Override
  public void readBlob(ReadBlobRequest request, StreamObserver<ReadBlobChunk> out) {
    ServerCallStreamObserver<ReadBlobChunk> call = (ServerCallStreamObserver<ReadBlobChunk>) out;
    Digest d;
    Optional<FileChannel> channel;
    try {
      d = ProtoMapping.digest(request.getDigest());
      if (d.equals(Digest.EMPTY)) {
        out.onCompleted();
        return;
      }
      channel = store.openReader(d);
    } catch (IOException | RuntimeException e) {
      out.onError(ErrorMapper.toStatus(e));
      return;
    }
    if (channel.isEmpty()) {
      out.onError(
          Status.NOT_FOUND
              .withDescription("blob " + d.hash() + " is not in the store")
              .asRuntimeException());
      return;
    }
    Download download = new Download(call, channel.get(), d);
    call.setOnCancelHandler(download::close);
    call.setOnReadyHandler(download::pump);
    download.pump();
  }

  /** Sends a blob's file chunk by chunk while the transport is ready; bounded memory. */
  private static final class Download {
    private final ServerCallStreamObserver<ReadBlobChunk> call;
    private final FileChannel channel;
    private final Digest digest;
    private long sent;
    private boolean done;

    Download(ServerCallStreamObserver<ReadBlobChunk> call, FileChannel channel, Digest digest) {
      this.call = call;
      this.channel = channel;
      this.digest = digest;
    }

    synchronized void pump() {
      try {
        while (!done && call.isReady()) {
          ByteBuffer buf = ByteBuffer.allocate((int) Math.min(READ_CHUNK, digest.size() - sent));
          while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
              throw new IOException(
                  "blob " + digest.hash() + " ended after " + (sent + buf.position()) + " bytes");
            }
          }
          buf.flip();
          sent += buf.remaining();
          call.onNext(ReadBlobChunk.newBuilder().setData(ByteString.copyFrom(buf)).build());
          if (sent == digest.size()) {
            close();
            call.onCompleted();
          }
        }
      } catch (IOException | RuntimeException e) {
        if (!done) {
          close();
          call.onError(
              Status.DATA_LOSS
                  .withDescription(String.valueOf(e))
                  .withCause(e)
                  .asRuntimeException());
        }
      }
    }

    synchronized void close() {
      done = true;
      try {
        channel.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }

  private static void checkCount(int n) {
    if (n > MAX_DIGESTS) {
      throw new IllegalArgumentException(
          "a call may name at most " + MAX_DIGESTS + " blobs, not " + n + ": split it");
    }
  }
}
