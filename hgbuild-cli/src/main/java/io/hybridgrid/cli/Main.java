package io.hybridgrid.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.cli.cache.CacheConfig;
import io.hybridgrid.cli.cache.LocalCache;
import io.hybridgrid.cli.compile.ClientRequest;
import io.hybridgrid.cli.compile.ClientSettings;
import io.hybridgrid.cli.compile.CompileFlow;
import io.hybridgrid.cli.compile.CompileServices;
import io.hybridgrid.cli.discovery.CoordinatorDiscovery;
import io.hybridgrid.cli.grpc.CasMemo;
import io.hybridgrid.cli.grpc.GrpcRemoteCompiler;
import io.hybridgrid.common.auth.ClientAuthOptions;
import io.hybridgrid.common.compiler.CompilerLocator;
import io.hybridgrid.common.config.Config;
import io.hybridgrid.common.config.Suggestions;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.ClientSecurity;
import io.hybridgrid.common.grpc.GrpcErrors;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hgbuild} on the JVM: the client's commands ({@code hgbuild status}, {@code workers},
 * {@code stats}, {@code cache}, {@code daemon}) and a compile path of its own ({@code hgbuild-jvm
 * gcc -c x.c}). In dist/, {@code hgbuild} is the native launcher, which sends compiles to the
 * daemon and runs this for the rest.
 */
@Command(
    name = "hgbuild",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = {
      "Compile on the Hybrid-Grid build grid.",
      "",
      "  hgbuild [-C host:port] [--no-fallback] [-v] <compiler> args...",
      "  make CC=\"hgbuild gcc\"",
      "  hgbuild make|ninja|wrap <command...>   (run by the native launcher: CC/CXX set for it)",
      "  hgbuild status|workers|top|stats|cache|daemon   (these names are commands, not compilers)"
    },
    subcommands = {
      StatusCommand.class,
      WorkersCommand.class,
      TopCommand.class,
      StatsCommand.class,
      CacheCommand.class,
      DaemonCommand.class,
      ConfigCommand.class,
      picocli.AutoComplete.GenerateCompletion.class
    })
public final class Main implements Callable<Integer> {
  static final String VERSION = "0.1.0";

  @Option(
      names = {"-C", "--coordinator"},
      paramLabel = "HOST:PORT",
      description =
          "hg-coord's gRPC address (default: $HG_COORDINATOR, else the one mDNS found, else"
              + " 127.0.0.1:9000).")
  String coordinator;

  @Option(
      names = "--no-mdns",
      description = "Do not look for the coordinator by mDNS ($HG_NO_MDNS=1).")
  boolean noMdns;

  private CoordinatorDiscovery discovery;
  private boolean discoveredByMdns;

  /** {@code --token-file} and the TLS flags (env: HG_TOKEN, HG_TOKEN_FILE, HG_TLS_*). */
  @CommandLine.Mixin ClientAuthOptions auth = new ClientAuthOptions();

  @Option(
      names = "--no-fallback",
      description = "Fail instead of compiling locally when the grid cannot ($HG_NO_FALLBACK).")
  boolean noFallback;

  @Option(
      names = {"-v", "--verbose"},
      description = "Print where each file was compiled ($HG_VERBOSE).")
  boolean verbose;

  @Parameters(
      paramLabel = "COMPILER ARGS",
      description = "The compiler (gcc, g++, clang, clang++, cc, c++ or a path) and its arguments.")
  List<String> command = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;
  private final Path cwd;
  private final Path systemConfig;

  /**
   * @param env the environment the commands read (the process's own in {@link #main})
   * @param cwd the working directory
   */
  Main(Map<String, String> env, Path cwd) {
    this(env, cwd, Config.SYSTEM_FILE);
  }

  /** As {@link #Main(Map, Path)} with another system config file (tests). */
  Main(Map<String, String> env, Path cwd, Path systemConfig) {
    this.env = env;
    this.cwd = cwd;
    this.systemConfig = systemConfig;
  }

  /** The configuration: this command's flags, the environment, the user and system files. */
  Config config() {
    return ClientSettings.config(coordinator, noFallback, verbose, noMdns, env, systemConfig);
  }

  private void warn(Config config) {
    for (String w : config.warnings()) {
      spec.commandLine().getErr().println("hgbuild: warning: " + w);
    }
    spec.commandLine().getErr().flush();
  }

  /** The settings every subcommand shares; invalid settings are printed as warnings. */
  ClientSettings settings() throws InterruptedException {
    if (discovery == null) {
      discovery = CoordinatorDiscovery.system(env);
    }
    Config config = config();
    CoordinatorDiscovery.Resolved resolved =
        discovery.resolve(
            ClientSettings.explicitCoordinator(config),
            ClientSettings.discoveryEnv(config, env),
            config.bool("no_mdns"));
    discoveredByMdns = resolved.source().startsWith("mDNS");
    ClientSettings settings = ClientSettings.resolve(resolved.address().target(), config);
    warn(config);
    return settings;
  }

  /**
   * The token and TLS to use with the coordinator {@link #settings()} resolved: a coordinator found
   * by mDNS gets the token only over TLS.
   */
  ClientSecurity security() throws java.io.IOException {
    ClientSecurity s = auth.security(env);
    return discoveredByMdns ? s.forDiscovered() : s;
  }

  /** Lets a background mDNS refresh finish (bounded), so its answer is remembered. */
  private void finishDiscovery() throws InterruptedException {
    if (discovery != null) {
      discovery.awaitRefresh();
    }
  }

  /** The cache settings; a clear error when no directory can be named. */
  CacheConfig cacheConfig() {
    Config config = config();
    CacheConfig cache =
        CacheConfig.from(config, env, cwd)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no cache directory: set HG_CACHE_DIR (or HOME for ~/.hybridgrid/cache)"));
    warn(config);
    return cache;
  }

  /** Opens the cache directory of {@code config} for a command. */
  LocalCache openCache(CacheConfig config) {
    return new LocalCache(config.dir(), Clock.systemUTC());
  }

  @Override
  public Integer call() throws Exception {
    if (command.isEmpty()) {
      spec.commandLine().usage(spec.commandLine().getErr());
      return 2;
    }
    String word = command.get(0);
    if (!word.contains("/")) {
      boolean onPath = CompilerLocator.resolve(word, env.get("PATH"), cwd).isPresent();
      if (!onPath || !CompilerLocator.looksLikeCompiler(word)) {
        spec.commandLine().getErr().println(unknownCommand(word, onPath));
        return 2;
      }
    }
    ClientSettings settings = settings();
    ManagedChannel channel = Channels.forAddress(settings.coordinator(), security());
    try {
      CompileFlow flow =
          new CompileFlow(
              ClientRequest.resolve(settings, env, cwd),
              new GrpcRemoteCompiler(
                  channel,
                  settings.timeout(),
                  new CasMemo(CasMemo.DEFAULT_MAX_ENTRIES),
                  settings.skipCache()),
              new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false),
              new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), false),
              CompileServices.create(Runtime.getRuntime().availableProcessors(), true));
      return flow.run(command.get(0), command.subList(1, command.size()));
    } finally {
      channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      finishDiscovery();
    }
  }

  /** What hgbuild says when {@code word} is neither a subcommand nor a compiler. */
  String unknownCommand(String word, boolean onPath) {
    List<String> words = new ArrayList<>(spec.subcommands().keySet());
    words.addAll(List.of("make", "ninja", "wrap"));
    List<String> near = Suggestions.closestAll(word, words);
    String hint =
        near.isEmpty()
            ? "the commands are: " + String.join(", ", words)
            : "did you mean "
                + String.join(" or ", near.stream().map(w -> "'hgbuild " + w + "'").toList())
                + "?";
    if (onPath) {
      return "hgbuild: '"
          + word
          + "' is not a C/C++ compiler (hgbuild runs gcc, g++, cc, c++, clang, clang++, cross"
          + " compilers, or a compiler given by its path); to run a build through the grid use"
          + " 'hgbuild make|ninja|wrap <command>'; "
          + hint;
    }
    return "hgbuild: unknown command '"
        + word
        + "': not a subcommand, nor a compiler on PATH; "
        + hint
        + " (hgbuild --help lists them)";
  }

  /**
   * Runs {@code body} against the coordinator's status service with a 5 s deadline, printing a
   * clear error when the coordinator cannot be reached.
   */
  int withStatus(
      CommandLine.Model.CommandSpec caller,
      java.util.function.Function<StatusServiceGrpc.StatusServiceBlockingStub, Integer> body)
      throws InterruptedException {
    ClientSettings settings = settings();
    ClientSecurity security;
    try {
      security = security();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ManagedChannel channel = Channels.forAddress(settings.coordinator(), security);
    try {
      return body.apply(
          StatusServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS));
    } catch (StatusRuntimeException e) {
      caller
          .commandLine()
          .getErr()
          .println(
              GrpcErrors.isHttp1Peer(e.getStatus())
                  ? "hgbuild: error: " + GrpcErrors.http1Peer(settings.coordinator().target())
                  : "hgbuild: cannot reach coordinator at "
                      + settings.coordinator()
                      + ": "
                      + Channels.explain(e, security.tls() != null));
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      finishDiscovery();
    }
  }

  /** Builds the command line: options stop at the compiler name, so its flags are left alone. */
  static CommandLine commandLine() {
    return commandLine(System.getenv(), Path.of("").toAbsolutePath());
  }

  /** The command line for {@code env} and {@code cwd} (tests use a temporary cache directory). */
  static CommandLine commandLine(Map<String, String> env, Path cwd) {
    return new CommandLine(new Main(env, cwd))
        .setStopAtPositional(true)
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              cmd.getErr().println("hgbuild: error: " + e.getMessage());
              return 1;
            });
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
