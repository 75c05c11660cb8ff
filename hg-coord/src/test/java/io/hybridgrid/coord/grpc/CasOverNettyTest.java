package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.grpc.WireCompression;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.ReadBlobChunk;
import io.hybridgrid.proto.v1.ReadBlobRequest;
import io.hybridgrid.proto.v1.WriteBlobChunk;
import io.hybridgrid.proto.v1.WriteBlobResponse;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A blob several times gRPC's default message size goes up with WriteBlob and comes back with
 * ReadBlob over real Netty transports, the reader asking for one chunk at a time: the coordinator
 * must stop when the transport is not ready and resume from its on-ready handler, or this read
 * never finishes.
 */
class CasOverNettyTest {
  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  @Test
  void largeBlobRoundTripsWithAReaderThatPullsOneChunkAtATime() throws Exception {
    CoordinatorServer coord = NettyCoordinator.start(grpc);
    ManagedChannel channel =
        grpc.register(Channels.forAddress(new HostPort("127.0.0.1", coord.grpcPort())));
    ContentStoreGrpc.ContentStoreStub stub =
        ContentStoreGrpc.newStub(channel)
            .withCompression(WireCompression.GZIP.encoding())
            .withDeadlineAfter(120, TimeUnit.SECONDS);

    byte[] data = new byte[24 << 20];
    new SplittableRandom(11).nextBytes(data);
    Digest d = Digest.of(data);

    CompletableFuture<WriteBlobResponse> written = new CompletableFuture<>();
    StreamObserver<WriteBlobChunk> up = stub.writeBlob(observer(written));
    int chunk = 1 << 20;
    for (int off = 0; off < data.length; off += chunk) {
      WriteBlobChunk.Builder c =
          WriteBlobChunk.newBuilder().setData(ByteString.copyFrom(data, off, chunk));
      if (off == 0) {
        c.setDigest(ProtoMapping.toWire(d));
      }
      up.onNext(c.build());
    }
    up.onCompleted();
    assertEquals(data.length, written.get(120, TimeUnit.SECONDS).getCommittedSize());

    MessageDigest sha = Digest.sha256();
    AtomicLong received = new AtomicLong();
    CompletableFuture<Void> read = new CompletableFuture<>();
    stub.readBlob(
        ReadBlobRequest.newBuilder().setDigest(ProtoMapping.toWire(d)).build(),
        new ClientResponseObserver<ReadBlobRequest, ReadBlobChunk>() {
          private ClientCallStreamObserver<ReadBlobRequest> call;

          @Override
          public void beforeStart(ClientCallStreamObserver<ReadBlobRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
          }

          @Override
          public void onNext(ReadBlobChunk c) {
            sha.update(c.getData().asReadOnlyByteBuffer());
            received.addAndGet(c.getData().size());
            call.request(1);
          }

          @Override
          public void onError(Throwable t) {
            read.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            read.complete(null);
          }
        });
    read.get(120, TimeUnit.SECONDS);
    assertEquals(data.length, received.get());
    assertArrayEquals(Digest.sha256().digest(data), sha.digest());
    assertEquals(1, coord.cas().stats().uploadedBlobs());
    assertEquals(data.length, coord.cas().stats().readBytes());
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> done) {
    return new StreamObserver<>() {
      T last;

      @Override
      public void onNext(T value) {
        last = value;
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(last);
      }
    };
  }
}
