package io.hybridgrid.worker.session;

import java.util.ArrayList;
import java.util.List;

/**
 * The handle a {@link TaskRunner} gets to learn that its task was cancelled (the coordinator sent
 * CancelTask: the client went away or another worker answered first). Runners that block on a
 * process register a callback that kills its tree; the executor also interrupts the thread.
 * Thread-safe.
 */
public final class Cancellation {
  private final List<Runnable> callbacks = new ArrayList<>();
  private boolean cancelled;

  /** Whether the task was cancelled. */
  public synchronized boolean isCancelled() {
    return cancelled;
  }

  /** Runs {@code callback} on cancellation, at once when already cancelled. */
  public void onCancel(Runnable callback) {
    synchronized (this) {
      if (!cancelled) {
        callbacks.add(callback);
        return;
      }
    }
    callback.run();
  }

  /** Cancels: runs every callback once. */
  void cancel() {
    List<Runnable> run;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      run = List.copyOf(callbacks);
      callbacks.clear();
    }
    run.forEach(Runnable::run);
  }
}
