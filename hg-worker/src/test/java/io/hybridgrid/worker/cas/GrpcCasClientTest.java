package io.hybridgrid.worker.cas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's ContentStore client against an in-process fake of the coordinator's store. */
class GrpcCasClientTest {
  @TempDir Path dir;
  private final FakeContentStore store = new FakeContentStore();
  private Server server;
  private ManagedChannel channel;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name).directExecutor().addService(store).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    channel.shutdownNow();
    server.shutdownNow();
    assertTrue(channel.awaitTermination(5, TimeUnit.SECONDS));
    assertTrue(server.awaitTermination(5, TimeUnit.SECONDS));
  }

  private static byte[] blob(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 7 + seed);
    }
    return b;
  }

  @Test
  void fetchesSmallBlobsInABatchAndLargeOnesAsAStream() throws Exception {
    BlobDigest a = store.add(blob(100, 1));
    BlobDigest b = store.add(blob(200, 2));
    BlobDigest big = store.add(blob(3_000_000, 3));
    CasFetcher fetcher = new CasFetcher(LocalCas.open(dir, 1L << 30), pool);
    fetcher.ensure(List.of(a, b, big), new GrpcCasClient(channel, Duration.ofSeconds(10)));
    assertEquals(1, store.batchReads.get());
    assertEquals(1, store.streamReads.get());
    assertArrayEquals(
        blob(3_000_000, 3), Files.readAllBytes(fetcher.cas().find(big, false).orElseThrow()));
  }

  @Test
  void namesWhatTheStoreLacks() {
    GrpcCasClient client = new GrpcCasClient(channel, Duration.ofSeconds(10));
    BlobDigest there = store.add(blob(5, 1));
    BlobDigest gone = BlobDigest.of(blob(5, 2));
    Map<BlobDigest, byte[]> got = new HashMap<>();
    BlobNotFoundException e =
        assertThrows(
            BlobNotFoundException.class, () -> client.readBatch(List.of(there, gone), got::put));
    assertEquals(List.of(gone), e.missing());
    assertArrayEquals(blob(5, 1), got.get(there));
    assertThrows(BlobNotFoundException.class, () -> client.read(gone, new ByteArrayOutputStream()));
  }

  @Test
  void uploadsInChunksAndTheStoreVerifies() throws Exception {
    GrpcCasClient client = new GrpcCasClient(channel, Duration.ofSeconds(10));
    byte[] data = blob(GrpcCasClient.CHUNK * 2 + 17, 5);
    Path f = dir.resolve("out.o");
    Files.write(f, data);
    BlobDigest d = BlobDigest.of(data);
    client.write(d, f);
    assertArrayEquals(data, store.blobs.get(d));
    Path empty = dir.resolve("empty");
    Files.write(empty, new byte[0]);
    client.write(BlobDigest.EMPTY, empty);
    assertArrayEquals(new byte[0], store.blobs.get(BlobDigest.EMPTY));
    // A file that is not what its digest says is refused by the store.
    assertThrows(Exception.class, () -> client.write(BlobDigest.of(blob(3, 3)), f));
  }
}
