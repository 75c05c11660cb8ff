package io.hybridgrid.cli;

import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompilerIdentity;
import io.hybridgrid.proto.v1.ListWorkersRequest;
import io.hybridgrid.proto.v1.ListWorkersResponse;
import io.hybridgrid.proto.v1.WorkerInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hgbuild workers}: the connected workers, with their compilers' versions. */
@Command(name = "workers", mixinStandardHelpOptions = true, description = "List connected workers.")
final class WorkersCommand implements Callable<Integer> {
  @ParentCommand Main parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    return parent.withStatus(
        spec,
        stub -> {
          ListWorkersResponse r = stub.listWorkers(ListWorkersRequest.getDefaultInstance());
          PrintWriter out = spec.commandLine().getOut();
          if (json) {
            out.println(CacheReport.json(toJson(r.getWorkersList())));
            out.flush();
            return 0;
          }
          out.printf(
              "%-24s %-9s %-9s %5s %5s %6s %8s %8s %9s %7s %-10s  %s%n",
              "WORKER",
              "STATE",
              "CIRCUIT",
              "SLOTS",
              "BUSY",
              "LOAD",
              "TASK MS",
              "RTT MS",
              "COMPLETED",
              "FAILED",
              "TOOLCHAINS",
              "COMPILERS");
          for (WorkerInfo w : r.getWorkersList()) {
            out.printf(
                "%-24s %-9s %-9s %5d %5d %6s %8s %8s %9d %7d %-10s  %s%n",
                w.getWorkerId(),
                w.getState(),
                circuit(w.getCircuitState()),
                w.getCapabilities().getMaxParallel(),
                w.getActiveTasks(),
                w.getLoadAverage() < 0 ? "-" : String.format("%.2f", w.getLoadAverage()),
                w.getTaskMillis() < 0 ? "-" : String.format("%.0f", w.getTaskMillis()),
                w.getRttMillis() < 0 ? "-" : String.format("%.1f", w.getRttMillis()),
                w.getTasksCompleted(),
                w.getTasksFailed(),
                toolchains(w),
                compilers(w.getCapabilities().getCompilersList()));
          }
          if (r.getWorkersCount() == 0) {
            out.println("(no workers connected)");
          }
          out.flush();
          return 0;
        });
  }

  /**
   * Which compilers the worker runs and how many shipped toolchains it holds: {@code both:2} (its
   * own and shipped ones; two held), {@code own}, {@code shipped:0}.
   */
  static String toolchains(WorkerInfo w) {
    Capabilities c = w.getCapabilities();
    boolean own = c.getRunsOwnCompilers() || !c.getAcceptsShippedToolchains();
    if (!c.getAcceptsShippedToolchains()) {
      return "own";
    }
    return (own ? "both" : "shipped") + ":" + w.getToolchainsHeld();
  }

  /**
   * "gcc 12.2.0 x86_64-linux-gnu, gcc 11.3.0 (x86_64-linux-gnu, aarch64-linux-gnu), clang 14.0.6
   * x86_64-pc-linux-gnu": each family and version once, with its targets; "-" for none.
   */
  static String compilers(List<CompilerIdentity> list) {
    if (list.isEmpty()) {
      return "-";
    }
    Map<String, Set<String>> byVersion = new LinkedHashMap<>();
    for (CompilerIdentity c : list) {
      String arch = c.getTarget();
      String version = c.getVersion().split(" ")[0]; // "12.2.0 (Debian 12.2.0-14)" -> 12.2.0
      byVersion
          .computeIfAbsent(c.getFamily() + " " + version, k -> new LinkedHashSet<>())
          .add(arch);
    }
    List<String> parts = new ArrayList<>();
    byVersion.forEach(
        (k, archs) ->
            parts.add(
                archs.size() > 1
                    ? k + " (" + String.join(", ", archs) + ")"
                    : k + " " + archs.iterator().next()));
    return String.join(", ", parts);
  }

  /** closed, open or half-open; a coordinator too old to say has no breaker: closed. */
  static String circuit(String state) {
    return state.isEmpty() ? "closed" : state.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static List<Map<String, Object>> toJson(List<WorkerInfo> workers) {
    List<Map<String, Object>> all = new ArrayList<>();
    for (WorkerInfo w : workers) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", w.getWorkerId());
      m.put("hostname", w.getHostname());
      m.put("state", w.getState());
      m.put("circuit_state", w.getCircuitState().isEmpty() ? "CLOSED" : w.getCircuitState());
      m.put("cores", w.getCapabilities().getCores());
      m.put("max_parallel", w.getCapabilities().getMaxParallel());
      m.put("active_tasks", w.getActiveTasks());
      m.put("tasks_completed", w.getTasksCompleted());
      m.put("tasks_failed", w.getTasksFailed());
      m.put("load_average", w.getLoadAverage());
      m.put("task_ms", w.getTaskMillis());
      m.put("rtt_ms", w.getRttMillis());
      List<Map<String, Object>> compilers = new ArrayList<>();
      for (CompilerIdentity c : w.getCapabilities().getCompilersList()) {
        Map<String, Object> cm = new TreeMap<>();
        cm.put("family", c.getFamily());
        cm.put("version", c.getVersion());
        cm.put("target", c.getTarget());
        cm.put("cxx", c.getCxxDriver());
        compilers.add(cm);
      }
      m.put("compilers", compilers);
      m.put("toolchains", toolchains(w).split(":")[0]);
      m.put("toolchains_held", w.getToolchainsHeld());
      m.put("toolchain_digests", w.getToolchainDigestsList());
      all.add(m);
    }
    return all;
  }
}
