package io.hybridgrid.worker.cas;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * Makes blobs present in the {@link LocalCas}, fetching what it lacks from the coordinator: small
 * blobs in batches of at most {@link #BATCH_BYTES}, large ones streamed one by one. Concurrent
 * tasks that need the same missing blob share one fetch.
 */
public final class CasFetcher {
  /** Payload bound of one batch read (the coordinator's batch limit). */
  public static final long BATCH_BYTES = 4L * 1024 * 1024 - 64 * 1024;

  /** Blobs above this size are streamed rather than batched. */
  public static final long STREAM_ABOVE = 1024 * 1024;

  private final LocalCas cas;
  private final ExecutorService streams;
  private final Map<BlobDigest, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

  /**
   * @param cas the local store
   * @param streams runs the writing side of a streamed read (the store reads from a pipe)
   */
  public CasFetcher(LocalCas cas, ExecutorService streams) {
    this.cas = cas;
    this.streams = streams;
  }

  /** The local store. */
  public LocalCas cas() {
    return cas;
  }

  /**
   * Returns once every blob is in the local store, fetching the missing ones through {@code
   * remote}.
   *
   * @throws BlobNotFoundException naming the blobs the coordinator lacks
   * @throws BlobMismatchException when the coordinator sent bytes that do not match
   */
  public void ensure(Collection<BlobDigest> digests, CasClient remote) throws IOException {
    List<BlobDigest> mine = new ArrayList<>();
    List<CompletableFuture<Void>> theirs = new ArrayList<>();
    Map<BlobDigest, CompletableFuture<Void>> owned = new java.util.HashMap<>();
    for (BlobDigest d : new LinkedHashSet<>(digests)) {
      if (cas.contains(d)) {
        continue;
      }
      if (d.size() == 0) {
        cas.put(d, new byte[0]); // nothing to fetch
        continue;
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      CompletableFuture<Void> prior = inFlight.putIfAbsent(d, f);
      if (prior != null) {
        theirs.add(prior);
      } else {
        mine.add(d);
        owned.put(d, f);
      }
    }
    IOException failure = null;
    try {
      fetch(mine, remote);
    } catch (IOException | RuntimeException e) {
      failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
    } finally {
      for (Map.Entry<BlobDigest, CompletableFuture<Void>> e : owned.entrySet()) {
        inFlight.remove(e.getKey(), e.getValue());
        if (failure == null) {
          e.getValue().complete(null);
        } else {
          e.getValue().completeExceptionally(failure);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    for (CompletableFuture<Void> f : theirs) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while another task fetched a blob");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IOException(e.getCause());
      }
    }
  }

  private void fetch(List<BlobDigest> missing, CasClient remote) throws IOException {
    List<BlobDigest> batch = new ArrayList<>();
    long batchBytes = 0;
    List<BlobDigest> notFound = new ArrayList<>();
    for (BlobDigest d : missing) {
      if (d.size() > STREAM_ABOVE) {
        try {
          stream(d, remote);
        } catch (BlobNotFoundException e) {
          notFound.addAll(e.missing());
        }
        continue;
      }
      if (batchBytes + d.size() > BATCH_BYTES) {
        notFound.addAll(readBatch(batch, remote));
        batch = new ArrayList<>();
        batchBytes = 0;
      }
      batch.add(d);
      batchBytes += d.size();
    }
    notFound.addAll(readBatch(batch, remote));
    if (!notFound.isEmpty()) {
      throw new BlobNotFoundException(notFound);
    }
  }

  private List<BlobDigest> readBatch(List<BlobDigest> batch, CasClient remote) throws IOException {
    if (batch.isEmpty()) {
      return List.of();
    }
    try {
      remote.readBatch(
          batch,
          (d, bytes) -> {
            try {
              cas.put(d, bytes);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (BlobNotFoundException e) {
      return e.missing();
    }
    return List.of();
  }

  /** Streams one blob from the coordinator through a pipe into the store, which verifies it. */
  private void stream(BlobDigest d, CasClient remote) throws IOException {
    PipedInputStream in = new PipedInputStream(256 * 1024);
    PipedOutputStream out = new PipedOutputStream(in);
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (out) {
                remote.read(d, out);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            streams);
    try (in) {
      cas.put(d, in);
    } catch (IOException e) {
      // The reader failing first (not found, network) ends the pipe early, and the store then sees
      // a short blob: report the reader's cause. The pipe is closed here, so a reader still
      // running fails on its next write; wait briefly for it rather than racing it.
      Throwable cause = causeWithin(writer, WRITER_GRACE);
      if (cause instanceof IOException io) {
        throw io;
      }
      throw e;
    }
    Throwable cause = causeOf(writer);
    if (cause instanceof IOException io) {
      throw io;
    }
    if (cause != null) {
      throw new IOException(cause);
    }
  }

  /** How long a failed store waits for the reader's own failure. */
  private static final java.time.Duration WRITER_GRACE = java.time.Duration.ofSeconds(2);

  /** The reader's failure if it ends within {@code grace}; otherwise it is cancelled. */
  private static Throwable causeWithin(CompletableFuture<Void> f, java.time.Duration grace) {
    try {
      f.get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      return null;
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.CancellationException e) {
      f.cancel(true);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      return c instanceof UncheckedIOException u ? u.getCause() : c;
    }
  }

  private static Throwable causeOf(CompletableFuture<Void> f) {
    try {
      f.join();
      return null;
    } catch (java.util.concurrent.CancellationException e) {
      return null;
    } catch (java.util.concurrent.CompletionException e) {
      Throwable c = e.getCause();
      return c instanceof UncheckedIOException u ? u.getCause() : c;
    }
  }
}
