package io.hybridgrid.cli;

import io.hybridgrid.cli.compile.ClientSettings;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.ListWorkersRequest;
import io.hybridgrid.proto.v1.Stats;
import io.hybridgrid.proto.v1.WorkerInfo;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hgbuild status}: the coordinator's counters and its workers' compilers. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show grid status.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand Main parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    ClientSettings settings = parent.settings();
    return parent.withStatus(
        spec,
        stub -> {
          Stats s = stub.getStats(GetStatsRequest.getDefaultInstance());
          List<WorkerInfo> workers =
              stub.listWorkers(ListWorkersRequest.getDefaultInstance()).getWorkersList();
          PrintWriter out = spec.commandLine().getOut();
          if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("coordinator", settings.coordinator().toString());
            m.put("workers", s.getWorkers());
            m.put("tasks_completed", s.getTasksCompleted());
            m.put("compile_errors", s.getCompileErrors());
            m.put("tasks_failed", s.getTasksFailed());
            m.put("tasks_retried", s.getTasksRetried());
            m.put("tasks_queued", s.getTasksQueued());
            m.put("active_tasks", s.getActiveTasks());
            m.put("uptime_seconds", s.getUptimeSeconds());
            m.put("cache_hits", s.getCacheHits());
            m.put("cache_misses", s.getCacheMisses());
            m.put("cas_uploaded_bytes", s.getCasUploadedBytes());
            m.put("toolchains_seen", s.getToolchainsSeen());
            m.put("toolchain_bytes_uploaded", s.getToolchainBytesUploaded());
            m.put("worker_list", WorkersCommand.toJson(workers));
            out.println(CacheReport.json(m));
            out.flush();
            return 0;
          }
          out.printf("coordinator      %s%n", settings.coordinator());
          out.printf("workers          %d%n", s.getWorkers());
          out.printf(
              "tasks completed  %d (compile errors: %d)%n",
              s.getTasksCompleted(), s.getCompileErrors());
          out.printf("tasks failed     %d%n", s.getTasksFailed());
          out.printf("tasks retried    %d%n", s.getTasksRetried());
          out.printf("queued / running %d / %d%n", s.getTasksQueued(), s.getActiveTasks());
          out.printf("shared cache     %d hits, %d misses%n", s.getCacheHits(), s.getCacheMisses());
          out.printf(
              "content store    %d blobs, %d bytes held; uploaded %d blobs, %d bytes;"
                  + " refused %d%n",
              s.getCasHeldBlobs(),
              s.getCasHeldBytes(),
              s.getCasUploadedBlobs(),
              s.getCasUploadedBytes(),
              s.getCasRefusedUploads());
          out.printf(
              "toolchains       %d shipped, %d bytes uploaded%n",
              s.getToolchainsSeen(), s.getToolchainBytesUploaded());
          out.printf(
              "action cache     %d hits, %d misses (%d with outputs gone)%n",
              s.getActionCacheHits(), s.getActionCacheMisses(), s.getActionCacheStale());
          out.printf("uptime           %d s%n", s.getUptimeSeconds());
          for (WorkerInfo w : workers) {
            out.printf(
                "  %-22s %-8s %d/%d busy  %s%n",
                w.getWorkerId(),
                w.getState(),
                w.getActiveTasks(),
                w.getCapabilities().getMaxParallel(),
                WorkersCommand.compilers(w.getCapabilities().getCompilersList()));
          }
          out.flush();
          return 0;
        });
  }
}
