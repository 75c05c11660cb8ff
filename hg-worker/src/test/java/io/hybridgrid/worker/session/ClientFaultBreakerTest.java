package io.hybridgrid.worker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.Digest;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskRejection;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.worker.Tools;
import io.hybridgrid.worker.action.ActionBreaker;
import io.hybridgrid.worker.action.ActionExecutor;
import io.hybridgrid.worker.action.SandboxSettings;
import io.hybridgrid.worker.cas.BlobDigest;
import io.hybridgrid.worker.cas.CasFetcher;
import io.hybridgrid.worker.cas.FakeContentStore;
import io.hybridgrid.worker.cas.LocalCas;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import io.hybridgrid.worker.metrics.TaskMeter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that sends actions which fail by its own fault (-fsyntax-only and other forbidden
 * arguments, an over-long file name or path, too many arguments, an argument past the bound) must
 * not open the worker's circuit breaker: each is refused as the client's fault, and the worker
 * keeps serving real compiles. Driven through the worker's task runner, as the session runs an
 * assignment, with the inputs in a content store over in-process gRPC.
 */
class ClientFaultBreakerTest {
  private static final String SOURCE = "int f(void) { return 1; }\n";

  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final FakeContentStore store = new FakeContentStore();
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    pool.shutdownNow();
  }

  @Test
  void clientFaultsNeverOpenTheBreaker() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
    assumeTrue(Tools.installed(Tools.GCC), "gcc is not installed");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(store).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    CompilerIdentity gcc = CompilerProbe.probe(Tools.GCC).orElseThrow();
    CircuitBreaker breaker = ActionBreaker.defaultBreaker();
    boolean root =
        Files.readString(Path.of("/proc/self/status"))
            .lines()
            .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
    WorkTaskRunner worker =
        new WorkTaskRunner(
            new ActionExecutor(
                new InstalledCompilers(Map.of(gcc, Tools.GCC)),
                new CasFetcher(LocalCas.open(tmp.resolve("cas"), 1L << 30), pool),
                SandboxSettings.defaults(tmp.resolve("work"), root),
                breaker,
                TaskMeter.NONE),
            () -> channel,
            "w1");
    String cwd = tmp.resolve("p").toString();
    BlobDigest source = store.add(SOURCE.getBytes(StandardCharsets.UTF_8));
    // gcc reads this system header before any source; a client sends it with the inputs.
    Path predef = Path.of("/usr/include/stdc-predef.h");
    BlobDigest predefDigest = store.add(Files.readAllBytes(predef));
    Action good =
        Action.newBuilder()
            .addAllArgv(List.of("gcc", "-O2", "-c", "a.c", "-o", "a.o"))
            .setCwd(cwd)
            .putEnv("PATH", "/usr/bin:/bin")
            .addInputs(
                InputFile.newBuilder()
                    .setPath(cwd + "/a.c")
                    .setDigest(
                        Digest.newBuilder().setHash(source.hash()).setSizeBytes(source.size())))
            .addInputs(
                InputFile.newBuilder()
                    .setPath(predef.toString())
                    .setDigest(
                        Digest.newBuilder()
                            .setHash(predefDigest.hash())
                            .setSizeBytes(predefDigest.size())))
            .addDirectories(cwd)
            .addOutputPaths(cwd + "/a.o")
            .setCompiler(WireTypes.toWire(gcc))
            .setCompilerPath(Tools.GCC.toString())
            .build();
    List<String> tooMany = new ArrayList<>(List.of("gcc", "-c", "a.c", "-o", "a.o"));
    for (int i = 0; i < 5000; i++) {
      tooMany.add("-DX" + i);
    }
    List<Action> faults =
        List.of(
            with(good, List.of("gcc", "-fsyntax-only", "a.c"), "a.o"),
            with(good, List.of("gcc", "--syntax-only", "a.c"), "a.o"),
            with(good, List.of("gcc", "--pref", "/tmp/", "-c", "a.c", "-o", "a.o"), "a.o"),
            with(good, good.getArgvList(), "x".repeat(300) + ".o"),
            with(good, good.getArgvList(), "d/".repeat(2100) + "a.o"),
            with(good, tooMany, "a.o"),
            with(good, List.of("gcc", "-D" + "y".repeat(200_000), "-c", "a.c"), "a.o"));
    // Three rounds: far more than the breaker's minimum of 5 calls at a 50 % failure threshold.
    for (int round = 0; round < 3; round++) {
      for (Action fault : faults) {
        TaskResult r = run(worker, fault);
        TaskRejection.Reason reason = r.getRejection().getReason();
        assertTrue(
            reason == TaskRejection.Reason.INVALID_TASK
                || reason == TaskRejection.Reason.FORBIDDEN_ARGUMENT,
            fault.getArgvCount()
                + " args, "
                + fault.getOutputPaths(0).length()
                + " output path: "
                + r);
      }
    }
    assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
    assertEquals(0, breaker.getMetrics().getNumberOfFailedCalls());
    TaskResult ok = run(worker, good);
    assertTrue(ok.hasActionResult(), ok::toString);
    assertEquals(0, ok.getActionResult().getExitCode(), ok::toString);
    assertEquals(cwd + "/a.o", ok.getActionResult().getOutputs(0).getPath());
  }

  private static TaskResult run(WorkTaskRunner worker, Action action) {
    return worker.run(
        TaskAssignment.newBuilder().setTaskId("t").setAction(action).setTimeoutMs(60_000).build(),
        new Cancellation());
  }

  /** {@code base} with another command and one output path (relative to its cwd). */
  private static Action with(Action base, List<String> argv, String output) {
    return base.toBuilder()
        .clearArgv()
        .addAllArgv(argv)
        .clearOutputPaths()
        .addOutputPaths(base.getCwd() + "/" + output)
        .build();
  }
}
