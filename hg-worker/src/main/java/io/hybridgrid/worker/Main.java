package io.hybridgrid.worker;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hybridgrid.common.auth.ClientAuthOptions;
import io.hybridgrid.common.concurrent.DaemonThreads;
import io.hybridgrid.common.config.ByteSize;
import io.hybridgrid.common.config.PicocliDefaults;
import io.hybridgrid.common.discovery.DiscoveredCoordinator;
import io.hybridgrid.common.discovery.MdnsLookup;
import io.hybridgrid.common.discovery.RetryingLookup;
import io.hybridgrid.common.grpc.ClientSecurity;
import io.hybridgrid.common.grpc.CompressionOption;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.jvm.ServerJit;
import io.hybridgrid.common.metrics.MetricNames;
import io.hybridgrid.common.metrics.PrometheusRegistry;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.worker.action.ActionBreaker;
import io.hybridgrid.worker.action.ActionExecutor;
import io.hybridgrid.worker.action.SandboxSettings;
import io.hybridgrid.worker.action.ToolchainMode;
import io.hybridgrid.worker.cas.CasFetcher;
import io.hybridgrid.worker.cas.LocalCas;
import io.hybridgrid.worker.compiler.CompilerFilter;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import io.hybridgrid.worker.discovery.CoordinatorResolver;
import io.hybridgrid.worker.machine.MachineResources;
import io.hybridgrid.worker.metrics.TaskMeter;
import io.hybridgrid.worker.metrics.TaskMetrics;
import io.hybridgrid.worker.metrics.WorkerHttpServer;
import io.hybridgrid.worker.session.WorkerSession;
import io.hybridgrid.worker.session.WorkerSettings;
import io.micrometer.core.instrument.Gauge;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hg-worker}: runs compiles for a coordinator. */
@Command(
    name = "hg-worker",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Hybrid-Grid worker: compiles for hg-coord.",
    subcommands = {Main.Serve.class})
public final class Main implements Callable<Integer> {
  static final String VERSION = "0.1.0";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** {@code hg-worker serve}. */
  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Connect and serve.")
  static final class Serve implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Serve.class);

    @Option(
        names = "--coordinator",
        paramLabel = "HOST:PORT",
        description =
            "hg-coord's gRPC address (default: $HG_COORDINATOR, else found by mDNS unless"
                + " --no-mdns).")
    String coordinator;

    @Option(
        names = "--no-mdns",
        description = "Do not look for the coordinator by mDNS ($HG_NO_MDNS=1).")
    boolean noMdns;

    @Option(
        names = "--mdns-interface",
        paramLabel = "ADDR",
        description =
            "Local address to browse mDNS on (default: the first IPv4 address of an up,"
                + " multicast-capable, non-loopback interface).")
    String mdnsInterface;

    @Option(
        names = "--compilers",
        paramLabel = "NAME[,NAME...]",
        description =
            "Offer only these compiler executables from PATH, e.g. gcc,g++ or"
                + " aarch64-linux-gnu-gcc; * matches any characters (default: every gcc and"
                + " clang driver found).")
    String compilers;

    @Option(
        names = "--toolchains",
        paramLabel = "own|shipped|both",
        defaultValue = "both",
        description =
            "Which compilers run: own (only those installed here), shipped (only toolchains"
                + " clients ship, inside the sandbox) or both (default: ${DEFAULT-VALUE}). See"
                + " docs/toolchains.md.")
    String toolchains;

    @Option(
        names = "--max-parallel",
        paramLabel = "N",
        description =
            "Compiles run at once (default: the cores this process may use, as its cgroup"
                + " CPU quota allows).")
    Integer maxParallel;

    @Option(names = "--id", paramLabel = "ID", description = "Worker id (default: hostname-pid).")
    String id;

    @Option(
        names = "--work-dir",
        paramLabel = "DIR",
        description = "Where task directories are made (default: a new directory under /tmp).")
    Path workDir;

    @Option(
        names = "--compile-timeout",
        paramLabel = "SECONDS",
        defaultValue = "600",
        description = "Longest time one compile may take (default: ${DEFAULT-VALUE}).")
    int compileTimeoutSeconds;

    @Option(
        names = "--sandbox",
        paramLabel = "bwrap",
        defaultValue = "bwrap",
        description =
            "How actions (hermetic replays) run: bwrap (bubblewrap), the only sandbox; every"
                + " compile runs in it.")
    String sandbox;

    @Option(
        names = "--cas-dir",
        paramLabel = "DIR",
        description =
            "The worker's content store of input blobs (default: ~/.hybridgrid/worker-cas). Keep"
                + " it on the same filesystem as --work-dir so inputs are hard-linked, not copied.")
    Path casDir;

    @Option(
        names = "--cas-size",
        paramLabel = "SIZE",
        defaultValue = "10G",
        description =
            "Bound of the content store; least recently used blobs go first (default:"
                + " ${DEFAULT-VALUE}).")
    String casSize;

    @Option(
        names = "--sandbox-user",
        paramLabel = "UID:GID",
        defaultValue = "65534:65534",
        description =
            "Unprivileged user actions run as when the worker runs as root (default:"
                + " ${DEFAULT-VALUE}, nobody).")
    String sandboxUser;

    @Option(
        names = "--max-input-bytes",
        paramLabel = "SIZE",
        defaultValue = "4G",
        description = "Largest input root an action may have (default: ${DEFAULT-VALUE}).")
    String maxInputBytes;

    @Option(
        names = "--task-memory",
        paramLabel = "SIZE",
        defaultValue = "8G",
        description =
            "Address-space limit of each process of an action (RLIMIT_AS; default:"
                + " ${DEFAULT-VALUE}).")
    String taskMemory;

    @Option(
        names = "--http-port",
        defaultValue = "9090",
        paramLabel = "PORT",
        description =
            "Port for /metrics, /health and /ready; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
        names = "--http-bind",
        defaultValue = "0.0.0.0",
        paramLabel = "ADDRESS",
        description = "Address the HTTP port listens on (default: ${DEFAULT-VALUE}).")
    String httpBind;

    @Option(names = "--no-http", description = "Serve no HTTP port (no /metrics).")
    boolean noHttp;

    @CommandLine.Mixin ClientAuthOptions auth = new ClientAuthOptions();

    @CommandLine.Mixin CompressionOption compression = new CompressionOption();

    @Override
    public Integer call() throws Exception {
      log.info(ServerJit.apply(System.getenv()));
      if (!noHttp && (httpPort < 0 || httpPort > 65535)) {
        throw new CommandLine.ParameterException(
            spec().commandLine(), "--http-port must be 0..65535, not " + httpPort);
      }
      ClientSecurity security = auth.security(System.getenv());
      ToolchainMode toolchainMode;
      try {
        toolchainMode = ToolchainMode.parse(toolchains);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec().commandLine(), e.getMessage());
      }
      CompilerFilter filter = CompilerFilter.parse(compilers);
      InstalledCompilers installed =
          toolchainMode.runsOwn()
              ? InstalledCompilers.detect(System.getenv("PATH"), filter)
              : InstalledCompilers.detect("", filter);
      if (installed.identities().isEmpty()) {
        if (!toolchainMode.acceptsShipped() || sandbox.equals("off")) {
          spec()
              .commandLine()
              .getErr()
              .println(
                  "hg-worker: no gcc or clang found on PATH"
                      + (compilers == null ? "" : " matching --compilers " + compilers)
                      + " (with --toolchains shipped or both and the sandbox on, a worker"
                      + " without compilers serves the toolchains clients ship)");
          return 1;
        }
        log.info(
            "no compiler installed here: serving toolchains clients ship (--toolchains {})",
            toolchainMode);
      }
      HostPort address =
          new CoordinatorResolver(
                  new RetryingLookup(
                      new MdnsLookup(mdnsInterface),
                      Duration.ofSeconds(3),
                      Duration.ofSeconds(1),
                      Duration.ofSeconds(30),
                      d -> Thread.sleep(d.toMillis())))
              .resolve(coordinator, System.getenv(), noMdns);
      boolean viaMdns =
          (coordinator == null || coordinator.isBlank())
              && (System.getenv("HG_COORDINATOR") == null
                  || System.getenv("HG_COORDINATOR").isBlank());
      MachineResources machine = MachineResources.current();
      int cores = machine.cores();
      String hostname = hostname();
      String workerId = id != null ? id : hostname + "-" + ProcessHandle.current().pid();
      WorkerSettings settings =
          new WorkerSettings(
              address,
              workerId,
              hostname,
              maxParallel != null ? maxParallel : cores,
              Duration.ofSeconds(2),
              Duration.ofSeconds(30),
              Duration.ofSeconds(60),
              compression.get());
      installed.all().forEach((idn, path) -> log.info("compiler {} -> {}", idn.describe(), path));
      Path root = workDir != null ? workDir : Files.createTempDirectory("hg-worker-");
      CircuitBreaker breaker = ActionBreaker.defaultBreaker();
      PrometheusRegistry prometheus = new PrometheusRegistry();
      TaskMetrics meter = new TaskMetrics(prometheus.registry());
      ActionExecutor actions = actions(installed, root, breaker, meter, toolchainMode);
      Gauge.builder(MetricNames.CIRCUIT_STATE, breaker, b -> circuitValue(b.getState()))
          .description("This worker's compiler circuit breaker: 0 closed, 1 half-open, 2 open")
          .tag("worker", workerId)
          .strongReference(true)
          .register(prometheus.registry());
      Capabilities caps =
          Capabilities.newBuilder()
              .setCores(cores)
              .setMemoryBytes(machine.memoryBytes())
              .setArch(System.getProperty("os.arch"))
              .setOs(System.getProperty("os.name").toLowerCase(Locale.ROOT))
              .setRunsOwnCompilers(toolchainMode.runsOwn())
              .setAcceptsShippedToolchains(toolchainMode.acceptsShipped())
              .build();
      WorkerSession session =
          new WorkerSession(
              settings,
              installed.identities(),
              caps,
              VERSION,
              new SecureRandom(),
              machine::freeMemoryBytes,
              rediscover(viaMdns, mdnsInterface),
              actions,
              // Anyone on the LAN can answer mDNS: a discovered coordinator gets the token only
              // over TLS, after proving itself against the configured CA.
              viaMdns ? security.forDiscovered() : security);
      if (viaMdns && security.token() != null && security.tls() == null) {
        log.warn(
            "the coordinator was found by mDNS and TLS is off: the token is not sent to it (set"
                + " --tls-ca, or name the coordinator with --coordinator)");
      }
      WorkerHttpServer http = null;
      if (!noHttp) {
        try {
          http =
              new WorkerHttpServer(
                  new InetSocketAddress(httpBind, httpPort),
                  prometheus::scrape,
                  session::connected);
          int port = http.start();
          log.info("hg-worker HTTP on {}:{} (/metrics, /health, /ready)", httpBind, port);
        } catch (java.io.IOException e) {
          // Compiling is the worker's job; a taken port (Prometheus itself defaults to 9090)
          // must not stop it.
          log.warn(
              "cannot serve HTTP on {}:{} ({}); /metrics is off: pass a free --http-port",
              httpBind,
              httpPort,
              e.toString());
        }
      }
      WorkerHttpServer httpServer = http;
      CountDownLatch done = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    session.close();
                    if (httpServer != null) {
                      httpServer.close();
                    }
                    prometheus.close();
                    done.countDown();
                  },
                  "hg-worker-shutdown"));
      session.start();
      log.info(
          "hg-worker {} started ({} slots); its connection to coordinator {} is logged as"
              + " connecting/connected/retrying",
          workerId,
          settings.maxParallel(),
          settings.coordinator());
      done.await();
      return 0;
    }

    /** The action executor the flags describe; it fails when the sandbox cannot run here. */
    private ActionExecutor actions(
        InstalledCompilers installed,
        Path workRoot,
        CircuitBreaker breaker,
        TaskMeter meter,
        ToolchainMode toolchainMode)
        throws Exception {
      if (!sandbox.equals("bwrap")) {
        // "off" once served preprocessed units outside any sandbox; that path is gone, and a
        // worker without the sandbox could run nothing.
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--sandbox must be bwrap, not '"
                + sandbox
                + "': every compile runs in the bubblewrap sandbox (Debian package bubblewrap)");
      }
      boolean root =
          Files.readString(Path.of("/proc/self/status"))
              .lines()
              .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
      SandboxSettings defaults = SandboxSettings.defaults(workRoot, root);
      SandboxSettings settings =
          new SandboxSettings(
              workRoot,
              defaults.bwrap(),
              defaults.exec(),
              root ? SandboxSettings.SandboxUser.parse(sandboxUser) : null,
              Duration.ofSeconds(compileTimeoutSeconds),
              ByteSize.parse(taskMemory),
              defaults.fileBytes(),
              ByteSize.parse(maxInputBytes),
              defaults.maxInputFiles(),
              SandboxSettings.INLINE_OUTPUT_BYTES);
      // Clients send only actions, and actions run only in the sandbox: a worker that cannot make
      // one would register and then refuse every compile, so it says why and does not start.
      if (!Files.isExecutable(settings.bwrap())) {
        throw new IllegalStateException(
            "bubblewrap is not installed at "
                + settings.bwrap()
                + ": install the Debian package bubblewrap (compiles run only in its sandbox)");
      }
      Files.createDirectories(workRoot);
      if (root) {
        // The sandbox user must reach the task directories (bubblewrap runs as that user).
        Files.setPosixFilePermissions(
            workRoot, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
      }
      Path cas =
          casDir != null
              ? casDir
              : Path.of(System.getProperty("user.home"), ".hybridgrid", "worker-cas");
      ExecutorService streams = Executors.newCachedThreadPool(DaemonThreads.named("hg-cas-stream"));
      log.info(
          "actions run in bubblewrap{}, started by {}; CAS {} (bound {})",
          root ? " as " + sandboxUser : "",
          settings.exec() != null ? settings.exec() + " --serve" : "sh, prlimit and setpriv",
          cas,
          casSize);
      ActionExecutor executor =
          new ActionExecutor(
              installed,
              new CasFetcher(LocalCas.open(cas, ByteSize.parse(casSize)), streams),
              settings,
              breaker,
              meter,
              toolchainMode);
      Optional<String> broken = executor.selfCheck();
      if (broken.isPresent()) {
        throw new IllegalStateException(
            "the sandbox does not work here: "
                + broken.get()
                + " (compiles run only in the sandbox; see docs/design.md, the worker sandbox)");
      }
      return executor;
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private CommandLine.Model.CommandSpec spec() {
      return spec;
    }
  }

  /** A breaker state as the circuit_state gauge reads it: 0 closed, 1 half-open, 2 open. */
  static int circuitValue(CircuitBreaker.State state) {
    return switch (state) {
      case HALF_OPEN -> 1;
      case OPEN, FORCED_OPEN -> 2;
      default -> 0;
    };
  }

  /**
   * Where the coordinator is now, by one bounded mDNS lookup: used only when its address was found
   * by mDNS, so a coordinator restarted elsewhere is found again without restarting the worker.
   */
  private static java.util.function.Supplier<java.util.Optional<HostPort>> rediscover(
      boolean viaMdns, String mdnsInterface) {
    if (!viaMdns) {
      return java.util.Optional::empty;
    }
    MdnsLookup lookup = new MdnsLookup(mdnsInterface);
    return () -> {
      try {
        return lookup.find(Duration.ofSeconds(3)).map(DiscoveredCoordinator::grpcAddress);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return java.util.Optional.empty();
      }
    };
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "worker";
    }
  }

  public static void main(String[] args) {
    CommandLine cl =
        PicocliDefaults.install(
            new CommandLine(new Main()), System.getenv(), "worker", "hg-worker", System.err);
    int code =
        cl.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  cmd.getErr().println("hg-worker: " + e.getMessage());
                  return 1;
                })
            .execute(args);
    System.exit(code);
  }
}
