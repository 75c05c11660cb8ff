package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.coord.cas.CasSettings;
import io.hybridgrid.coord.cas.ContentStore;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.proto.v1.BatchReadBlobsRequest;
import io.hybridgrid.proto.v1.BatchReadBlobsResponse;
import io.hybridgrid.proto.v1.BatchUpdateBlobsRequest;
import io.hybridgrid.proto.v1.BatchUpdateBlobsResponse;
import io.hybridgrid.proto.v1.BlobData;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.FindMissingBlobsRequest;
import io.hybridgrid.proto.v1.ReadBlobChunk;
import io.hybridgrid.proto.v1.ReadBlobRequest;
import io.hybridgrid.proto.v1.WriteBlobChunk;
import io.hybridgrid.proto.v1.WriteBlobResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreGrpcTest {
  @RegisterExtension final GrpcCleanupExtension cleanup = new GrpcCleanupExtension();
  @TempDir Path dir;

  ContentStore store;
  ContentStoreGrpc.ContentStoreBlockingStub blocking;
  ContentStoreGrpc.ContentStoreStub async;

  @BeforeEach
  void setUp() throws Exception {
    store =
        new ContentStore(new CasSettings(1 << 20, dir, 1L << 30, 64L << 20), Clock.systemUTC())
            .start();
    String name = InProcessServerBuilder.generateName();
    cleanup.register(
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new ContentStoreGrpcService(store))
            .build()
            .start());
    ManagedChannel channel =
        cleanup.register(InProcessChannelBuilder.forName(name).directExecutor().build());
    blocking = ContentStoreGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    async = ContentStoreGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  static io.hybridgrid.proto.v1.Digest wire(byte[] data) {
    return ProtoMapping.toWire(Digest.of(data));
  }

  static BlobData blob(io.hybridgrid.proto.v1.Digest d, String text) {
    return BlobData.newBuilder().setDigest(d).setData(ByteString.copyFromUtf8(text)).build();
  }

  @Test
  void batchRoundTripWithPerBlobStatusAndMissingBlobs() {
    byte[] a = "int a;\n".getBytes(StandardCharsets.UTF_8);
    byte[] b = "int b;\n".getBytes(StandardCharsets.UTF_8);
    var missing =
        blocking.findMissingBlobs(
            FindMissingBlobsRequest.newBuilder().addDigests(wire(a)).addDigests(wire(b)).build());
    assertEquals(List.of(wire(a), wire(b)), missing.getMissingList());

    BatchUpdateBlobsResponse update =
        blocking.batchUpdateBlobs(
            BatchUpdateBlobsRequest.newBuilder()
                .addBlobs(blob(wire(a), "int a;\n"))
                .addBlobs(blob(wire(b), "int B;\n")) // does not match its digest
                .build());
    assertEquals(0, update.getStatuses(0).getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), update.getStatuses(1).getCode());
    assertTrue(
        update.getStatuses(1).getMessage().contains(wire(b).getHash()),
        update.getStatuses(1).getMessage());

    missing =
        blocking.findMissingBlobs(
            FindMissingBlobsRequest.newBuilder().addDigests(wire(a)).addDigests(wire(b)).build());
    assertEquals(List.of(wire(b)), missing.getMissingList(), "the refused blob was not stored");

    BatchReadBlobsResponse read =
        blocking.batchReadBlobs(
            BatchReadBlobsRequest.newBuilder().addDigests(wire(a)).addDigests(wire(b)).build());
    assertEquals(0, read.getStatuses(0).getCode());
    assertEquals(Status.Code.NOT_FOUND.value(), read.getStatuses(1).getCode());
    assertEquals(1, read.getBlobsCount());
    assertArrayEquals(a, read.getBlobs(0).getData().toByteArray());
    assertEquals(1, store.stats().refusedUploads());
    assertEquals(1, store.stats().storedBlobs());
  }

  @Test
  void batchOverTheBoundIsRefusedSayingWhatToDo() {
    byte[] big = new byte[(int) ContentStoreGrpcService.BATCH_BYTES + 1];
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                blocking.batchUpdateBlobs(
                    BatchUpdateBlobsRequest.newBuilder()
                        .addBlobs(
                            BlobData.newBuilder()
                                .setDigest(wire(big))
                                .setData(ByteString.copyFrom(big)))
                        .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("WriteBlob"), e.getMessage());
    assertFalse(store.contains(Digest.of(big)));
  }

  /** Streams {@code data} in chunks of {@code chunk} bytes under {@code digest}. */
  WriteBlobResponse write(io.hybridgrid.proto.v1.Digest digest, byte[] data, int chunk)
      throws Exception {
    CompletableFuture<WriteBlobResponse> done = new CompletableFuture<>();
    StreamObserver<WriteBlobChunk> up =
        async.writeBlob(
            new StreamObserver<>() {
              WriteBlobResponse response;

              @Override
              public void onNext(WriteBlobResponse r) {
                response = r;
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(response);
              }
            });
    for (int off = 0; off < data.length; off += chunk) {
      WriteBlobChunk.Builder c =
          WriteBlobChunk.newBuilder()
              .setData(ByteString.copyFrom(data, off, Math.min(chunk, data.length - off)));
      if (off == 0) {
        c.setDigest(digest);
      }
      up.onNext(c.build());
    }
    up.onCompleted();
    try {
      return done.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void largeBlobStreamsBothWays() throws Exception {
    byte[] data = new byte[24 << 20];
    new SplittableRandom(7).nextBytes(data);
    WriteBlobResponse r = write(wire(data), data, 1 << 20);
    assertEquals(data.length, r.getCommittedSize());
    assertTrue(store.contains(Digest.of(data)));

    Iterator<ReadBlobChunk> chunks =
        blocking.readBlob(ReadBlobRequest.newBuilder().setDigest(wire(data)).build());
    MessageDigest sha = Digest.sha256();
    long total = 0;
    int messages = 0;
    while (chunks.hasNext()) {
      ByteString c = chunks.next().getData();
      assertTrue(c.size() <= ContentStoreGrpcService.READ_CHUNK);
      sha.update(c.asReadOnlyByteBuffer());
      total += c.size();
      messages++;
    }
    assertEquals(data.length, total);
    assertArrayEquals(Digest.sha256().digest(data), sha.digest());
    assertEquals(data.length / ContentStoreGrpcService.READ_CHUNK, messages);
  }

  @Test
  void streamedMismatchIsRefusedNamingTheDigestAndNotStored() throws Exception {
    byte[] data = new byte[3 << 20];
    new SplittableRandom(1).nextBytes(data);
    io.hybridgrid.proto.v1.Digest d = wire(data);
    data[data.length - 1] ^= 1;
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> write(d, data, 1 << 20));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains(d.getHash()), e.getMessage());
    assertFalse(store.contains(ProtoMapping.digest(d)));

    StatusRuntimeException missing =
        assertThrows(
            StatusRuntimeException.class,
            () -> blocking.readBlob(ReadBlobRequest.newBuilder().setDigest(d).build()).next());
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
  }

  @Test
  void blobOverTheCapIsRefusedNamingTheCap() {
    io.hybridgrid.proto.v1.Digest huge =
        io.hybridgrid.proto.v1.Digest.newBuilder()
            .setHash("b".repeat(64))
            .setSizeBytes(65L << 20)
            .build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> write(huge, new byte[10], 10));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains(String.valueOf(64L << 20)), e.getMessage());
  }

  @Test
  void malformedDigestIsInvalidArgument() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                blocking.findMissingBlobs(
                    FindMissingBlobsRequest.newBuilder()
                        .addDigests(
                            io.hybridgrid.proto.v1.Digest.newBuilder()
                                .setHash("../../etc/passwd")
                                .setSizeBytes(1))
                        .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }
}
