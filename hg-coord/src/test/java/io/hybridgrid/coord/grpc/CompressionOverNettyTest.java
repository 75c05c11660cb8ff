package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyServerBuilder;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.grpc.WireCompression;
import io.hybridgrid.coord.CoordinatorConfig;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.FindMissingBlobsRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The coordinator compresses its answers only when its compression setting says gzip. */
class CompressionOverNettyTest {
  private static final Metadata.Key<String> ENCODING =
      Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);

  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  @ParameterizedTest
  @EnumSource(WireCompression.class)
  void answersAreCompressedOnlyAsConfigured(WireCompression compression) throws Exception {
    CoordinatorServer coord =
        grpc.register(
                new CoordinatorServer(
                    NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                    null,
                    CoordinatorConfig.inMemory(DispatchSettings.defaults(), Duration.ofSeconds(3))
                        .withCompression(compression),
                    Clock.systemUTC()))
            .start();
    ManagedChannel channel =
        grpc.register(Channels.forAddress(new HostPort("127.0.0.1", coord.grpcPort())));
    AtomicReference<String> seen = new AtomicReference<>();
    Channel recording = ClientInterceptors.intercept(channel, recordEncoding(seen));

    int missing =
        ContentStoreGrpc.newBlockingStub(recording)
            .findMissingBlobs(
                FindMissingBlobsRequest.newBuilder()
                    .addDigests(
                        ProtoMapping.toWire(
                            Digest.of("not stored".getBytes(StandardCharsets.UTF_8))))
                    .build())
            .getMissingCount();

    assertEquals(1, missing);
    // Uncompressed messages are sent as "identity", or with no encoding named.
    assertEquals(compression == WireCompression.GZIP ? "gzip" : "identity", seen.get());
  }

  private static ClientInterceptor recordEncoding(AtomicReference<String> seen) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            super.start(
                new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                  @Override
                  public void onHeaders(Metadata h) {
                    String e = h.get(ENCODING);
                    seen.set(e == null ? "identity" : e);
                    super.onHeaders(h);
                  }
                },
                headers);
          }
        };
      }
    };
  }
}
