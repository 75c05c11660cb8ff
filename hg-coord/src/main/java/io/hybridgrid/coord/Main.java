package io.hybridgrid.coord;

import io.grpc.netty.NettyServerBuilder;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import java.net.InetSocketAddress;
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

    @CommandLine.Mixin MdnsOptions mdns = new MdnsOptions();

    @Override
    public Integer call() throws Exception {
      DispatchSettings defaults = DispatchSettings.defaults();
      DispatchSettings settings =
          new DispatchSettings(
              queueSize,
              Duration.ofSeconds(queueTimeoutSeconds),
              defaults.taskTimeout(),
              defaults.maxAttempts(),
              defaults.heartbeatTimeout());
      CoordinatorServer server =
          new CoordinatorServer(
              NettyServerBuilder.forAddress(new InetSocketAddress(bind, grpcPort))
                  // Workers and clients ping every 30 s to notice dead peers behind NAT.
                  .permitKeepAliveTime(20, TimeUnit.SECONDS)
                  .permitKeepAliveWithoutCalls(true),
              new InetSocketAddress(bind, httpPort),
              settings,
              Duration.ofSeconds(2),
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
