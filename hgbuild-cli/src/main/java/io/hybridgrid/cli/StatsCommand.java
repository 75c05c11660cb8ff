package io.hybridgrid.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.cli.cache.CacheConfig;
import io.hybridgrid.cli.compile.ClientSettings;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.proto.v1.ActivityServiceGrpc;
import io.hybridgrid.proto.v1.BuildSummary;
import io.hybridgrid.proto.v1.ListBuildsRequest;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
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
 * {@code hgbuild stats}: this machine's compile and cache counters (no coordinator needed); {@code
 * --builds}: the recent builds the coordinator's task feed and log hold.
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Show this machine's compile and cache counters (no coordinator needed).",
      "With --builds: recent builds as the coordinator logged them."
    })
final class StatsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  @ParentCommand Main parent;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(
      names = "--builds",
      description = "List recent builds (hgbuild make/ninja) from the coordinator.")
  boolean builds;

  @Option(
      names = "--limit",
      defaultValue = "20",
      paramLabel = "N",
      description = "Builds to list with --builds (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--zero",
      description = "Set the counters to zero (the cache's entries stay), then show them.")
  boolean zero;

  @Override
  public Integer call() throws Exception {
    if (builds) {
      return builds();
    }
    CacheConfig config = parent.cacheConfig();
    if (zero) {
      parent.openCache(config).zeroCounters();
    }
    CacheReport report = CacheReport.of(config, parent.openCache(config));
    if (json) {
      report.printJson(spec.commandLine().getOut(), true);
    } else {
      report.printText(spec.commandLine().getOut(), true);
    }
    return 0;
  }

  private int builds() throws InterruptedException {
    if (limit < 1 || limit > 200) {
      spec.commandLine().getErr().println("hgbuild stats: --limit must be 1..200, not " + limit);
      return 2;
    }
    ClientSettings settings = parent.settings();
    ManagedChannel channel = Channels.forAddress(settings.coordinator());
    try {
      List<BuildSummary> list =
          ActivityServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .listBuilds(ListBuildsRequest.newBuilder().setLimit(limit).build())
              .getBuildsList();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (BuildSummary b : list) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("build", b.getBuildId());
          m.put("client", b.getClientId());
          m.put("started", Instant.ofEpochMilli(b.getStartedUnixMillis()).toString());
          m.put("finished", Instant.ofEpochMilli(b.getFinishedUnixMillis()).toString());
          m.put("tasks", b.getTasks());
          m.put("remote", b.getRemote());
          m.put("cached", b.getCached());
          m.put("local_cache", b.getLocalCache());
          m.put("local", b.getLocal());
          m.put("fallback", b.getFallback());
          m.put("failed", b.getFailed());
          all.add(m);
        }
        out.println(CacheReport.json(all));
      } else {
        out.printf(
            "%-22s %-20s %-19s %7s %6s %6s %6s %6s %8s %6s%n",
            "BUILD",
            "CLIENT",
            "FINISHED",
            "SECONDS",
            "TASKS",
            "REMOTE",
            "CACHED",
            "LOCAL",
            "FALLBACK",
            "FAILED");
        for (BuildSummary b : list) {
          out.printf(
              "%-22s %-20s %-19s %7.1f %6d %6d %6d %6d %8d %6d%n",
              b.getBuildId(),
              b.getClientId(),
              TIME.format(Instant.ofEpochMilli(b.getFinishedUnixMillis())),
              (b.getFinishedUnixMillis() - b.getStartedUnixMillis()) / 1000.0,
              b.getTasks(),
              b.getRemote(),
              b.getCached() + b.getLocalCache(),
              b.getLocal(),
              b.getFallback(),
              b.getFailed());
        }
        if (list.isEmpty()) {
          out.println("(no builds yet: hgbuild make and hgbuild ninja tag their compiles)");
        }
      }
      out.flush();
      return 0;
    } catch (StatusRuntimeException e) {
      spec.commandLine()
          .getErr()
          .println(
              "hgbuild: cannot reach coordinator at "
                  + settings.coordinator()
                  + ": "
                  + e.getStatus().getCode());
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    }
  }
}
