package io.hybridgrid.worker;

import io.hybridgrid.common.auth.ClientAuthOptions;
import io.hybridgrid.common.discovery.DiscoveredCoordinator;
import io.hybridgrid.common.discovery.MdnsLookup;
import io.hybridgrid.common.discovery.RetryingLookup;
import io.hybridgrid.common.grpc.ClientSecurity;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.worker.compiler.CompilerFilter;
import io.hybridgrid.worker.compiler.GuardedCompiler;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import io.hybridgrid.worker.compiler.SandboxCompiler;
import io.hybridgrid.worker.discovery.CoordinatorResolver;
import io.hybridgrid.worker.machine.MachineResources;
import io.hybridgrid.worker.session.WorkerSession;
import io.hybridgrid.worker.session.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

    @CommandLine.Mixin ClientAuthOptions auth = new ClientAuthOptions();

    @Override
    public Integer call() throws Exception {
      ClientSecurity security = auth.security(System.getenv());
      CompilerFilter filter = CompilerFilter.parse(compilers);
      InstalledCompilers installed = InstalledCompilers.detect(System.getenv("PATH"), filter);
      if (installed.identities().isEmpty()) {
        spec()
            .commandLine()
            .getErr()
            .println(
                "hg-worker: no gcc or clang found on PATH"
                    + (compilers == null ? "" : " matching --compilers " + compilers));
        return 1;
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
              Duration.ofSeconds(60));
      installed.all().forEach((idn, path) -> log.info("compiler {} -> {}", idn.describe(), path));
      Path root = workDir != null ? workDir : Files.createTempDirectory("hg-worker-");
      GuardedCompiler runner =
          new GuardedCompiler(
              new SandboxCompiler(installed, root, Duration.ofSeconds(compileTimeoutSeconds)),
              GuardedCompiler.defaultBreaker());
      Capabilities caps =
          Capabilities.newBuilder()
              .setCores(cores)
              .setMemoryBytes(machine.memoryBytes())
              .setArch(System.getProperty("os.arch"))
              .setOs(System.getProperty("os.name").toLowerCase(Locale.ROOT))
              .build();
      WorkerSession session =
          new WorkerSession(
              settings,
              runner,
              installed.identities(),
              caps,
              VERSION,
              new SecureRandom(),
              machine::freeMemoryBytes,
              rediscover(viaMdns, mdnsInterface),
              // Anyone on the LAN can answer mDNS: a discovered coordinator gets the token only
              // over TLS, after proving itself against the configured CA.
              viaMdns ? security.forDiscovered() : security);
      if (viaMdns && security.token() != null && security.tls() == null) {
        log.warn(
            "the coordinator was found by mDNS and TLS is off: the token is not sent to it (set"
                + " --tls-ca, or name the coordinator with --coordinator)");
      }
      CountDownLatch done = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    session.close();
                    done.countDown();
                  },
                  "hg-worker-shutdown"));
      session.start();
      log.info(
          "hg-worker {} serving {} ({} slots)",
          workerId,
          settings.coordinator(),
          settings.maxParallel());
      done.await();
      return 0;
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private CommandLine.Model.CommandSpec spec() {
      return spec;
    }
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
    int code =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  cmd.getErr().println("hg-worker: " + e.getMessage());
                  return 1;
                })
            .execute(args);
    System.exit(code);
  }
}
