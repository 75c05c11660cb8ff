package io.hybridgrid.coord.grpc;

import io.grpc.netty.NettyServerBuilder;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * A coordinator on real Netty transports (not in-process), on a free port of 127.0.0.1, with the
 * default dispatch settings; {@code grpc} shuts it down after the test.
 */
final class NettyCoordinator {
  private NettyCoordinator() {}

  static CoordinatorServer start(GrpcCleanupExtension grpc)
      throws IOException, InterruptedException {
    return grpc.register(
            new CoordinatorServer(
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                null,
                DispatchSettings.defaults(),
                Duration.ofSeconds(3),
                Clock.systemUTC()))
        .start();
  }
}
