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
import java.time.Duration;
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
  private final CoordinatorDiscovery discovery;
  private final CompileServices services;
  private final Clock clock;
  private final Map<HostPort, Connection> channels = new ConcurrentHashMap<>();

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
    this.channelFactory = channelFactory;
    this.discovery = discovery;
    this.services = services;
    this.clock = clock;
  }

  @Override
  public int compile(LauncherRequest request, PrintStream out, PrintStream err) throws Exception {
    ClientSettings settings =
        ClientSettings.resolve(
            discovery.resolve(request.coordinator(), request.env(), false).address().target(),
            request.noFallback(),
            request.verbose(),
            request.env());
    Connection c =
        channels.computeIfAbsent(
            settings.coordinator(), a -> new Connection(channelFactory.apply(a)));
    long now = clock.millis();
    if (c.channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE
        && now - c.lastNudgeMillis >= RECONNECT_NUDGE_MILLIS) {
      c.lastNudgeMillis = now;
      c.channel.resetConnectBackoff();
    }
    if (settings.noFallback()) {
      awaitReady(c.channel, NO_FALLBACK_CONNECT_WAIT);
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

  /** How long a --no-fallback compile waits for a coordinator that is (re)starting. */
  static final Duration NO_FALLBACK_CONNECT_WAIT = Duration.ofSeconds(5);

  /**
   * Waits up to {@code max} for {@code channel} to connect, reconnecting at once rather than after
   * the channel's backoff: a --no-fallback compile right after its coordinator restarted must not
   * fail only because the channel had not noticed yet. (With fallback the compile goes ahead at
   * once: a coordinator that is down costs a local compile, not a wait.)
   */
  static void awaitReady(ManagedChannel channel, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    ConnectivityState state = channel.getState(true);
    while (state != ConnectivityState.READY && System.nanoTime() < deadline) {
      if (state == ConnectivityState.TRANSIENT_FAILURE) {
        channel.resetConnectBackoff();
      }
      java.util.concurrent.CountDownLatch changed = new java.util.concurrent.CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      changed.await(
          Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)),
          TimeUnit.MILLISECONDS);
      state = channel.getState(true);
    }
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
