package io.hybridgrid.cli.daemon;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.hybridgrid.cli.cache.CacheConfig;
import io.hybridgrid.cli.compile.ClientRequest;
import io.hybridgrid.cli.compile.ClientSettings;
import io.hybridgrid.cli.compile.CompileFlow;
import io.hybridgrid.cli.compile.CompileServices;
import io.hybridgrid.cli.discovery.CoordinatorDiscovery;
import io.hybridgrid.cli.grpc.CasMemo;
import io.hybridgrid.cli.grpc.GrpcRemoteCompiler;
import io.hybridgrid.common.concurrent.DaemonThreads;
import io.hybridgrid.common.config.Config;
import io.hybridgrid.common.grpc.BuildIds;
import io.hybridgrid.common.grpc.HostPort;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Serves a compile as {@code hgbuild <compiler> args} would in the launcher's own process: a {@link
 * CompileFlow} per request with the launcher's environment, directory and streams (resolved once
 * into a {@link ClientRequest}), over one long-lived gRPC channel per coordinator address, with one
 * {@link CasMemo} per address (what that coordinator's store holds) for the daemon's lifetime. The
 * address resolves exactly as the JVM client resolves it ({@code -C}, the launcher's {@code
 * HG_COORDINATOR}, the remembered mDNS answer, a lookup, the default), with one {@link
 * CoordinatorDiscovery} for the daemon's lifetime.
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
  private final ClientActivity activity;
  private final ScheduledExecutorService reporter;

  /** A channel per coordinator address and per how it was found (mDNS or named). */
  private record ChannelKey(HostPort address, boolean discovered) {}

  private static final class Connection {
    final ManagedChannel channel;
    final CasMemo memo = new CasMemo(CasMemo.DEFAULT_MAX_ENTRIES);
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
    this(channelFactory, channelFactory, discovery, services, clock, null);
  }

  /**
   * As above, telling {@code activity} about every compile (build progress, reports to the
   * coordinator, sent every 2 s).
   *
   * @param activity where compiles are told, or null
   */
  public GridCompileHandler(
      Function<HostPort, ManagedChannel> channelFactory,
      CoordinatorDiscovery discovery,
      CompileServices services,
      Clock clock,
      ClientActivity activity) {
    this(channelFactory, channelFactory, discovery, services, clock, activity);
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
    this(channelFactory, discoveredFactory, discovery, services, clock, null);
  }

  /** The full form: named and discovered channel factories, and the activity (or null). */
  public GridCompileHandler(
      Function<HostPort, ManagedChannel> channelFactory,
      Function<HostPort, ManagedChannel> discoveredFactory,
      CoordinatorDiscovery discovery,
      CompileServices services,
      Clock clock,
      ClientActivity activity) {
    this.channelFactory = channelFactory;
    this.discoveredFactory = discoveredFactory;
    this.discovery = discovery;
    this.services = services;
    this.clock = clock;
    this.activity = activity;
    if (activity == null) {
      this.reporter = null;
    } else {
      this.reporter =
          Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("hgbuild-daemon-report"));
      reporter.scheduleWithFixedDelay(activity::flush, 2, 2, TimeUnit.SECONDS);
    }
  }

  @Override
  public int compile(LauncherRequest request, PrintStream out, PrintStream err) throws Exception {
    Config config =
        ClientSettings.config(
            request.coordinator(), request.noFallback(), request.verbose(), false, request.env());
    CoordinatorDiscovery.Resolved resolved =
        discovery.resolve(
            ClientSettings.explicitCoordinator(config),
            ClientSettings.discoveryEnv(config, request.env()),
            config.bool("no_mdns"));
    ClientSettings settings = ClientSettings.resolve(resolved.address().target(), config);
    boolean discovered = resolved.source().startsWith("mDNS");
    for (String w : settings.warnings()) {
      err.println("hgbuild: warning: " + w);
    }
    ClientRequest client =
        ClientRequest.resolve(
            settings,
            CacheConfig.from(config, request.env(), request.cwd()),
            request.env(),
            request.cwd());
    Connection c =
        channels.computeIfAbsent(
            new ChannelKey(settings.coordinator(), discovered),
            k ->
                new Connection(
                    (k.discovered() ? discoveredFactory : channelFactory).apply(k.address())));
    long now = clock.millis();
    if (c.channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // The coordinator went away; it may come back as a new process with an empty store.
      c.memo.clear();
      if (now - c.lastNudgeMillis >= RECONNECT_NUDGE_MILLIS) {
        c.lastNudgeMillis = now;
        c.channel.resetConnectBackoff();
      }
    }
    long start = System.nanoTime();
    if (settings.noFallback()) {
      awaitReady(c.channel, NO_FALLBACK_CONNECT_WAIT);
    }
    CompileFlow flow =
        new CompileFlow(
            client,
            new GrpcRemoteCompiler(
                BuildIds.attach(c.channel, request.env().get(BuildIds.ENV)),
                settings.timeout(),
                c.memo,
                settings.skipCache()),
            out,
            err,
            services);
    int code = flow.run(request.argv().get(0), request.argv().subList(1, request.argv().size()));
    if (activity != null) {
      activity.compiled(
          request.env(),
          request.argv(),
          flow.outcome(),
          code,
          (System.nanoTime() - start) / 1000,
          c.channel);
    }
    return code;
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
    if (reporter != null) {
      reporter.shutdownNow();
      activity.flush(); // what the last compiles did, before the channels go
    }
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
