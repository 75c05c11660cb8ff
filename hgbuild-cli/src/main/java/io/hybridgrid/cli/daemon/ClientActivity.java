package io.hybridgrid.cli.daemon;

import io.grpc.Channel;
import io.hybridgrid.cli.cache.StatsDelta;
import io.hybridgrid.common.fs.AtomicFiles;
import io.hybridgrid.common.grpc.BuildIds;
import io.hybridgrid.proto.v1.ActivityServiceGrpc;
import io.hybridgrid.proto.v1.ClientTask;
import io.hybridgrid.proto.v1.ClientTasksReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the daemon tells others about the compiles it served.
 *
 * <p>For the wrapper's progress line ({@code hgbuild make|ninja} set {@code HG_BUILD_ID}): the
 * build's counts, rewritten atomically after each compile to {@code build-ID.progress} beside the
 * daemon's socket as one line {@code done remote cached local fallback failed}; the native launcher
 * reads it (see hgbuild.c, {@code progress_path}).
 *
 * <p>For the coordinator: compiles it never saw (local cache hits, local compiles, fallbacks) and
 * local cache misses, sent in batches by {@link #flush()} over the coordinator channel; at most
 * {@value #MAX_PENDING} wait per coordinator (the oldest are dropped when it cannot be reached).
 * Thread-safe.
 */
public final class ClientActivity {
  private static final Logger log = LoggerFactory.getLogger(ClientActivity.class);

  /** Reports kept per coordinator while it cannot be reached. */
  static final int MAX_PENDING = 5000;

  /** Builds whose counts are kept. */
  private static final int MAX_BUILDS = 64;

  private static final Pattern SOURCE =
      Pattern.compile(".*\\.(c|cc|cp|cpp|cxx|c\\+\\+|C|CPP|m|mm|i|ii|s|S|sx)$");

  private final Path progressDir;
  private final Clock clock;
  private final String clientId;

  /** Per build: done, remote, cached, local, fallback, failed. */
  private final Map<String, long[]> builds =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> e) {
          return size() > MAX_BUILDS;
        }
      };

  private final Map<Channel, Pending> pending = new LinkedHashMap<>();

  private static final class Pending {
    final Deque<ClientTask> tasks = new ArrayDeque<>();
    long misses;
  }

  /**
   * @param progressDir where build progress files are written (the socket's directory)
   * @param clock time of each report
   * @param clientId how reports name this client
   */
  public ClientActivity(Path progressDir, Clock clock, String clientId) {
    this.progressDir = progressDir;
    this.clock = clock;
    this.clientId = clientId;
  }

  /** The progress file of {@code buildId} in {@code dir} (the id must be valid). */
  public static Path progressFile(Path dir, String buildId) {
    return dir.resolve("build-" + buildId + ".progress");
  }

  /** Where a compile ended up, from the counters its flow moved. */
  static String placement(StatsDelta d) {
    if (d.get(StatsDelta.HITS_DIRECT) + d.get(StatsDelta.HITS_PREPROCESSED) > 0) {
      return "local_cache";
    }
    if (d.get(StatsDelta.FALLBACKS) > 0) {
      return "fallback";
    }
    if (d.get(StatsDelta.REMOTE) > 0) {
      return "remote";
    }
    return "local";
  }

  /** The source file an argv compiles, else what it writes ({@code -o}), else its last argument. */
  static String file(List<String> argv) {
    for (int i = argv.size() - 1; i > 0; i--) {
      if (SOURCE.matcher(argv.get(i)).matches() && !argv.get(i - 1).equals("-o")) {
        return argv.get(i);
      }
    }
    for (int i = 1; i + 1 < argv.size(); i++) {
      if (argv.get(i).equals("-o")) {
        return argv.get(i + 1);
      }
    }
    return argv.isEmpty() ? "" : argv.get(argv.size() - 1);
  }

  /**
   * A compile ended.
   *
   * @param env the launcher's environment (for {@code HG_BUILD_ID})
   * @param argv compiler and arguments
   * @param outcome what the flow counted
   * @param exitCode what the build saw
   * @param micros how long it took
   * @param coordinator the channel to report to, or null for none
   */
  public void compiled(
      Map<String, String> env,
      List<String> argv,
      StatsDelta outcome,
      int exitCode,
      long micros,
      Channel coordinator) {
    String buildId = BuildIds.sanitize(env.get(BuildIds.ENV));
    String placement = placement(outcome);
    if (!buildId.isEmpty()) {
      writeProgress(buildId, placement, exitCode);
    }
    if (coordinator == null) {
      return;
    }
    synchronized (pending) {
      Pending p = pending.computeIfAbsent(coordinator, c -> new Pending());
      p.misses += outcome.get(StatsDelta.MISSES);
      if (!placement.equals("remote")) {
        p.tasks.addLast(
            ClientTask.newBuilder()
                .setPlacement(placement)
                .setFile(file(argv))
                .setExitCode(exitCode)
                .setDurationMicros(micros)
                .setFinishedUnixMillis(clock.millis())
                .setBuildId(buildId)
                .build());
        while (p.tasks.size() > MAX_PENDING) {
          p.tasks.removeFirst();
        }
      }
    }
  }

  private void writeProgress(String buildId, String placement, int exitCode) {
    String line;
    synchronized (builds) {
      long[] c = builds.computeIfAbsent(buildId, id -> new long[6]);
      c[0]++;
      switch (placement) {
        case "remote" -> c[1]++;
        case "local_cache" -> c[2]++;
        case "fallback" -> c[4]++;
        default -> c[3]++;
      }
      if (exitCode != 0) {
        c[5]++;
      }
      line = c[0] + " " + c[1] + " " + c[2] + " " + c[3] + " " + c[4] + " " + c[5] + "\n";
      try {
        AtomicFiles.write(
            progressFile(progressDir, buildId), line.getBytes(StandardCharsets.US_ASCII), false);
      } catch (IOException e) {
        log.debug("cannot write build progress for {}: {}", buildId, e.toString());
      }
    }
  }

  /** Sends what waits to each coordinator; what cannot be sent waits for the next flush. */
  public void flush() {
    List<Map.Entry<Channel, ClientTasksReport>> batches = new ArrayList<>();
    synchronized (pending) {
      for (var e : pending.entrySet()) {
        Pending p = e.getValue();
        if (p.tasks.isEmpty() && p.misses == 0) {
          continue;
        }
        ClientTasksReport.Builder b =
            ClientTasksReport.newBuilder().setClientId(clientId).setLocalCacheMisses(p.misses);
        for (int i = 0; i < 1000 && !p.tasks.isEmpty(); i++) {
          b.addTasks(p.tasks.removeFirst());
        }
        p.misses = 0;
        batches.add(Map.entry(e.getKey(), b.build()));
      }
    }
    for (var batch : batches) {
      try {
        ActivityServiceGrpc.newBlockingStub(batch.getKey())
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .reportClientTasks(batch.getValue());
      } catch (RuntimeException e) {
        log.debug("cannot report client tasks: {}", e.toString());
        synchronized (pending) {
          Pending p = pending.computeIfAbsent(batch.getKey(), c -> new Pending());
          List<ClientTask> back = batch.getValue().getTasksList();
          for (int i = back.size() - 1; i >= 0 && p.tasks.size() < MAX_PENDING; i--) {
            p.tasks.addFirst(back.get(i));
          }
          p.misses += batch.getValue().getLocalCacheMisses();
        }
      }
    }
  }
}
