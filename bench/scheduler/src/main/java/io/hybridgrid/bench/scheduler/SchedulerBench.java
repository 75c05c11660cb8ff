package io.hybridgrid.bench.scheduler;

import io.hybridgrid.coord.scheduler.SchedulerKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The scheduler benchmark (issue 4, item 8): throughput and scheduling latency through one real
 * coordinator for several fleet sizes, then the makespan of each placement policy on one
 * heterogeneous fleet. Writes CSVs and a Markdown section to {@code --out}; bench/README.md tells
 * how to run it, bench/scheduler-bench.sh runs it and splices the section into docs/benchmarks.md.
 */
@Command(
    name = "scheduler-bench",
    mixinStandardHelpOptions = true,
    description = "Scheduler benchmark: simulated workers against one hg-coord on loopback.")
public final class SchedulerBench implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Directory for CSVs and section.md.")
  Path out;

  @Option(
      names = "--workers",
      split = ",",
      defaultValue = "10,100,500",
      description = "Fleet sizes for the throughput runs (default: ${DEFAULT-VALUE}).")
  int[] workers;

  @Option(names = "--warmup-s", defaultValue = "4", description = "Warm-up per throughput run.")
  int warmupSeconds;

  @Option(names = "--measure-s", defaultValue = "10", description = "Measured window per run.")
  int measureSeconds;

  @Option(
      names = "--in-flight",
      defaultValue = "256",
      description = "Compile calls open at once in throughput runs (default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(
      names = "--median-ms",
      defaultValue = "171",
      description = "Median compile time of the fitted lognormal (default: ${DEFAULT-VALUE}).")
  double medianMillis;

  @Option(
      names = "--sigma",
      defaultValue = "1.20",
      description = "Sigma of ln(compile time) (default: ${DEFAULT-VALUE}).")
  double sigma;

  @Option(
      names = "--throughput-scale",
      defaultValue = "0.005",
      description =
          "Compile times are multiplied by this in throughput runs, so that workers are never"
              + " the bottleneck (default: ${DEFAULT-VALUE}).")
  double throughputScale;

  @Option(
      names = "--makespan-median-ms",
      defaultValue = "60",
      description = "Median task time in makespan runs; same sigma (default: ${DEFAULT-VALUE}).")
  double makespanMedianMillis;

  @Option(names = "--makespan-workers", defaultValue = "20")
  int makespanWorkers;

  @Option(names = "--makespan-tasks", defaultValue = "2000")
  int makespanTasks;

  @Option(
      names = "--makespan-in-flight",
      split = ",",
      defaultValue = "64,256",
      description = "Client concurrency levels for the makespan runs (default: ${DEFAULT-VALUE}).")
  int[] makespanInFlight;

  @Option(names = "--seeds", defaultValue = "5", description = "Makespan repetitions.")
  int seeds;

  /** One throughput run's figures. */
  record Throughput(
      int workers,
      int slots,
      double tasksPerSecond,
      long completed,
      long failed,
      LatencySamples.Summary decision,
      LatencySamples.Summary sendToAssign,
      LatencySamples.Summary queue,
      double processCores,
      double coordinatorCores) {
    /** Coordinator CPU time per task, in microseconds. */
    double coordinatorMicrosPerTask() {
      return coordinatorCores * 1e6 / tasksPerSecond;
    }
  }

  /** One makespan run. */
  record Makespan(
      SchedulerKind scheduler,
      long seed,
      int inFlight,
      double seconds,
      long failed,
      LatencySamples.Summary decision) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new SchedulerBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(out);
    CompileTimes measured = new CompileTimes(medianMillis, sigma, medianMillis * 30);
    List<Throughput> throughput = new ArrayList<>();
    for (int n : workers) {
      throughput.add(throughput(n, measured.scaled(throughputScale)));
    }
    CompileTimes makespanTimes = measured.scaled(makespanMedianMillis / medianMillis);
    List<Makespan> makespans = new ArrayList<>();
    for (int c : makespanInFlight) {
      for (int seed = 1; seed <= seeds; seed++) {
        for (SchedulerKind kind : SchedulerKind.values()) {
          makespans.add(makespan(kind, seed, c, makespanTimes));
        }
      }
    }
    new Report(this, measured, makespanTimes, throughput, makespans).writeTo(out);
    return 0;
  }

  private Throughput throughput(int n, CompileTimes times) throws Exception {
    List<WorkerProfile> fleet = WorkerProfile.heterogeneous(n, 1000L + n);
    int slots = fleet.stream().mapToInt(WorkerProfile::cores).sum();
    System.out.printf(
        Locale.ROOT, "throughput: %d workers, %d slots, %d in flight%n", n, slots, inFlight);
    try (BenchGrid grid = new BenchGrid(SchedulerKind.P2C, fleet, 8)) {
      LatencySamples queue = new LatencySamples(5_000_000);
      LoadGenerator load = new LoadGenerator(grid.clientChannels(), inFlight, times, n, queue);
      CpuMeter cpu = new CpuMeter();
      CpuMeter.Reading[] window = new CpuMeter.Reading[2];
      LoadGenerator.Outcome o =
          load.runTimed(
              Duration.ofSeconds(warmupSeconds),
              Duration.ofSeconds(measureSeconds),
              () -> {
                grid.decisions.clear();
                grid.sendToAssign.clear();
                queue.clear();
                window[0] = cpu.read();
              },
              () -> window[1] = cpu.read());
      // Samples taken after the window (the drain) are few and of the same kind; keep them.
      Throughput t =
          new Throughput(
              n,
              slots,
              o.perSecond(),
              o.completed(),
              o.failed(),
              grid.decisions.summary(),
              grid.sendToAssign.summary(),
              queue.summary(),
              window[1].processCores(window[0]),
              window[1].coordinatorCores(window[0]));
      System.out.printf(
          Locale.ROOT,
          "  %.0f tasks/s, %d failed%s; decision p50 %.1f us p99 %.1f us;"
              + " CPU: process %.2f cores, coordinator %.2f cores (%.0f us per task)%n",
          t.tasksPerSecond(),
          o.failed(),
          o.firstError() == null ? "" : " (" + o.firstError() + ")",
          t.decision().percentileMicros(50),
          t.decision().percentileMicros(99),
          t.processCores(),
          t.coordinatorCores(),
          t.coordinatorMicrosPerTask());
      return t;
    }
  }

  private Makespan makespan(SchedulerKind kind, long seed, int concurrency, CompileTimes times)
      throws Exception {
    List<WorkerProfile> fleet = WorkerProfile.heterogeneous(makespanWorkers, seed);
    try (BenchGrid grid = new BenchGrid(kind, fleet, 4)) {
      LoadGenerator load =
          new LoadGenerator(
              grid.clientChannels(), concurrency, times, seed, new LatencySamples(1_000_000));
      LoadGenerator.Outcome o = load.runBatch(makespanTasks, Duration.ofMinutes(3));
      Makespan m =
          new Makespan(
              kind,
              seed,
              concurrency,
              o.elapsedNanos() / 1e9,
              o.failed(),
              grid.decisions.summary());
      System.out.printf(
          Locale.ROOT,
          "makespan: %-12s seed %d, %3d in flight: %.2f s, %d failed%n",
          kind.flag(),
          seed,
          concurrency,
          m.seconds(),
          o.failed());
      return m;
    }
  }

  /** Writes {@code text} to {@code file} atomically (temp file, then rename). */
  static void writeAtomically(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
      w.print(text);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  String describeArgs() {
    return String.format(
        Locale.ROOT,
        "workers=%s warmup=%ds measure=%ds in-flight=%d median=%.0fms sigma=%.2f"
            + " throughput-scale=%s makespan: %d workers, %d tasks, median %.0fms, in-flight %s,"
            + " %d seeds",
        Arrays.toString(workers),
        warmupSeconds,
        measureSeconds,
        inFlight,
        medianMillis,
        sigma,
        throughputScale,
        makespanWorkers,
        makespanTasks,
        makespanMedianMillis,
        Arrays.toString(makespanInFlight),
        seeds);
  }
}
