package io.hybridgrid.bench.scheduler;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.cache.CacheSettings;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.coord.scheduler.SchedulerKind;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real coordinator (the production {@link CoordinatorServer}: Netty on 127.0.0.1, result cache
 * off as with {@code --no-cache}, heartbeats every 2 s as {@code hg-coord serve}) with its
 * scheduler wrapped in a {@link TimedScheduler}, plus simulated workers, each on its own TCP
 * connection, and a few client connections.
 */
final class BenchGrid implements AutoCloseable {
  private static final Duration REGISTER_WAIT = Duration.ofSeconds(60);

  final LatencySamples decisions = new LatencySamples(5_000_000);
  final LatencySamples sendToAssign = new LatencySamples(5_000_000);

  /**
   * Threads whose CPU time counts as the coordinator's: its own Netty event loops (named here) and
   * the threads CoordinatorServer names (gRPC executor, timer).
   */
  static final String COORDINATOR_THREAD_PREFIX = "hg-coord-netty-";

  private final NioEventLoopGroup coordinatorLoops;
  private final CoordinatorServer coordinator;
  private final ScheduledExecutorService timer;
  private final List<ManagedChannel> workerChannels = new ArrayList<>();
  private final List<SimulatedWorker> workers = new ArrayList<>();
  private final List<ManagedChannel> clientChannels = new ArrayList<>();

  BenchGrid(SchedulerKind scheduler, List<WorkerProfile> profiles, int clientConnections)
      throws IOException, InterruptedException {
    DispatchSettings d = DispatchSettings.defaults();
    CoordinatorConfig config =
        new CoordinatorConfig(d, Duration.ofSeconds(2), scheduler, null, CacheSettings.off());
    AtomicInteger coordThreads = new AtomicInteger();
    coordinatorLoops =
        new NioEventLoopGroup(
            2,
            r -> {
              Thread t = new Thread(r, COORDINATOR_THREAD_PREFIX + coordThreads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    coordinator =
        new CoordinatorServer(
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .bossEventLoopGroup(coordinatorLoops)
                    .workerEventLoopGroup(coordinatorLoops)
                    .channelType(NioServerSocketChannel.class),
                null,
                config,
                Clock.systemUTC(),
                s -> new TimedScheduler(s, decisions))
            .start();
    AtomicInteger n = new AtomicInteger();
    timer =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "bench-worker-timer-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    for (WorkerProfile p : profiles) {
      ManagedChannel ch = channel();
      workerChannels.add(ch);
      SimulatedWorker w = new SimulatedWorker(p, ch, timer, sendToAssign);
      workers.add(w);
      w.start();
    }
    long deadline = System.nanoTime() + REGISTER_WAIT.toNanos();
    while (coordinator.status().stats().workers() < profiles.size()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            coordinator.status().stats().workers()
                + " of "
                + profiles.size()
                + " workers registered within "
                + REGISTER_WAIT);
      }
      TimeUnit.MILLISECONDS.sleep(5); // polling with a deadline, not waiting for a fixed time
    }
    for (int i = 0; i < clientConnections; i++) {
      clientChannels.add(channel());
    }
  }

  private ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", coordinator.grpcPort())
        .usePlaintext()
        .directExecutor()
        .build();
  }

  List<ManagedChannel> clientChannels() {
    return clientChannels;
  }

  List<SimulatedWorker> workers() {
    return workers;
  }

  CoordinatorServer coordinator() {
    return coordinator;
  }

  @Override
  public void close() throws InterruptedException {
    workers.forEach(SimulatedWorker::close);
    for (ManagedChannel ch : clientChannels) {
      ch.shutdownNow();
    }
    for (ManagedChannel ch : workerChannels) {
      ch.shutdownNow();
    }
    coordinator.close();
    coordinatorLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    timer.shutdownNow();
    for (ManagedChannel ch : workerChannels) {
      ch.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
