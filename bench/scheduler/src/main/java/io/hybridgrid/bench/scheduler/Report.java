package io.hybridgrid.bench.scheduler;

import io.hybridgrid.coord.scheduler.SchedulerKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's results as CSVs (raw, one row per run) and as the Markdown section that
 * bench/scheduler-bench.sh puts into docs/benchmarks.md.
 */
final class Report {
  private final SchedulerBench plan;
  private final CompileTimes measured;
  private final CompileTimes makespanTimes;
  private final List<SchedulerBench.Throughput> throughput;
  private final List<SchedulerBench.Makespan> makespans;

  Report(
      SchedulerBench plan,
      CompileTimes measured,
      CompileTimes makespanTimes,
      List<SchedulerBench.Throughput> throughput,
      List<SchedulerBench.Makespan> makespans) {
    this.plan = plan;
    this.measured = measured;
    this.makespanTimes = makespanTimes;
    this.throughput = throughput;
    this.makespans = makespans;
  }

  void writeTo(Path dir) throws IOException {
    SchedulerBench.writeAtomically(dir.resolve("throughput.csv"), throughputCsv());
    SchedulerBench.writeAtomically(dir.resolve("makespan.csv"), makespanCsv());
    SchedulerBench.writeAtomically(dir.resolve("section.md"), section());
  }

  private String throughputCsv() {
    StringBuilder b =
        new StringBuilder(
            "workers,slots,tasks_per_s,completed,failed,decisions,decision_p50_us,decision_p99_us,"
                + "decision_max_us,send_to_assign_p50_us,send_to_assign_p99_us,queue_p50_us,"
                + "queue_p99_us,process_cores,coordinator_cores,coordinator_cpu_us_per_task\n");
    for (SchedulerBench.Throughput t : throughput) {
      b.append(
          String.format(
              Locale.ROOT,
              "%d,%d,%.1f,%d,%d,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.2f,%.2f,%.1f%n",
              t.workers(),
              t.slots(),
              t.tasksPerSecond(),
              t.completed(),
              t.failed(),
              t.decision().count,
              t.decision().percentileMicros(50),
              t.decision().percentileMicros(99),
              t.decision().maxMicros(),
              t.sendToAssign().percentileMicros(50),
              t.sendToAssign().percentileMicros(99),
              t.queue().percentileMicros(50),
              t.queue().percentileMicros(99),
              t.processCores(),
              t.coordinatorCores(),
              t.coordinatorMicrosPerTask()));
    }
    return b.toString();
  }

  private String makespanCsv() {
    StringBuilder b =
        new StringBuilder("scheduler,seed,in_flight,makespan_s,failed,decision_p99_us\n");
    for (SchedulerBench.Makespan m : makespans) {
      b.append(
          String.format(
              Locale.ROOT,
              "%s,%d,%d,%.3f,%d,%.1f%n",
              m.scheduler().flag(),
              m.seed(),
              m.inFlight(),
              m.seconds(),
              m.failed(),
              m.decision().percentileMicros(99)));
    }
    return b.toString();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private double[] makespansOf(SchedulerKind kind, int inFlight) {
    return makespans.stream()
        .filter(m -> m.scheduler() == kind && m.inFlight() == inFlight)
        .mapToDouble(SchedulerBench.Makespan::seconds)
        .toArray();
  }

  private String section() {
    StringBuilder b = new StringBuilder();
    b.append("#### Throughput and scheduling latency (P2C)\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Heterogeneous simulated workers (cores 1..16, slots = cores, speed 0.5x..2x), %d"
                + " compile calls kept open by 8 client connections, task times from the fitted"
                + " lognormal scaled by %s (median %.2f ms) so that the workers are never the"
                + " bottleneck; %d s warm-up, then a %d s window.\n\n",
            plan.inFlight,
            plan.throughputScale,
            measured.medianMillis() * plan.throughputScale,
            plan.warmupSeconds,
            plan.measureSeconds));
    b.append(
        "| workers | slots | tasks/s | failed | decision p50 | decision p99 | decision max |"
            + " send→assign p50 | send→assign p99 | queue p50 | queue p99 |\n");
    b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (SchedulerBench.Throughput t : throughput) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %d | %.0f | %d | %s | %s | %s | %s | %s | %s | %s |%n",
              t.workers(),
              t.slots(),
              t.tasksPerSecond(),
              t.failed(),
              us(t.decision().percentileMicros(50)),
              us(t.decision().percentileMicros(99)),
              us(t.decision().maxMicros()),
              us(t.sendToAssign().percentileMicros(50)),
              us(t.sendToAssign().percentileMicros(99)),
              us(t.queue().percentileMicros(50)),
              us(t.queue().percentileMicros(99))));
    }
    b.append(
        "\nCPU actually used in the measured window (the machine is shared, and the simulated"
            + " workers and clients run in the same JVM as the coordinator; coordinator threads ="
            + " its own Netty event loops, gRPC executor and timer):\n\n");
    b.append(
        "| workers | JVM CPU (cores) | coordinator threads CPU (cores) | coordinator CPU per task"
            + " | tasks per coordinator CPU-second |\n");
    b.append("|---:|---:|---:|---:|---:|\n");
    for (SchedulerBench.Throughput t : throughput) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %.2f | %.2f | %.0f µs | %.0f |%n",
              t.workers(),
              t.processCores(),
              t.coordinatorCores(),
              t.coordinatorMicrosPerTask(),
              1e6 / t.coordinatorMicrosPerTask()));
    }
    b.append(
        "\n*decision* = the `Scheduler.pick()` call itself, timed with `System.nanoTime()` inside"
            + " the coordinator (a wrapper around the configured scheduler, on the dispatcher's"
            + " live registry view, under its lock). *send→assign* = from the client creating the"
            + " request to the simulated worker receiving the assignment (client→coordinator hop,"
            + " dispatch, coordinator→worker hop; one JVM, one clock). *queue* = the coordinator's"
            + " own enqueue-to-assignment time, returned to the client as `queue_micros`.\n\n");

    b.append(
        String.format(
            Locale.ROOT,
            "#### Makespan: P2C vs round-robin vs least-loaded\n\n"
                + "%d heterogeneous workers (cores 1..16 drawn per seed, speed 0.5x..2x), %d tasks"
                + " per run, task times lognormal with median %.0f ms and sigma %.2f (truncated at"
                + " %.1f s) divided by the worker's speed; the same batch and fleet for every"
                + " scheduler within a seed; %d seeds; medians over the seeds.%n%n",
            plan.makespanWorkers,
            plan.makespanTasks,
            makespanTimes.medianMillis(),
            makespanTimes.sigma(),
            makespanTimes.maxMillis() / 1000,
            plan.seeds));
    b.append("| in flight | scheduler | median makespan | min | max | vs least-loaded |\n");
    b.append("|---:|---|---:|---:|---:|---:|\n");
    StringBuilder verdicts = new StringBuilder();
    for (int c : plan.makespanInFlight) {
      double ll = median(makespansOf(SchedulerKind.LEAST_LOADED, c));
      for (SchedulerKind k : SchedulerKind.values()) {
        double[] v = makespansOf(k, c);
        double med = median(v);
        b.append(
            String.format(
                Locale.ROOT,
                "| %d | %s | %.2f s | %.2f s | %.2f s | %+.1f %% |%n",
                c,
                k.flag(),
                med,
                Arrays.stream(v).min().orElse(Double.NaN),
                Arrays.stream(v).max().orElse(Double.NaN),
                (med / ll - 1) * 100));
      }
      double p2c = median(makespansOf(SchedulerKind.P2C, c));
      verdicts.append(
          String.format(
              Locale.ROOT,
              "- P2C makespan no worse than least-loaded (%d in flight): P2C %.2f s vs %.2f s"
                  + " → **%s**%n",
              c,
              p2c,
              ll,
              p2c <= ll ? "met" : "missed"));
    }
    SchedulerBench.Throughput largest = throughput.get(throughput.size() - 1);
    double worstP99 =
        throughput.stream().mapToDouble(t -> t.decision().percentileMicros(99)).max().orElse(0);
    b.append("\n#### Targets (issue 4)\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "- ≥ 2,000 tasks/s with %d workers: %.0f tasks/s → **%s**%n",
            largest.workers(),
            largest.tasksPerSecond(),
            largest.tasksPerSecond() >= 2000 ? "met" : "missed"));
    b.append(
        String.format(
            Locale.ROOT,
            "- p99 scheduling decision ≤ 1 ms (worst over all fleet sizes): %s → **%s**%n",
            us(worstP99),
            worstP99 <= 1000 ? "met" : "missed"));
    b.append(verdicts);
    b.append("\nParameters: `").append(plan.describeArgs()).append("`\n");
    return b.toString();
  }

  private static String us(double micros) {
    if (Double.isNaN(micros)) {
      return "–";
    }
    return micros >= 1000
        ? String.format(Locale.ROOT, "%.2f ms", micros / 1000)
        : String.format(Locale.ROOT, "%.1f µs", micros);
  }
}
