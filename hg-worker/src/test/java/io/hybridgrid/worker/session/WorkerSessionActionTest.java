package io.hybridgrid.worker.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.grpc.WireCompression;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.Digest;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.RegisterAck;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import io.hybridgrid.worker.Tools;
import io.hybridgrid.worker.action.ActionExecutor;
import io.hybridgrid.worker.action.SandboxSettings;
import io.hybridgrid.worker.cas.BlobDigest;
import io.hybridgrid.worker.cas.CasFetcher;
import io.hybridgrid.worker.cas.FakeContentStore;
import io.hybridgrid.worker.cas.LocalCas;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An action assignment through the real session: the worker fetches the inputs from the
 * coordinator's store over its session channel, replays the compile in the sandbox and returns an
 * ActionResult whose object is the local one.
 */
class WorkerSessionActionTest {
  @TempDir Path tmp;
  private final FakeContentStore store = new FakeContentStore();
  private final CompletableFuture<TaskResult> result = new CompletableFuture<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private Server server;
  private WorkerSession session;

  @AfterEach
  void stop() throws Exception {
    if (session != null) {
      session.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    pool.shutdownNow();
  }

  private InputFile input(Path p) throws Exception {
    BlobDigest d = store.add(Files.readAllBytes(p));
    return InputFile.newBuilder()
        .setPath(p.toString())
        .setDigest(Digest.newBuilder().setHash(d.hash()).setSizeBytes(d.size()))
        .build();
  }

  @Test
  void anActionAssignmentComesBackAsAnActionResult() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    Path proj = tmp.resolve("proj");
    Path src = Tools.write(proj, "x.c", "int f(void) { return 4; }\n");
    Path gcc = Path.of("/usr/bin/gcc");
    CompilerIdentity id = CompilerProbe.probe(gcc).orElseThrow();
    Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8");
    Action action =
        Action.newBuilder()
            .addAllArgv(List.of("gcc", "-O2", "-c", "x.c", "-o", "x.o"))
            .setCwd(proj.toString())
            .putAllEnv(env)
            .addInputs(input(src))
            .addInputs(input(Path.of("/usr/include/stdc-predef.h")))
            .addDirectories(proj.toString())
            .addOutputPaths(proj + "/x.o")
            .setCompiler(WireTypes.toWire(id))
            .setCompilerPath("/usr/bin/gcc")
            .build();

    WorkerServiceGrpc.WorkerServiceImplBase coordinator =
        new WorkerServiceGrpc.WorkerServiceImplBase() {
          @Override
          public StreamObserver<WorkerMessage> session(StreamObserver<CoordinatorMessage> out) {
            return new StreamObserver<>() {
              @Override
              public synchronized void onNext(WorkerMessage m) {
                if (m.hasRegister()) {
                  out.onNext(
                      CoordinatorMessage.newBuilder()
                          .setRegistered(RegisterAck.newBuilder().setHeartbeatIntervalMs(1000))
                          .build());
                  out.onNext(
                      CoordinatorMessage.newBuilder()
                          .setAssignment(
                              TaskAssignment.newBuilder()
                                  .setTaskId("t1")
                                  .setAction(action)
                                  .setTimeoutMs(60_000))
                          .build());
                } else if (m.hasResult()) {
                  result.complete(m.getResult());
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                out.onCompleted();
              }
            };
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(coordinator)
            .addService(store)
            .build()
            .start();
    boolean root = Files.readString(Path.of("/proc/self/status")).contains("\nUid:\t0\t");
    ActionExecutor executor =
        new ActionExecutor(
            new InstalledCompilers(Map.of(id, gcc)),
            new CasFetcher(LocalCas.open(tmp.resolve("cas"), 1L << 30), pool),
            SandboxSettings.defaults(tmp.resolve("work"), root));
    session =
        new WorkerSession(
            new WorkerSettings(
                HostPort.parse("127.0.0.1:" + server.getPort()),
                "w1",
                "host1",
                1,
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                WireCompression.NONE),
            Set.of(id),
            Capabilities.newBuilder().setCores(1).build(),
            "test",
            new Random(1),
            () -> 0L,
            java.util.Optional::empty,
            executor);
    session.start();

    TaskResult r = result.get(60, TimeUnit.SECONDS);
    assertEquals("t1", r.getTaskId());
    assertEquals(TaskResult.OutcomeCase.ACTION_RESULT, r.getOutcomeCase(), r.toString());
    ActionResult ar = r.getActionResult();
    assertEquals(0, ar.getExitCode(), ar.getStderr().toStringUtf8());
    assertEquals("w1", ar.getWorkerId());
    assertEquals(1, ar.getOutputsCount());

    ProcessBuilder local =
        new ProcessBuilder("/usr/bin/gcc", "-O2", "-c", "x.c", "-o", "x.o")
            .directory(proj.toFile());
    local.environment().clear();
    local.environment().putAll(env);
    assertEquals(0, local.inheritIO().start().waitFor());
    ByteString expected = ByteString.copyFrom(Files.readAllBytes(proj.resolve("x.o")));
    assertEquals(proj + "/x.o", ar.getOutputs(0).getPath());
    assertArrayEquals(expected.toByteArray(), ar.getOutputs(0).getContents().toByteArray());
    assertEquals(
        BlobDigest.of(expected.toByteArray()).hash(), ar.getOutputs(0).getDigest().getHash());
  }
}
