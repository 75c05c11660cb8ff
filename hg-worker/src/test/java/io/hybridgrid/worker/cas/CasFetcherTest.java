package io.hybridgrid.worker.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CasFetcherTest {
  @TempDir Path dir;
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private static byte[] blob(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  @Test
  void batchesSmallBlobsWithinTheBoundAndStreamsLargeOnes() throws IOException {
    CasFetcher fetcher = new CasFetcher(LocalCas.open(dir, 1L << 30), pool);
    FakeCasClient remote = new FakeCasClient();
    List<BlobDigest> wanted = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      wanted.add(remote.add(blob(900_000, i))); // 12 x 0.9 MB: three batches at most 4 MB each
    }
    BlobDigest big = remote.add(blob(5_000_000, 99));
    wanted.add(big);
    fetcher.ensure(wanted, remote);
    for (BlobDigest d : wanted) {
      assertTrue(fetcher.cas().contains(d), d.toString());
    }
    assertEquals(1, remote.streamedReads.get(), "the 5 MB blob is streamed");
    for (List<BlobDigest> batch : remote.batches) {
      long sum = batch.stream().mapToLong(BlobDigest::size).sum();
      assertTrue(sum <= CasFetcher.BATCH_BYTES, "batch of " + sum + " bytes");
    }
    assertEquals(3, remote.batches.size());
    // Present now: nothing fetched again.
    fetcher.ensure(wanted, remote);
    assertEquals(3, remote.batches.size());
    assertEquals(1, remote.streamedReads.get());
  }

  @Test
  void missingBlobsAreNamed() throws IOException {
    CasFetcher fetcher = new CasFetcher(LocalCas.open(dir, 1L << 30), pool);
    FakeCasClient remote = new FakeCasClient();
    BlobDigest present = remote.add(blob(10, 1));
    BlobDigest absent = BlobDigest.of(blob(10, 2));
    BlobDigest absentBig = BlobDigest.of(blob(2_000_000, 3));
    BlobNotFoundException e =
        assertThrows(
            BlobNotFoundException.class,
            () -> fetcher.ensure(List.of(present, absent, absentBig), remote));
    assertEquals(List.of(absentBig, absent).size(), e.missing().size());
    assertTrue(e.missing().containsAll(List.of(absent, absentBig)));
  }

  @Test
  void aCorruptBlobFromTheCoordinatorIsRefused() throws IOException {
    CasFetcher fetcher = new CasFetcher(LocalCas.open(dir, 1L << 30), pool);
    FakeCasClient remote = new FakeCasClient();
    BlobDigest small = BlobDigest.of(blob(10, 1));
    BlobDigest large = BlobDigest.of(blob(2_000_000, 1));
    remote.blobs.put(small, blob(10, 2));
    remote.blobs.put(large, blob(2_000_000, 2));
    assertThrows(BlobMismatchException.class, () -> fetcher.ensure(List.of(small), remote));
    assertThrows(BlobMismatchException.class, () -> fetcher.ensure(List.of(large), remote));
    assertEquals(0, fetcher.cas().sizeBytes());
  }

  @Test
  void concurrentFetchesOfOneBlobShareOneRead() throws Exception {
    CasFetcher fetcher = new CasFetcher(LocalCas.open(dir, 1L << 30), pool);
    FakeCasClient remote = new FakeCasClient();
    BlobDigest d = remote.add(blob(1000, 7));
    CountDownLatch gate = new CountDownLatch(1);
    remote.gate = gate;
    List<Thread> threads = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService callers =
        Executors.newFixedThreadPool(
            3,
            r -> {
              Thread t = new Thread(r);
              threads.add(t);
              return t;
            });
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        calls.add(
            callers.submit(
                () -> {
                  fetcher.ensure(List.of(d), remote);
                  return null;
                }));
      }
      // Wait (with a deadline) until all three callers block: one inside its read (on the gate),
      // two on the first one's fetch. Without sharing, all three would be inside a read.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline
          && !(threads.size() == 3
              && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING))) {
        Thread.onSpinWait();
      }
      assertEquals(1, remote.batches.size(), "reads started while all three callers waited");
      gate.countDown();
      for (Future<?> f : calls) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }
    assertTrue(fetcher.cas().contains(d));
    assertTrue(remote.batches.size() <= 3);
    long reads = remote.batches.stream().filter(b -> b.contains(d)).count();
    assertEquals(1, reads, "one read for three concurrent callers");
  }
}
