package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.CompilerIdentity;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Language;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 20 MB preprocessed unit (a large C++ file with {@code -fdirectives-only} keeps every macro
 * definition) must pass client → coordinator → worker, and a large object back, over real Netty
 * transports with the message limits and compression the programs use. gRPC's default limit is 4
 * MiB, so this fails if either end forgets {@link GrpcLimits#MAX_MESSAGE_BYTES}.
 */
class LargeUnitOverNettyTest {
  private static final CompilerIdentity GXX =
      CompilerIdentity.newBuilder()
          .setFamily("gcc")
          .setVersion("12.2.0")
          .setTarget("x86_64-linux-gnu")
          .setCxxDriver(true)
          .build();

  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  @Test
  void twentyMegabyteUnitAndEightMegabyteObjectPass() throws Exception {
    CoordinatorServer coord =
        grpc.register(
                new CoordinatorServer(
                    NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                    null,
                    DispatchSettings.defaults(),
                    Duration.ofSeconds(3),
                    Clock.systemUTC()))
            .start();
    HostPort address = new HostPort("127.0.0.1", coord.grpcPort());
    ManagedChannel workerChannel = grpc.register(Channels.forAddress(address));
    ManagedChannel clientChannel = grpc.register(Channels.forAddress(address));

    BlockingQueue<CoordinatorMessage> received = new LinkedBlockingQueue<>();
    StreamObserver<WorkerMessage> up =
        WorkerServiceGrpc.newStub(workerChannel)
            .withCompression(GrpcLimits.COMPRESSION)
            .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .session(
                new StreamObserver<>() {
                  @Override
                  public void onNext(CoordinatorMessage m) {
                    received.add(m);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    up.onNext(
        WorkerMessage.newBuilder()
            .setRegister(
                Register.newBuilder()
                    .setWorkerId("big")
                    .setCapabilities(
                        Capabilities.newBuilder().setCores(2).setMaxParallel(1).addCompilers(GXX)))
            .build());
    assertEquals(
        CoordinatorMessage.KindCase.REGISTERED, received.poll(10, TimeUnit.SECONDS).getKindCase());

    byte[] unit = preprocessedText(20_000_000);
    byte[] object = new byte[8_000_000];
    new SplittableRandom(7).nextBytes(object);

    Thread worker =
        new Thread(
            () -> {
              try {
                CoordinatorMessage m = received.poll(60, TimeUnit.SECONDS);
                assertNotNull(m, "no assignment");
                assertEquals(unit.length, m.getAssignment().getTask().getPreprocessed().size());
                up.onNext(
                    WorkerMessage.newBuilder()
                        .setResult(
                            TaskResult.newBuilder()
                                .setTaskId(m.getAssignment().getTaskId())
                                .setResult(
                                    CompileResult.newBuilder()
                                        .setWorkerId("big")
                                        .setObject(ByteString.copyFrom(object))))
                        .build());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    worker.start();

    CompileResponse response =
        CompileServiceGrpc.newBlockingStub(clientChannel)
            .withCompression(GrpcLimits.COMPRESSION)
            .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .compile(
                CompileRequest.newBuilder()
                    .setTask(
                        CompileTask.newBuilder()
                            .setCompiler(GXX)
                            .setLanguage(Language.LANGUAGE_CXX)
                            .setSourcePath("big.cpp")
                            .setClientCwd("/src")
                            .setPreprocessed(ByteString.copyFrom(unit)))
                    .build());
    worker.join(TimeUnit.SECONDS.toMillis(60));
    assertArrayEquals(object, response.getResult().getObject().toByteArray());
    assertEquals("big", response.getResult().getWorkerId());
    up.onCompleted();
  }

  /**
   * Text shaped like preprocessed C++: many distinct declarations, compressible but not trivial.
   */
  private static byte[] preprocessedText(int size) {
    StringBuilder s = new StringBuilder(size + 100);
    SplittableRandom r = new SplittableRandom(42);
    for (int i = 0; s.length() < size; i++) {
      s.append("template <typename T> inline T f")
          .append(i)
          .append("(T a) { return a * ")
          .append(r.nextInt(1_000_000))
          .append("; }\n");
    }
    s.setLength(size);
    return s.toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
