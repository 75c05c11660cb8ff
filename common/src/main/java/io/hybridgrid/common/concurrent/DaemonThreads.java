package io.hybridgrid.common.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for the servers' and the daemon's pools: every thread named after its role (so a
 * thread dump, {@code top -H} or a profile says whose it is) and a daemon thread, which never keeps
 * a process alive that is shutting down; each pool is closed by its owner.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Threads all called {@code name} (single-thread pools, or pools where the count is noise). */
  public static ThreadFactory named(String name) {
    return r -> daemon(new Thread(r, name));
  }

  /** Threads called {@code prefix-1}, {@code prefix-2}, ... in the order they are made. */
  public static ThreadFactory numbered(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> daemon(new Thread(r, prefix + "-" + n.incrementAndGet()));
  }

  private static Thread daemon(Thread t) {
    t.setDaemon(true);
    return t;
  }
}
