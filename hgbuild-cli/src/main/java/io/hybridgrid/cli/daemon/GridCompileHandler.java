package io.hybridgrid.cli.daemon;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.hybridgrid.cli.compile.ClientSettings;
import io.hybridgrid.cli.compile.CompileFlow;
import io.hybridgrid.cli.compile.CompileServices;
import io.hybridgrid.cli.discovery.CoordinatorDiscovery;
import io.hybridgrid.cli.grpc.GrpcRemoteCompiler;
import io.hybridgrid.common.grpc.HostPort;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Serves a compile as {@code hgbuild <compiler> args} would in the launcher's own process: a {@link
 * CompileFlow} per request with the launcher's environment, directory and streams, over one
 * long-lived gRPC channel per coordinator address. The address resolves exactly as the JVM client
 * resolves it ({@code -C}, the launcher's {@code HG_COORDINATOR}, the remembered mDNS answer, a
 * lookup, the default), with one {@link CoordinatorDiscovery} for the daemon's lifetime.
 */
public final class GridCompileHandler implements CompileHandler, AutoCloseable {
  /** A channel that failed to connect is retried at most this often (gRPC backs off to 2 min). */
  private static final long RECONNECT_NUDGE_MILLIS = 5_000;

  private final Function<HostPort, ManagedChannel> channelFactory;
  private final Function<HostPort, ManagedChannel> discoveredFactory;
  private final CoordinatorDiscovery discovery;
  private final CompileServices services;
  private final Clock clock;
  private final Map<ChannelKey, Connection> channels = new ConcurrentHashMap<>();

  /** A channel per coordinator address and per how it was found (mDNS or named). */
  private record ChannelKey(HostPort address, boolean discovered) {}

  private static final class Connection {
    final ManagedChannel channel;
    volatile long lastNudgeMillis;

    Connection(ManagedChannel channel) {
      this.channel = channel;
    }
  }

  /**
   * @param channelFactory opens a channel to a coordinator ({@code Channels::forAddress})
   * @param discovery finds the coordinator when the request names none
   * @param services what every compile shares for the daemon's lifetime: the bounded process
   *     runner, the compiler-probe and file-hash memos, the open caches
   * @param clock paces reconnection attempts to a coordinator that was down
   */
  public GridCompileHandler(
      Function<HostPort, ManagedChannel> channelFactory,
      CoordinatorDiscovery discovery,
      CompileServices services,
      Clock clock) {
    this(channelFactory, channelFactory, discovery, services, clock);
  }

  /**
   * As above, with {@code discoveredFactory} for coordinators found by mDNS: anyone on the LAN can
   * answer mDNS, so those channels carry the token only over TLS.
   */
  public GridCompileHandler(
      Function<HostPort, ManagedChannel> channelFactory,
      Function<HostPort, ManagedChannel> discoveredFactory,
      CoordinatorDiscovery discovery,
      CompileServices services,
      Clock clock) {
    this.channelFactory = channelFactory;
    this.discoveredFactory = discoveredFactory;
    this.discovery = discovery;
    this.services = services;
    this.clock = clock;
  }

  @Override
  public int compile(LauncherRequest request, PrintStream out, PrintStream err) throws Exception {
    CoordinatorDiscovery.Resolved resolved =
        discovery.resolve(request.coordinator(), request.env(), false);
    ClientSettings settings =
        ClientSettings.resolve(
            resolved.address().target(), request.noFallback(), request.verbose(), request.env());
    boolean discovered = resolved.source().startsWith("mDNS");
    Connection c =
        channels.computeIfAbsent(
            new ChannelKey(settings.coordinator(), discovered),
            k ->
                new Connection(
                    (k.discovered() ? discoveredFactory : channelFactory).apply(k.address())));
    long now = clock.millis();
    if (c.channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE
        && now - c.lastNudgeMillis >= RECONNECT_NUDGE_MILLIS) {
      c.lastNudgeMillis = now;
      c.channel.resetConnectBackoff();
    }
    CompileFlow flow =
        new CompileFlow(
            settings,
            new GrpcRemoteCompiler(c.channel, settings.timeout()),
            request.env(),
            request.cwd(),
            out,
            err,
            services);
    return flow.run(request.argv().get(0), request.argv().subList(1, request.argv().size()));
  }

  /** Shuts the channels down. */
  @Override
  public void close() throws InterruptedException {
    for (Connection c : channels.values()) {
      c.channel.shutdown();
    }
    for (Connection c : channels.values()) {
      if (!c.channel.awaitTermination(5, TimeUnit.SECONDS)) {
        c.channel.shutdownNow();
      }
    }
  }
}
