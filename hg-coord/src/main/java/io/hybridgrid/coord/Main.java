package io.hybridgrid.coord;

import io.grpc.netty.NettyServerBuilder;
import io.hybridgrid.coord.cache.ByteSize;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hg-coord}: the coordinator. */
@Command(
    name = "hg-coord",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Hybrid-Grid coordinator.",
    subcommands = {Main.Serve.class})
public final class Main implements Callable<Integer> {
  static final String VERSION = "0.1.0";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** {@code hg-coord serve}. */
  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the coordinator.")
  static final class Serve implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Serve.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--grpc-port",
        defaultValue = "9000",
        description = "gRPC port for clients and workers (default: ${DEFAULT-VALUE}).")
    int grpcPort;

    @Option(
        names = "--http-port",
        defaultValue = "8080",
        description =
            "HTTP port for /health, /api/v1/* and the dashboard (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
        names = "--bind",
        defaultValue = "0.0.0.0",
        description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(
        names = "--queue-size",
        defaultValue = "10000",
        description = "Tasks that may wait for a worker (default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(
        names = "--queue-timeout",
        defaultValue = "300",
        paramLabel = "SECONDS",
        description = "How long a task may wait for a worker (default: ${DEFAULT-VALUE}).")
    int queueTimeoutSeconds;

    @Option(
        names = "--hedge-floor",
        defaultValue = "4",
        paramLabel = "SECONDS",
        description =
            "A running compile is duplicated on another worker once it has run this long and"
                + " --hedge-factor times its worker's average for similar compiles; 0 = never"
                + " (default: ${DEFAULT-VALUE}).")
    double hedgeFloorSeconds;

    @Option(
        names = "--hedge-factor",
        defaultValue = "3",
        paramLabel = "K",
        description = "See --hedge-floor; at least 1 (default: ${DEFAULT-VALUE}).")
    double hedgeFactor;

    @Option(
        names = "--worker-wait",
        defaultValue = "5",
        paramLabel = "SECONDS",
        description =
            "For this long after start, a compile no connected worker can run waits for workers"
                + " to (re)connect instead of failing (default: ${DEFAULT-VALUE}).")
    double workerWaitSeconds;

    @CommandLine.Mixin MdnsOptions mdns = new MdnsOptions();

    @Option(
        names = "--scheduler",
        defaultValue = "p2c",
        converter = SchedulerConverter.class,
        paramLabel = "p2c|round-robin|least-loaded",
        description = "Placement policy (default: ${DEFAULT-VALUE}).")
    SchedulerKind scheduler;

    @Option(
        names = "--state-dir",
        paramLabel = "DIR",
        description =
            "Where connectivity events and the disk cache live (default: ~/.hybridgrid/coord).")
    Path stateDir;

    @Option(names = "--no-cache", description = "Turn the shared result cache off.")
    boolean noCache;

    @Option(
        names = "--cache-memory",
        defaultValue = "512M",
        converter = SizeConverter.class,
        paramLabel = "SIZE",
        description = "Memory tier bound, e.g. 512M, 2G; 0 = none (default: ${DEFAULT-VALUE}).")
    long cacheMemory;

    @Option(
        names = "--cache-dir",
        paramLabel = "DIR",
        description = "Disk tier directory (default: <state-dir>/cache).")
    Path cacheDir;

    @Option(
        names = "--cache-disk-size",
        defaultValue = "10G",
        converter = SizeConverter.class,
        paramLabel = "SIZE",
        description = "Disk tier bound; 0 = none (default: ${DEFAULT-VALUE}).")
    long cacheDiskSize;

    @Override
    public Integer call() throws Exception {
      DispatchSettings defaults = DispatchSettings.defaults();
      if (hedgeFloorSeconds < 0 || workerWaitSeconds < 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--hedge-floor and --worker-wait must not be negative");
      }
      if (!(hedgeFactor >= 1)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--hedge-factor must be at least 1, not " + hedgeFactor);
      }
      DispatchSettings settings =
          new DispatchSettings(
                  queueSize,
                  Duration.ofSeconds(queueTimeoutSeconds),
                  defaults.taskTimeout(),
                  defaults.maxAttempts(),
                  defaults.heartbeatTimeout())
              .withHedging(hedgeFactor, Duration.ofMillis((long) (hedgeFloorSeconds * 1000)))
              .withWorkerWait(Duration.ofMillis((long) (workerWaitSeconds * 1000)));
      Path state =
          stateDir != null
              ? stateDir
              : Path.of(System.getProperty("user.home"), ".hybridgrid", "coord");
      CoordinatorConfig config =
          new CoordinatorConfig(
              settings,
              Duration.ofSeconds(2),
              scheduler,
              state,
              new CacheSettings(
                  !noCache,
                  cacheMemory,
                  cacheDir != null ? cacheDir : state.resolve("cache"),
                  cacheDiskSize));
      CoordinatorServer server =
          new CoordinatorServer(
              NettyServerBuilder.forAddress(new InetSocketAddress(bind, grpcPort))
                  // Workers and clients ping every 30 s to notice dead peers behind NAT.
                  .permitKeepAliveTime(20, TimeUnit.SECONDS)
                  .permitKeepAliveWithoutCalls(true),
              new InetSocketAddress(bind, httpPort),
              config,
              Clock.systemUTC());
      server.start();
      MdnsOptions.Announcement announcement =
          mdns.announce(bind, server.grpcPort(), server.httpPort(), VERSION);
      CountDownLatch done = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    announcement.close();
                    server.close();
                    done.countDown();
                  },
                  "hg-coord-shutdown"));
      log.info(
          "hg-coord {} listening: gRPC {}:{}, HTTP {}:{}",
          VERSION,
          bind,
          server.grpcPort(),
          bind,
          server.httpPort());
      done.await();
      return 0;
    }
  }

  /** Parses {@code --scheduler}. */
  static final class SchedulerConverter implements CommandLine.ITypeConverter<SchedulerKind> {
    @Override
    public SchedulerKind convert(String value) {
      try {
        return SchedulerKind.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Parses sizes such as 512M. */
  static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return ByteSize.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  public static void main(String[] args) {
    int code =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  cmd.getErr().println("hg-coord: " + e.getMessage());
                  return 1;
                })
            .execute(args);
    System.exit(code);
  }
}
