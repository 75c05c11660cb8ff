package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.grpc.WireCompression;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.cas.Digest;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompilerIdentity;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import io.hybridgrid.proto.v1.WriteBlobChunk;
import io.hybridgrid.proto.v1.WriteBlobResponse;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A large action must pass client → coordinator → worker, and large outputs back, over real Netty
 * transports with the message limits and compression the programs use: a 20 MB source streamed into
 * the content store, an action naming 40,000 headers (a 6 MB message: a big C++ unit with many
 * small headers), and a 4 MB object plus a 3 MB {@code .dwo} returned inline (a 7 MB result and a 7
 * MB answer). gRPC's default limit is 4 MiB, so this fails if any end forgets {@link
 * GrpcLimits#MAX_MESSAGE_BYTES}.
 */
class LargeActionOverNettyTest {
  private static final CompilerIdentity GXX =
      CompilerIdentity.newBuilder()
          .setFamily("gcc")
          .setVersion("12.2.0")
          .setTarget("x86_64-linux-gnu")
          .setCxxDriver(true)
          .build();

  private static final int HEADERS = 40_000;
  private static final int CHUNK = 1 << 20;

  @RegisterExtension final GrpcCleanupExtension grpc = new GrpcCleanupExtension();

  @Test
  void largeInputsManyHeadersAndLargeOutputsPass() throws Exception {
    CoordinatorServer coord = NettyCoordinator.start(grpc);
    HostPort address = new HostPort("127.0.0.1", coord.grpcPort());
    ManagedChannel workerChannel = grpc.register(Channels.forAddress(address));
    ManagedChannel clientChannel = grpc.register(Channels.forAddress(address));

    BlockingQueue<CoordinatorMessage> received = new LinkedBlockingQueue<>();
    StreamObserver<WorkerMessage> up =
        WorkerServiceGrpc.newStub(workerChannel)
            .withCompression(WireCompression.GZIP.encoding())
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

    // The client's side: the large source streamed, the one header content in a batch.
    SplittableRandom random = new SplittableRandom(7);
    byte[] source = new byte[20_000_000];
    random.nextBytes(source);
    byte[] header = GrpcCoordinator.utf8("#pragma once\n");
    writeBlob(clientChannel, source);
    GrpcCoordinator.upload(clientChannel, header);
    Action.Builder action =
        Action.newBuilder()
            .addAllArgv(java.util.List.of("g++", "-g", "-gsplit-dwarf", "-c", "big.cpp"))
            .setCwd("/src")
            .putEnv("PATH", "/usr/bin:/bin")
            .addInputs(
                InputFile.newBuilder()
                    .setPath("/src/big.cpp")
                    .setDigest(GrpcCoordinator.digest(source)))
            .addOutputPaths("/src/big.dwo")
            .addOutputPaths("/src/big.o")
            .setCompiler(GXX)
            .setCompilerPath("/usr/bin/g++");
    for (int i = 0; i < HEADERS; i++) {
      action.addInputs(
          InputFile.newBuilder()
              .setPath(
                  String.format("/src/include/module_%05d/a_descriptive_header_%05d.hpp", i, i))
              .setDigest(GrpcCoordinator.digest(header)));
    }
    Action sent = action.build();
    assertTrue(sent.getSerializedSize() > 4 << 20, "the action alone is past gRPC's default");

    byte[] object = new byte[4_000_000];
    byte[] dwo = new byte[3_000_000];
    random.nextBytes(object);
    random.nextBytes(dwo);
    AtomicReference<TaskAssignment> assigned = new AtomicReference<>();
    CompletableFuture<Void> worker =
        CompletableFuture.runAsync(
            () -> {
              try {
                CoordinatorMessage m = received.poll(60, TimeUnit.SECONDS);
                assertNotNull(m, "no assignment");
                assigned.set(m.getAssignment());
                up.onNext(
                    WorkerMessage.newBuilder()
                        .setResult(
                            TaskResult.newBuilder()
                                .setTaskId(m.getAssignment().getTaskId())
                                .setActionResult(
                                    ActionResult.newBuilder()
                                        .setWorkerId("big")
                                        .addOutputs(inline("/src/big.dwo", dwo))
                                        .addOutputs(inline("/src/big.o", object))))
                        .build());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });

    CompileResponse response =
        CompileServiceGrpc.newBlockingStub(clientChannel)
            .withCompression(WireCompression.GZIP.encoding())
            .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .compile(CompileRequest.newBuilder().setAction(sent).build());
    worker.get(60, TimeUnit.SECONDS);

    assertEquals(HEADERS + 1, assigned.get().getAction().getInputsCount());
    assertEquals(sent.getInputs(0), assigned.get().getAction().getInputs(0));
    assertEquals("big", response.getActionResult().getWorkerId());
    assertEquals(2, response.getActionResult().getOutputsCount());
    assertArrayEquals(dwo, response.getActionResult().getOutputs(0).getContents().toByteArray());
    assertArrayEquals(object, response.getActionResult().getOutputs(1).getContents().toByteArray());
    assertTrue(coord.cas().contains(Digest.of(object)), "the inline object was stored");
    up.onCompleted();
  }

  private static OutputFile inline(String path, byte[] bytes) {
    return OutputFile.newBuilder()
        .setPath(path)
        .setDigest(GrpcCoordinator.digest(bytes))
        .setContents(ByteString.copyFrom(bytes))
        .build();
  }

  /** Streams {@code blob} into the coordinator's store in 1 MiB chunks, as a client does. */
  private static void writeBlob(ManagedChannel channel, byte[] blob) throws Exception {
    CompletableFuture<WriteBlobResponse> done = new CompletableFuture<>();
    StreamObserver<WriteBlobChunk> out =
        ContentStoreGrpc.newStub(channel)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .writeBlob(
                new StreamObserver<>() {
                  @Override
                  public void onNext(WriteBlobResponse r) {
                    done.complete(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    for (int off = 0; off < blob.length; off += CHUNK) {
      WriteBlobChunk.Builder c =
          WriteBlobChunk.newBuilder()
              .setData(ByteString.copyFrom(blob, off, Math.min(CHUNK, blob.length - off)));
      if (off == 0) {
        c.setDigest(GrpcCoordinator.digest(blob));
      }
      out.onNext(c.build());
    }
    out.onCompleted();
    assertEquals(blob.length, done.get(60, TimeUnit.SECONDS).getCommittedSize());
  }
}
