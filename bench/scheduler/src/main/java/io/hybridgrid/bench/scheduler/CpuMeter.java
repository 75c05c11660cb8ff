package io.hybridgrid.bench.scheduler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the whole JVM and of the coordinator's threads (names starting with {@code hg-coord})
 * over a window, so throughput can be stated per CPU-second: on a shared 2-core machine the process
 * gets only part of the CPUs, and the simulated workers and clients share them.
 */
final class CpuMeter {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** CPU nanoseconds used so far: whole process and coordinator threads. */
  record Reading(long wallNanos, long processNanos, long coordinatorNanos) {
    /** Cores used on average between {@code start} and this reading. */
    double processCores(Reading start) {
      return (double) (processNanos - start.processNanos) / (wallNanos - start.wallNanos);
    }

    double coordinatorCores(Reading start) {
      return (double) (coordinatorNanos - start.coordinatorNanos) / (wallNanos - start.wallNanos);
    }
  }

  Reading read() {
    long coordinator = 0;
    long[] ids = threads.getAllThreadIds();
    ThreadInfo[] infos = threads.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] != null && infos[i].getThreadName().startsWith("hg-coord")) {
        long t = threads.getThreadCpuTime(ids[i]);
        if (t > 0) {
          coordinator += t;
        }
      }
    }
    return new Reading(System.nanoTime(), os.getProcessCpuTime(), coordinator);
  }
}
