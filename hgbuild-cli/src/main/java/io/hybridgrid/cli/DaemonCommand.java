package io.hybridgrid.cli;

import io.hybridgrid.cli.compile.CompileServices;
import io.hybridgrid.cli.daemon.ClientActivity;
import io.hybridgrid.cli.daemon.DaemonClient;
import io.hybridgrid.cli.daemon.DaemonPaths;
import io.hybridgrid.cli.daemon.DaemonServer;
import io.hybridgrid.cli.daemon.DaemonSettings;
import io.hybridgrid.cli.daemon.GridCompileHandler;
import io.hybridgrid.cli.daemon.LauncherRequest;
import io.hybridgrid.cli.discovery.CoordinatorDiscovery;
import io.hybridgrid.common.auth.BearerToken;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.ClientSecurity;
import io.hybridgrid.common.tls.TlsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hgbuild daemon}: the resident process the native launcher sends compiles to. The launcher
 * starts it on first use; it runs in the foreground here and exits after an idle period.
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Run the resident compile daemon in the foreground (the launcher starts it on demand).",
      "Socket: --socket, else $HG_DAEMON_SOCKET, else $XDG_RUNTIME_DIR/hybridgrid/daemon.sock,"
          + " else /tmp/hybridgrid-<uid>/daemon.sock."
    })
final class DaemonCommand implements Callable<Integer> {

  @Option(names = "--socket", paramLabel = "PATH", description = "The Unix socket to serve.")
  String socket;

  @Option(
      names = "--idle-timeout",
      paramLabel = "SECONDS",
      description =
          "Exit after this many seconds without requests; 0 = never"
              + " (default: $HG_DAEMON_IDLE_TIMEOUT, else 600).")
  Long idleTimeout;

  @Option(
      names = "--stop",
      description = "Ask the daemon on this socket to exit (exit code 0 also when none runs).")
  boolean stop;

  @Option(names = "--status", description = "Show the daemon's state; exit code 1 when none runs.")
  boolean status;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;

  DaemonCommand() {
    this(System.getenv());
  }

  DaemonCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (stop && status) {
      err.println("hgbuild daemon: give --stop or --status, not both");
      return 2;
    }
    DaemonPaths paths = DaemonPaths.resolve(socket, env, DaemonPaths.currentUid());
    if (stop) {
      return stop(paths, out);
    }
    if (status) {
      Optional<DaemonClient.Reply> r =
          DaemonClient.call(paths.socket(), LauncherRequest.control(LauncherRequest.Kind.STATUS));
      if (r.isEmpty()) {
        err.println("hgbuild daemon: no daemon runs on " + paths.socket());
        return 1;
      }
      out.print(r.get().stdout());
      out.flush();
      return 0;
    }
    DaemonSettings settings = DaemonSettings.resolve(paths, idleTimeout, env);
    Clock clock = Clock.systemUTC();
    // The daemon talks to hg-coord for every launcher: its token and TLS come from the
    // environment it was started with (HG_TOKEN or HG_TOKEN_FILE, HG_TLS_CA, ...).
    ClientSecurity security =
        new ClientSecurity(
            BearerToken.resolve(null, env), TlsSettings.from(null, null, null, false, env));
    CompileServices services =
        CompileServices.create(Runtime.getRuntime().availableProcessors(), false);
    Path digestsFile = paths.socket().getParent().resolve("digests");
    // Written once: after a normal stop, or by the shutdown hook when a signal ends the daemon.
    AtomicBoolean digestsSaved = new AtomicBoolean();
    GridCompileHandler handler =
        new GridCompileHandler(
            a -> Channels.forAddress(a, security),
            a -> Channels.forAddress(a, security.forDiscovered()),
            CoordinatorDiscovery.system(env),
            // Children never read the daemon's stdin; a launcher runs `cc ... -` itself.
            services,
            clock,
            new ClientActivity(
                paths.socket().getParent(),
                clock,
                env.getOrDefault("USER", "hgbuild") + "@" + hostname()));
    DaemonServer server = new DaemonServer(settings, handler, clock);
    try {
      server.start();
    } catch (IOException e) {
      err.println("hgbuild daemon: " + e.getMessage());
      handler.close();
      return 1;
    }
    // Digests an earlier daemon computed (each checked against its file's identity on use), read
    // only now that start() has checked the directory is this user's alone (0700).
    services.fileDigests().load(digestsFile);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  saveDigests(services, digestsFile, digestsSaved);
                },
                "hgbuild-daemon-shutdown"));
    err.printf(
        "hgbuild daemon: listening on %s (pid %d, idle timeout %s)%n",
        paths.socket(),
        ProcessHandle.current().pid(),
        settings.idleTimeout().isZero() ? "never" : settings.idleTimeout().toSeconds() + " s");
    err.flush();
    server.awaitTermination();
    saveDigests(services, digestsFile, digestsSaved);
    handler.close();
    err.println("hgbuild daemon: stopped after " + server.requestsServed() + " requests");
    err.flush();
    return 0;
  }

  /** Keeps the digest memo for the next daemon; a failure only means hashing again then. */
  private static void saveDigests(CompileServices services, Path file, AtomicBoolean saved) {
    if (!saved.compareAndSet(false, true)) {
      return;
    }
    try {
      services.fileDigests().save(file);
    } catch (IOException e) {
      // the next daemon hashes again
    }
  }

  private static String hostname() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  /** Sends a stop request and waits (bounded) until the daemon's process has gone. */
  private int stop(DaemonPaths paths, PrintWriter out) throws IOException, InterruptedException {
    Optional<Long> pid = readPid(paths);
    Optional<DaemonClient.Reply> r =
        DaemonClient.call(paths.socket(), LauncherRequest.control(LauncherRequest.Kind.STOP));
    if (r.isEmpty()) {
      out.println("hgbuild daemon: no daemon runs on " + paths.socket());
      out.flush();
      return 0;
    }
    Optional<ProcessHandle> process = pid.flatMap(ProcessHandle::of);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (process.isPresent() && process.get().isAlive() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50); // polling the daemon's exit with a deadline
    }
    out.println("hgbuild daemon: stopped the daemon on " + paths.socket());
    out.flush();
    return 0;
  }

  private static Optional<Long> readPid(DaemonPaths paths) {
    try {
      return Optional.of(
          Long.parseLong(
              new String(Files.readAllBytes(paths.pidFile()), StandardCharsets.UTF_8).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
