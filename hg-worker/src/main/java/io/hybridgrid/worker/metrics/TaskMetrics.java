package io.hybridgrid.worker.metrics;

import io.hybridgrid.common.metrics.MetricNames;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Counts what the worker's actions do: tasks by outcome, their duration, how many run now, and the
 * bytes each brings in and sends back. The action executor measures each action with it, outside
 * the circuit breaker, so refusals by an open breaker count as refused.
 */
public final class TaskMetrics implements TaskMeter {
  private final MeterRegistry registry;
  private final AtomicInteger active = new AtomicInteger();
  private final Timer duration;
  private final DistributionSummary bytesIn;
  private final DistributionSummary bytesOut;

  public TaskMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (String outcome : new String[] {"success", "compile_error", "refused", "failed"}) {
      counter(outcome);
    }
    this.duration =
        Timer.builder(MetricNames.TASK_DURATION)
            .description("Time this worker spent on a compile")
            .serviceLevelObjectives(
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofMillis(250),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(120))
            .register(registry);
    Gauge.builder(MetricNames.ACTIVE_TASKS, active, AtomicInteger::get)
        .description("Compiles running on this worker")
        .strongReference(true)
        .register(registry);
    this.bytesIn = transfer("in");
    this.bytesOut = transfer("out");
  }

  private DistributionSummary transfer(String direction) {
    return DistributionSummary.builder(MetricNames.NETWORK_TRANSFER)
        .description("Sizes of compile inputs received and outputs returned")
        .baseUnit("bytes")
        .tag("direction", direction)
        .tag("peer", "coordinator")
        .register(registry);
  }

  private Counter counter(String outcome) {
    return Counter.builder(MetricNames.WORKER_TASKS)
        .description("Compiles this worker was given, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  @Override
  public <T> T measure(long in, Task<T> task, ToIntFunction<T> exitCode, ToLongFunction<T> outBytes)
      throws TaskRefusedException {
    bytesIn.record(in);
    active.incrementAndGet();
    long start = System.nanoTime();
    try {
      T out = task.run();
      counter(exitCode.applyAsInt(out) == 0 ? "success" : "compile_error").increment();
      bytesOut.record(outBytes.applyAsLong(out));
      return out;
    } catch (TaskRefusedException e) {
      counter(e.reason() == Rejection.INFRASTRUCTURE ? "failed" : "refused").increment();
      throw e;
    } catch (RuntimeException e) {
      counter("failed").increment();
      throw e;
    } finally {
      duration.record(Duration.ofNanos(System.nanoTime() - start));
      active.decrementAndGet();
    }
  }
}
