package io.hybridgrid.coord.admission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A budget of bytes that requests hold while they are in memory. Acquisition never blocks a thread:
 * a request that does not fit waits in line (first come, first served) and its callback runs once
 * the bytes are free. This is what keeps many concurrent large compile requests from exhausting the
 * coordinator's memory: they are admitted as memory frees up, not all at once.
 */
public final class ByteBudget {
  private final long capacity;
  private final Object lock = new Object();
  private long inUse;
  private final Deque<Waiter> waiting = new ArrayDeque<>();

  /** A place in line; {@link #cancel()} gives it up (or returns the bytes if already granted). */
  public final class Waiter {
    private long bytes;
    private final Runnable onGranted;
    private boolean granted;
    private boolean immediate;
    private boolean cancelled;

    private Waiter(long bytes, Runnable onGranted) {
      this.bytes = bytes;
      this.onGranted = onGranted;
    }

    /** Whether the bytes were granted by {@link #acquire} itself (no callback will run). */
    public boolean immediate() {
      synchronized (lock) {
        return immediate;
      }
    }

    /** Keeps only {@code newBytes} of a granted reservation, returning the rest (never grows). */
    public void shrinkTo(long newBytes) {
      long freed;
      synchronized (lock) {
        if (!granted || cancelled || newBytes >= bytes) {
          return;
        }
        freed = bytes - Math.max(0, newBytes);
        bytes -= freed;
      }
      release(freed);
    }

    /** Leaves the line, or releases the bytes when they were granted. Idempotent. */
    public void cancel() {
      boolean release;
      long held;
      synchronized (lock) {
        if (cancelled) {
          return;
        }
        cancelled = true;
        release = granted;
        held = bytes;
        if (!granted) {
          waiting.remove(this);
        }
      }
      if (release) {
        release(held);
      }
    }
  }

  public ByteBudget(long capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  /**
   * Takes {@code bytes} now when they are free (then {@link Waiter#immediate()} is true and {@code
   * onGranted} is not run), else queues and runs {@code onGranted} on the thread that frees them. A
   * request larger than the whole budget is given the whole budget (it runs alone).
   */
  public Waiter acquire(long bytes, Runnable onGranted) {
    Waiter w = new Waiter(Math.min(bytes, capacity), onGranted);
    boolean now;
    synchronized (lock) {
      now = waiting.isEmpty() && inUse + w.bytes <= capacity;
      if (now) {
        inUse += w.bytes;
        w.granted = true;
        w.immediate = true;
      } else {
        waiting.addLast(w);
      }
    }
    return w;
  }

  /** Returns {@code bytes}; waiters that now fit are granted, in order. */
  public void release(long bytes) {
    List<Runnable> run = new ArrayList<>();
    synchronized (lock) {
      inUse -= Math.min(bytes, capacity);
      while (!waiting.isEmpty() && inUse + waiting.peekFirst().bytes <= capacity) {
        Waiter w = waiting.pollFirst();
        inUse += w.bytes;
        w.granted = true;
        run.add(w.onGranted);
      }
    }
    run.forEach(Runnable::run);
  }

  /** Bytes held now. */
  public long inUse() {
    synchronized (lock) {
      return inUse;
    }
  }

  /** Requests waiting for bytes. */
  public int waiting() {
    synchronized (lock) {
      return waiting.size();
    }
  }

  public long capacity() {
    return capacity;
  }
}
