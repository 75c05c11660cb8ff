package io.hybridgrid.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.cli.compile.ClientSettings;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.proto.v1.ActivityServiceGrpc;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.ListRunningTasksRequest;
import io.hybridgrid.proto.v1.ListRunningTasksResponse;
import io.hybridgrid.proto.v1.ListWorkersRequest;
import io.hybridgrid.proto.v1.RunningTask;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import io.hybridgrid.proto.v1.WorkerInfo;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hgbuild top}: a refreshing view of the grid (as icemon or distccmon-text show theirs):
 * workers with their slots and load, the tasks running now on each, and the rate. Redraws in place
 * on a terminal; {@code --once} (or output that is not a terminal) prints one frame and exits.
 */
@Command(
    name = "top",
    mixinStandardHelpOptions = true,
    description = "Watch workers, running tasks and rates (Ctrl-C to quit).")
final class TopCommand implements Callable<Integer> {
  private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");

  @ParentCommand Main parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-d", "--interval"},
      defaultValue = "1",
      paramLabel = "SECONDS",
      description = "Seconds between refreshes (default: ${DEFAULT-VALUE}).")
  double interval;

  @Option(
      names = {"-n", "--iterations"},
      defaultValue = "0",
      paramLabel = "N",
      description = "Stop after N frames; 0 = until interrupted (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--once", description = "Print one frame and exit.")
  boolean once;

  @Option(names = "--json", description = "Print one snapshot as JSON and exit.")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    if (!(interval >= 0.1 && interval <= 3600)) {
      spec.commandLine().getErr().println("hgbuild top: --interval must be 0.1..3600 seconds");
      return 2;
    }
    ClientSettings settings = parent.settings();
    ManagedChannel channel = Channels.forAddress(settings.coordinator());
    boolean live = !once && !json && System.console() != null;
    PrintWriter out = spec.commandLine().getOut();
    try {
      for (int frame = 1; ; frame++) {
        Frame f;
        try {
          f = fetch(channel);
        } catch (StatusRuntimeException e) {
          spec.commandLine()
              .getErr()
              .println(
                  "hgbuild top: cannot reach coordinator at "
                      + settings.coordinator()
                      + ": "
                      + e.getStatus().getCode());
          if (!live) {
            return 1;
          }
          Thread.sleep((long) (interval * 1000));
          continue;
        }
        if (json) {
          out.println(CacheReport.json(f.toJson()));
          out.flush();
          return 0;
        }
        String text = render(f, settings.coordinator().toString(), Clock.systemDefaultZone());
        out.print(live ? "\033[H\033[2J" + text : text);
        out.flush();
        if (!live || (iterations > 0 && frame >= iterations)) {
          return 0;
        }
        Thread.sleep((long) (interval * 1000));
      }
    } finally {
      channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }
  }

  /**
   * One refresh.
   *
   * @param stats the coordinator's counters
   * @param workers connected workers
   * @param running tasks on workers now and the finished count of the last 10 s
   */
  record Frame(Stats stats, List<WorkerInfo> workers, ListRunningTasksResponse running) {
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("workers", WorkersCommand.toJson(workers));
      List<Map<String, Object>> tasks = new ArrayList<>();
      for (RunningTask t : running.getTasksList()) {
        Map<String, Object> tm = new LinkedHashMap<>();
        tm.put("task", t.getTaskId());
        tm.put("file", t.getFile());
        tm.put("worker", t.getWorkerId());
        tm.put("started_unix_millis", t.getStartedUnixMillis());
        tasks.add(tm);
      }
      m.put("running", tasks);
      m.put("tasks_per_second", running.getFinishedLast10S() / 10.0);
      m.put("tasks_completed", stats.getTasksCompleted());
      m.put("tasks_queued", stats.getTasksQueued());
      return m;
    }
  }

  private static Frame fetch(ManagedChannel channel) {
    var status = StatusServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    var activity =
        ActivityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    return new Frame(
        status.getStats(GetStatsRequest.getDefaultInstance()),
        status.listWorkers(ListWorkersRequest.getDefaultInstance()).getWorkersList(),
        activity.listRunningTasks(ListRunningTasksRequest.getDefaultInstance()));
  }

  /** The frame as text, one line per worker and one per running task under it. */
  static String render(Frame f, String coordinator, Clock clock) {
    StringBuilder b = new StringBuilder();
    Stats s = f.stats();
    int slots = f.workers().stream().mapToInt(w -> w.getCapabilities().getMaxParallel()).sum();
    b.append(
        String.format(
            "hgbuild top  %s  %s   workers %d  slots %d/%d busy  queued %d  %.1f tasks/s  done %d"
                + " (errors %d, failed %d)%n%n",
            coordinator,
            LocalTime.now(clock).format(HMS),
            f.workers().size(),
            s.getActiveTasks(),
            slots,
            s.getTasksQueued(),
            f.running().getFinishedLast10S() / 10.0,
            s.getTasksCompleted(),
            s.getCompileErrors(),
            s.getTasksFailed()));
    b.append(
        String.format(
            "%-22s %-8s %-9s %-9s %6s %8s %7s  %s%n",
            "WORKER", "STATE", "CIRCUIT", "BUSY", "LOAD", "TASK MS", "DONE", "COMPILERS"));
    Instant now = clock.instant();
    for (WorkerInfo w : f.workers()) {
      int max = w.getCapabilities().getMaxParallel();
      String bar =
          "["
              + "#".repeat(Math.min(max, w.getActiveTasks()))
              + ".".repeat(Math.max(0, max - w.getActiveTasks()))
              + "]";
      b.append(
          String.format(
              "%-22s %-8s %-9s %-9s %6s %8s %7d  %s%n",
              clip(w.getWorkerId(), 22),
              w.getState(),
              WorkersCommand.circuit(w.getCircuitState()),
              clip(bar, 9),
              w.getLoadAverage() < 0 ? "-" : String.format("%.2f", w.getLoadAverage()),
              w.getTaskMillis() < 0 ? "-" : String.format("%.0f", w.getTaskMillis()),
              w.getTasksCompleted(),
              WorkersCommand.compilers(w.getCapabilities().getCompilersList())));
      for (RunningTask t : f.running().getTasksList()) {
        if (t.getWorkerId().equals(w.getWorkerId())) {
          double secs =
              Duration.between(Instant.ofEpochMilli(t.getStartedUnixMillis()), now).toMillis()
                  / 1000.0;
          b.append(String.format("    %-40s %6.1f s%n", clip(t.getFile(), 40), Math.max(0, secs)));
        }
      }
    }
    if (f.workers().isEmpty()) {
      b.append("(no workers connected)\n");
    }
    b.append(String.format("%n%d running", f.running().getTasksCount()));
    b.append(System.lineSeparator());
    return b.toString();
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
