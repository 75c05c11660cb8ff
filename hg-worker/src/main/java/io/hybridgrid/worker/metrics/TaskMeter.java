package io.hybridgrid.worker.metrics;

import io.hybridgrid.worker.compiler.TaskRefusedException;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/** Counts one task the worker runs: outcome, duration, bytes in and out, how many run now. */
public interface TaskMeter {
  /** A task run that may be refused. */
  @FunctionalInterface
  interface Task<T> {
    T run() throws TaskRefusedException;
  }

  /** Counts nothing. */
  TaskMeter NONE =
      new TaskMeter() {
        @Override
        public <T> T measure(
            long bytesIn, Task<T> task, ToIntFunction<T> exitCode, ToLongFunction<T> bytesOut)
            throws TaskRefusedException {
          return task.run();
        }
      };

  /**
   * Runs {@code task} and counts it.
   *
   * @param bytesIn what the task brought in
   * @param exitCode the compiler's exit code of a result
   * @param bytesOut what a result sends back
   */
  <T> T measure(long bytesIn, Task<T> task, ToIntFunction<T> exitCode, ToLongFunction<T> bytesOut)
      throws TaskRefusedException;
}
