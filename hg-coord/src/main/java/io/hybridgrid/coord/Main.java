package io.hybridgrid.coord;

import io.grpc.netty.NettyServerBuilder;
import io.hybridgrid.common.auth.TokenStore;
import io.hybridgrid.common.config.ByteSize;
import io.hybridgrid.common.config.PicocliDefaults;
import io.hybridgrid.common.grpc.CompressionOption;
import io.hybridgrid.common.jvm.ServerJit;
import io.hybridgrid.common.tls.TlsOptions;
import io.hybridgrid.common.tls.TlsSettings;
import io.hybridgrid.coord.action.ActionLimits;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.cas.CasSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.hybridgrid.coord.tasks.TaskLogSettings;
import io.hybridgrid.coord.verify.VerifySettings;
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
    subcommands = {Main.Serve.class, Main.Health.class, CertsCommand.class})
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
            "HTTP port for the dashboard, /metrics, /health and /api/v1/* (default:"
                + " ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
        names = "--bind",
        paramLabel = "ADDR",
        description =
            "Address to listen on (default: 0.0.0.0 with --tokens, else 127.0.0.1). Beyond"
                + " loopback it needs --tokens, or --insecure.")
    String bind;

    @Option(
        names = "--tokens",
        paramLabel = "FILE",
        description =
            "Accepted tokens, one 'ROLE TOKEN [NAME]' per line (roles: client, worker,"
                + " trusted-worker, admin); the file must be mode 0600.")
    Path tokensFile;

    @Option(
        names = "--insecure",
        description =
            "Listen beyond loopback without tokens: anyone who reaches the port can"
                + " compile, read status and register workers.")
    boolean insecure;

    @CommandLine.Mixin TlsOptions tls = new TlsOptions();

    @Option(
        names = "--request-memory",
        defaultValue = "512M",
        converter = SizeConverter.class,
        paramLabel = "SIZE",
        description =
            "Memory for compile requests being received or held; a request is read off the wire"
                + " only when 64 MiB (the largest message) fit (default: ${DEFAULT-VALUE}).")
    long requestMemory;

    @Option(
        names = "--verify-sample-rate",
        defaultValue = "0.05",
        paramLabel = "0..1",
        description =
            "Share of trusted-worker results re-run on another worker before they are trusted"
                + " further; results of workers holding only a worker token are always re-run"
                + " before they are shared (default: ${DEFAULT-VALUE}).")
    double verifySampleRate;

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

    @CommandLine.Mixin CompressionOption compression = new CompressionOption();

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
            "Where connectivity events and the disk cache live (default:"
                + " $XDG_STATE_HOME/hybridgrid/coord, else $HOME/.hybridgrid/coord).")
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

    @Option(
        names = "--cas-dir",
        paramLabel = "DIR",
        description = "Content-addressed store directory (default: <state-dir>/cas).")
    Path casDir;

    @Option(
        names = "--cas-disk-size",
        defaultValue = "20G",
        converter = SizeConverter.class,
        paramLabel = "SIZE",
        description =
            "Content store bound; least recently used blobs are deleted beyond it"
                + " (default: ${DEFAULT-VALUE}).")
    long casDiskSize;

    @Option(
        names = "--cas-memory",
        defaultValue = "256M",
        converter = SizeConverter.class,
        paramLabel = "SIZE",
        description =
            "Memory for small content store blobs (headers); 0 = none (default: ${DEFAULT-VALUE}).")
    long casMemory;

    @Option(
        names = "--max-blob",
        defaultValue = "1G",
        converter = SizeConverter.class,
        paramLabel = "SIZE",
        description = "Largest blob the content store accepts (default: ${DEFAULT-VALUE}).")
    long maxBlob;

    @Option(
        names = "--max-input-root",
        defaultValue = "2G",
        converter = SizeConverter.class,
        paramLabel = "SIZE",
        description =
            "Largest input root (all files one compile reads) accepted (default: ${DEFAULT-VALUE}).")
    long maxInputRoot;

    @Option(
        names = "--task-log",
        paramLabel = "FILE",
        description =
            "Append one JSON line per finished compile to FILE (rotated; off by default). The"
                + " dashboard's build view and `hgbuild stats --builds` read it.")
    Path taskLog;

    @Option(
        names = "--task-log-size",
        defaultValue = "64M",
        converter = SizeConverter.class,
        paramLabel = "SIZE",
        description =
            "Rotate the task log at this size; 3 rotated files are kept (default: ${DEFAULT-VALUE}).")
    long taskLogSize;

    @Override
    public Integer call() throws Exception {
      log.info(ServerJit.apply(System.getenv()));
      TokenStore tokens = tokensFile == null ? null : TokenStore.load(tokensFile);
      if (bind == null) {
        bind = tokens != null ? "0.0.0.0" : "127.0.0.1";
      }
      if (tokens == null && !insecure && !isLoopback(bind)) {
        spec.commandLine()
            .getErr()
            .println(
                "hg-coord: refusing to listen on "
                    + bind
                    + " without tokens: anyone who reaches the port could compile, read status"
                    + " and register as a worker (and receive every client's sources). Pass"
                    + " --tokens FILE (one 'ROLE TOKEN [NAME]' per line, mode 0600), or --bind"
                    + " 127.0.0.1, or --insecure on a network you trust.");
        return 2;
      }
      TlsSettings tlsSettings = tls.settings(System.getenv());
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
      Path state = stateDir != null ? stateDir : PicocliDefaults.stateDir(System.getenv(), "coord");
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
                  cacheDiskSize),
              new CasSettings(
                  casMemory, casDir != null ? casDir : state.resolve("cas"), casDiskSize, maxBlob),
              ActionLimits.defaults(maxInputRoot),
              new TaskLogSettings(taskLog, taskLogSize, TaskLogSettings.DEFAULT_KEEP),
              new CoordinatorSecurity(
                  tokens,
                  tlsSettings,
                  requestMemory,
                  new VerifySettings(verifySampleRate, VerifySettings.DEFAULT_MAX_PENDING)),
              compression.get());
      NettyServerBuilder grpcServer =
          NettyServerBuilder.forAddress(new InetSocketAddress(bind, grpcPort))
              // Workers and clients ping every 30 s to notice dead peers behind NAT.
              .permitKeepAliveTime(20, TimeUnit.SECONDS)
              .permitKeepAliveWithoutCalls(true);
      if (tlsSettings != null) {
        grpcServer.sslContext(tlsSettings.serverContext());
      }
      CoordinatorServer server =
          new CoordinatorServer(
              grpcServer, new InetSocketAddress(bind, httpPort), config, Clock.systemUTC());
      try {
        server.start();
      } catch (PortInUseException e) {
        server.close();
        spec.commandLine().getErr().println(portInUse(e.which(), bind, grpcPort, httpPort));
        return 1;
      }
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
          "hg-coord {} listening: gRPC {}:{} ({}, {}), HTTP {}:{}",
          VERSION,
          bind,
          server.grpcPort(),
          tlsSettings == null ? "plain text" : tlsSettings.requireClientCert() ? "mTLS" : "TLS",
          tokens == null ? "no tokens" : tokens.size() + " tokens",
          bind,
          server.httpPort());
      done.await();
      return 0;
    }
  }

  /**
   * {@code hg-coord health}: asks a running coordinator's {@code GET /health}; exit 0 when it
   * answers ok. For container health checks in images that have no shell or curl.
   */
  @Command(
      name = "health",
      mixinStandardHelpOptions = true,
      description = "Exit 0 when the coordinator at --url answers ok, else 1.")
  static final class Health implements Callable<Integer> {
    @Option(
        names = "--url",
        defaultValue = "http://127.0.0.1:8080/health",
        description = "The coordinator's health URL (default: ${DEFAULT-VALUE}).")
    java.net.URI url;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      try {
        java.net.http.HttpResponse<String> r =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(url)
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().strip().equals("ok")) {
          spec.commandLine().getOut().println("ok");
          return 0;
        }
        spec.commandLine()
            .getErr()
            .println("hg-coord: " + url + " answered " + r.statusCode() + ": " + r.body().strip());
      } catch (java.io.IOException e) {
        spec.commandLine().getErr().println("hg-coord: cannot reach " + url + ": " + e);
      }
      return 1;
    }
  }

  /** What hg-coord says when one of its ports is taken: the port, the flag, what to do. */
  static String portInUse(PortInUseException.Which which, String bind, int grpcPort, int httpPort) {
    boolean grpc = which == PortInUseException.Which.GRPC;
    int port = grpc ? grpcPort : httpPort;
    String flag = grpc ? "--grpc-port" : "--http-port";
    String key = grpc ? "coord.grpc_port" : "coord.http_port";
    return "hg-coord: cannot listen on "
        + bind
        + ":"
        + port
        + " ("
        + (grpc ? "gRPC" : "HTTP")
        + ", "
        + flag
        + "): address already in use (another hg-coord running?). Stop what holds it (ss -ltnp"
        + " 'sport = :"
        + port
        + "' names it) or choose another port with "
        + flag
        + " (config key "
        + key
        + ", HG_"
        + key.replace('.', '_').toUpperCase(java.util.Locale.ROOT)
        + ").";
  }

  private static boolean isLoopback(String address) {
    if (address.equals("localhost")) {
      return true;
    }
    try {
      // Literal addresses only: a host name here is not looked up.
      if (!address.matches("[0-9a-fA-F:.]+")) {
        return false;
      }
      return java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
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
    CommandLine cl =
        PicocliDefaults.install(
            new CommandLine(new Main()), System.getenv(), "coord", "hg-coord", System.err);
    int code =
        cl.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  cmd.getErr().println("hg-coord: " + e.getMessage());
                  return 1;
                })
            .execute(args);
    System.exit(code);
  }
}
