package io.hybridgrid.bench.scheduler;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.Priority;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Clients: keeps up to {@code inFlight} Compile calls open at once, spread over several channels
 * (as several hgbuild processes would), each a unique action whose cost is drawn from {@code times}
 * with a seeded generator, so a batch is the same whatever scheduler runs it.
 */
final class LoadGenerator {
  private static final long CALL_DEADLINE_SECONDS = 120;

  private final List<? extends Channel> channels;
  private final int inFlight;
  private final CompileTimes times;
  private final SplittableRandom random;
  private final long runId;
  private final LatencySamples queueTimes;
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<String> firstError = new AtomicReference<>();

  /**
   * @param queueTimes receives each answer's queue time (the coordinator's enqueue-to-assignment)
   */
  LoadGenerator(
      List<? extends Channel> channels,
      int inFlight,
      CompileTimes times,
      long seed,
      LatencySamples queueTimes) {
    if (channels.isEmpty() || inFlight < 1) {
      throw new IllegalArgumentException("need a channel and at least one call in flight");
    }
    this.channels = channels;
    this.inFlight = inFlight;
    this.times = times;
    this.random = new SplittableRandom(seed);
    this.runId = seed;
    this.queueTimes = queueTimes;
  }

  /** What a run did. */
  record Outcome(long completed, long failed, long elapsedNanos, String firstError) {
    double perSecond() {
      return completed * 1e9 / elapsedNanos;
    }
  }

  /**
   * Sends exactly {@code tasks} tasks and waits for every answer.
   *
   * @return elapsed = first send to last answer (the makespan)
   */
  Outcome runBatch(int tasks, Duration timeout) throws InterruptedException {
    BenchTasks.upload(channels.get(0));
    Semaphore permits = new Semaphore(inFlight);
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    for (int i = 0; i < tasks; i++) {
      if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("batch did not finish within " + timeout);
      }
      send(i, permits);
    }
    if (!permits.tryAcquire(
        inFlight, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException("batch did not finish within " + timeout);
    }
    return new Outcome(completed.get(), failed.get(), System.nanoTime() - start, firstError.get());
  }

  /**
   * Keeps every slot busy for {@code warmup + measure}; calls {@code atWarmupEnd} once the warm-up
   * is over and {@code atWindowEnd} when the window closes, and counts only answers that arrive in
   * the measured window.
   */
  Outcome runTimed(Duration warmup, Duration measure, Runnable atWarmupEnd, Runnable atWindowEnd)
      throws InterruptedException {
    BenchTasks.upload(channels.get(0));
    Semaphore permits = new Semaphore(inFlight);
    long start = System.nanoTime();
    long warmEnd = start + warmup.toNanos();
    long end = warmEnd + measure.toNanos();
    boolean warm = false;
    long doneAtWarm = 0;
    long failedAtWarm = 0;
    long windowStart = warmEnd;
    for (long i = 0; ; i++) {
      long now = System.nanoTime();
      if (!warm && now >= warmEnd) {
        warm = true;
        atWarmupEnd.run();
        doneAtWarm = completed.get();
        failedAtWarm = failed.get();
        windowStart = System.nanoTime();
      }
      if (now >= end) {
        break;
      }
      if (permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
        send(i, permits);
      }
    }
    long done = completed.get() - doneAtWarm;
    long fails = failed.get() - failedAtWarm;
    long elapsed = System.nanoTime() - windowStart;
    atWindowEnd.run();
    // Let the calls still open finish before the grid is torn down.
    if (!permits.tryAcquire(inFlight, CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("calls still open " + CALL_DEADLINE_SECONDS + " s after run");
    }
    return new Outcome(done, fails, elapsed, firstError.get());
  }

  private void send(long index, Semaphore permits) {
    long cost = times.sampleMicros(random);
    Channel channel = channels.get((int) (index % channels.size()));
    CompileRequest request =
        CompileRequest.newBuilder()
            .setAction(BenchTasks.action(runId, index, cost, System.nanoTime()))
            .setPriority(Priority.PRIORITY_BATCH)
            .setClientId("bench-" + (index % channels.size()))
            .build();
    CompileServiceGrpc.newStub(channel)
        .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
        .compile(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(CompileResponse r) {
                queueTimes.add(r.getQueueMicros() * 1000);
              }

              @Override
              public void onError(Throwable t) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, t.toString());
                permits.release();
              }

              @Override
              public void onCompleted() {
                completed.incrementAndGet();
                permits.release();
              }
            });
  }
}
