package io.hybridgrid.worker.cas;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/** An in-memory coordinator store that counts its calls; can be told to lie about one blob. */
public final class FakeCasClient implements CasClient {
  public final Map<BlobDigest, byte[]> blobs = new ConcurrentHashMap<>();
  public final List<List<BlobDigest>> batches =
      java.util.Collections.synchronizedList(new ArrayList<>());
  public final AtomicInteger streamedReads = new AtomicInteger();
  public final Map<BlobDigest, byte[]> written = new ConcurrentHashMap<>();

  /** When set, reads wait on it first (to make concurrent fetches overlap). */
  public volatile CountDownLatch gate;

  /** Stores {@code data} and returns its digest. */
  public BlobDigest add(byte[] data) {
    BlobDigest d = BlobDigest.of(data);
    blobs.put(d, data);
    return d;
  }

  private void awaitGate() {
    CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void readBatch(List<BlobDigest> digests, BiConsumer<BlobDigest, byte[]> sink)
      throws IOException {
    batches.add(List.copyOf(digests));
    awaitGate();
    List<BlobDigest> missing = new ArrayList<>();
    for (BlobDigest d : digests) {
      byte[] b = blobs.get(d);
      if (b == null) {
        missing.add(d);
      } else {
        sink.accept(d, b);
      }
    }
    if (!missing.isEmpty()) {
      throw new BlobNotFoundException(missing);
    }
  }

  @Override
  public void read(BlobDigest digest, OutputStream out) throws IOException {
    streamedReads.incrementAndGet();
    awaitGate();
    byte[] b = blobs.get(digest);
    if (b == null) {
      throw new BlobNotFoundException(List.of(digest));
    }
    for (int off = 0; off < b.length; off += 100_000) {
      out.write(b, off, Math.min(100_000, b.length - off));
    }
  }

  @Override
  public void write(BlobDigest digest, Path file) throws IOException {
    written.put(digest, Files.readAllBytes(file));
  }
}
