package io.hybridgrid.cli;

import io.hybridgrid.cli.compile.ClientSettings;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.Stats;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hgbuild status}: the coordinator's counters. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show grid status.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand Main parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    ClientSettings settings = parent.settings();
    return parent.withStatus(
        spec,
        stub -> {
          Stats s = stub.getStats(GetStatsRequest.getDefaultInstance());
          PrintWriter out = spec.commandLine().getOut();
          out.printf("coordinator      %s%n", settings.coordinator());
          out.printf("workers          %d%n", s.getWorkers());
          out.printf(
              "tasks completed  %d (compile errors: %d)%n",
              s.getTasksCompleted(), s.getCompileErrors());
          out.printf("tasks failed     %d%n", s.getTasksFailed());
          out.printf("tasks retried    %d%n", s.getTasksRetried());
          out.printf("queued / running %d / %d%n", s.getTasksQueued(), s.getActiveTasks());
          out.printf(
              "content store    %d blobs, %d bytes held; uploaded %d blobs, %d bytes;"
                  + " refused %d%n",
              s.getCasHeldBlobs(),
              s.getCasHeldBytes(),
              s.getCasUploadedBlobs(),
              s.getCasUploadedBytes(),
              s.getCasRefusedUploads());
          out.printf(
              "action cache     %d hits, %d misses (%d with outputs gone)%n",
              s.getActionCacheHits(), s.getActionCacheMisses(), s.getActionCacheStale());
          out.printf("uptime           %d s%n", s.getUptimeSeconds());
          out.flush();
          return 0;
        });
  }
}
