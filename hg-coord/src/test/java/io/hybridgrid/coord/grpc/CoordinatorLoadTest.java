package io.hybridgrid.coord.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.coord.CoordinatorServer;
import io.hybridgrid.coord.dispatch.DispatchSettings;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.CompilerIdentity;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Load (issue 12): 50 concurrent clients × 40 compiles against two workers with two slots each,
 * over in-process gRPC. Every client gets exactly its own result for every compile (none lost, none
 * answered twice), and the coordinator's heap after the run is at most twice what it was before
 * (nothing per task is kept once it is answered).
 */
class CoordinatorLoadTest {
  private static final int CLIENTS = 50;
  private static final int COMPILES = 40;

  private static final CompilerIdentity GCC =
      CompilerIdentity.newBuilder()
          .setFamily("gcc")
          .setVersion("12.2.0")
          .setTarget("x86_64-linux-gnu")
          .build();

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final ScheduledExecutorService workerPool = Executors.newScheduledThreadPool(4);
  private final Map<String, AtomicInteger> answersPerTask = new ConcurrentHashMap<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    workerPool.shutdownNow();
  }

  /**
   * A worker that answers each assignment after 1-2 ms with an object naming the action's input:
   * its source's digest, which is distinct for every compile.
   */
  private void worker(ManagedChannel channel, String id) {
    StreamObserver<WorkerMessage>[] out = newArray();
    out[0] =
        WorkerServiceGrpc.newStub(channel)
            .session(
                new StreamObserver<>() {
                  @Override
                  public void onNext(CoordinatorMessage m) {
                    if (!m.hasAssignment()) {
                      return;
                    }
                    String taskId = m.getAssignment().getTaskId();
                    Action action = m.getAssignment().getAction();
                    ByteString object =
                        ByteString.copyFromUtf8(action.getInputs(0).getDigest().getHash());
                    answersPerTask
                        .computeIfAbsent(id + "/" + taskId, k -> new AtomicInteger())
                        .incrementAndGet();
                    workerPool.schedule(
                        () -> {
                          synchronized (out) {
                            out[0].onNext(
                                WorkerMessage.newBuilder()
                                    .setResult(
                                        TaskResult.newBuilder()
                                            .setTaskId(taskId)
                                            .setActionResult(
                                                ActionResult.newBuilder()
                                                    .setExitCode(0)
                                                    .addOutputs(
                                                        OutputFile.newBuilder()
                                                            .setPath(action.getOutputPaths(0))
                                                            .setDigest(
                                                                GrpcCoordinator.digest(
                                                                    object.toByteArray()))
                                                            .setContents(object))
                                                    .setWorkerId(id)))
                                    .build());
                          }
                        },
                        1 + (taskId.hashCode() & 1),
                        TimeUnit.MILLISECONDS);
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    synchronized (out) {
      out[0].onNext(
          WorkerMessage.newBuilder()
              .setRegister(
                  Register.newBuilder()
                      .setWorkerId(id)
                      .setHostname(id)
                      .setVersion("test")
                      .setCapabilities(
                          Capabilities.newBuilder()
                              .setCores(2)
                              .setMaxParallel(2)
                              .setArch("amd64")
                              .setOs("linux")
                              .addCompilers(GCC)))
              .build());
    }
  }

  @SuppressWarnings("unchecked")
  private static StreamObserver<WorkerMessage>[] newArray() {
    return new StreamObserver[1];
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100); // let the collector settle; the lowest of three readings is kept
      best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
    }
    return best;
  }

  /** Compile {@code n} of client {@code client}: a source of its own, named for both. */
  private static String source(int client, int n) {
    return "int f_" + client + "_" + n + "(void){return 0;}\n";
  }

  private static CompileRequest request(int client, int n) {
    String dir = "/home/dev/c" + client;
    return CompileRequest.newBuilder()
        .setAction(
            Action.newBuilder()
                .addAllArgv(List.of("gcc", "-c", "f" + n + ".c"))
                .setCwd(dir)
                .addInputs(
                    InputFile.newBuilder()
                        .setPath(dir + "/f" + n + ".c")
                        .setDigest(GrpcCoordinator.digest(GrpcCoordinator.utf8(source(client, n)))))
                .addOutputPaths(dir + "/f" + n + ".o")
                .setCompiler(GCC)
                .setCompilerPath("/usr/bin/gcc"))
        .build();
  }

  @Test
  void fiftyClientsTimesFortyCompilesNoneLostNoneDuplicatedHeapBounded() throws Exception {
    String name = InProcessServerBuilder.generateName();
    CoordinatorServer coord =
        new CoordinatorServer(
                InProcessServerBuilder.forName(name),
                null,
                DispatchSettings.defaults(),
                Duration.ofSeconds(2),
                Clock.systemUTC())
            .start();
    cleanup.add(coord);
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    cleanup.add(channel::shutdownNow);
    worker(channel, "w1");
    worker(channel, "w2");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (coord.status().stats().workers() < 2) {
      assertTrue(System.nanoTime() < deadline, "workers did not register");
      Thread.sleep(10); // polling with a deadline
    }
    long before = usedHeapAfterGc();

    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<Integer>> done = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      done.add(
          clients.submit(
              () -> {
                var stub = CompileServiceGrpc.newBlockingStub(channel);
                int ok = 0;
                for (int n = 0; n < COMPILES; n++) {
                  // As a client does: upload the source, then send the action.
                  GrpcCoordinator.upload(channel, GrpcCoordinator.utf8(source(client, n)));
                  CompileRequest req = request(client, n);
                  CompileResponse r = stub.withDeadlineAfter(60, TimeUnit.SECONDS).compile(req);
                  assertEquals(
                      req.getAction().getInputs(0).getDigest().getHash(),
                      r.getActionResult().getOutputs(0).getContents().toString(UTF_8),
                      "client " + client + " got another compile's result");
                  ok++;
                }
                return ok;
              }));
    }
    int total = 0;
    for (Future<Integer> f : done) {
      total += f.get(5, TimeUnit.MINUTES);
    }
    clients.shutdown();

    assertEquals(CLIENTS * COMPILES, total);
    assertEquals(CLIENTS * COMPILES, coord.status().stats().tasksCompleted());
    assertEquals(0, coord.status().stats().tasksFailed());
    assertEquals(CLIENTS * COMPILES, answersPerTask.size(), "every task was sent exactly once");
    assertTrue(answersPerTask.values().stream().allMatch(a -> a.get() == 1), "no duplicates");
    assertEquals(0, coord.status().stats().active());
    assertEquals(0, coord.status().stats().queued());
    long after = usedHeapAfterGc();
    System.out.printf(
        "LOAD %d clients x %d compiles: heap before %d KiB, after %d KiB, hedged %d%n",
        CLIENTS, COMPILES, before / 1024, after / 1024, coord.status().stats().tasksHedged());
    assertTrue(after <= 2 * before, "heap grew from " + before + " to " + after + " bytes");
  }
}
