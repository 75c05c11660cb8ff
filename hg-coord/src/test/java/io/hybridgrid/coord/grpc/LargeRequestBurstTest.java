package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.common.grpc.Channels;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.GetStatsRequest;
import io.hybridgrid.proto.v1.StatusServiceGrpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security review's memory attack: twelve concurrent large compile requests at once. A real
 * hg-coord process runs with 160 MiB of direct memory (twelve 24 MB incompressible requests are 288
 * MB) and a 64 MiB request budget; every request must get its proper answer (these actions are
 * invalid once read, so INVALID_ARGUMENT), none may fail for memory, and the coordinator must still
 * answer afterwards. Without the budget ({@code --request-memory 4G}) the same burst fails with
 * direct-memory errors on this machine.
 */
class LargeRequestBurstTest {
  private static final int REQUESTS = 12;
  private static final int SIZE = 24_000_000;
  private static final int ARG_LENGTH = 16_000;

  @TempDir Path state;

  @Test
  void concurrentLargeRequestsDoNoHarm() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process coord =
        new ProcessBuilder(
                java,
                "-XX:MaxDirectMemorySize=160m",
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.hybridgrid.coord.Main",
                "serve",
                "--bind",
                "127.0.0.1",
                "--grpc-port",
                "0",
                "--http-port",
                "0",
                "--no-mdns",
                "--no-cache",
                "--state-dir",
                state.toString(),
                "--request-memory",
                "64M")
            .redirectErrorStream(true)
            .start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(coord.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  lines.add(l);
                }
              } catch (java.io.IOException e) {
                // process ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    ExecutorService pool = Executors.newFixedThreadPool(REQUESTS);
    ManagedChannel channel = null;
    try {
      int port = awaitPort(lines);
      channel = Channels.forAddress(new HostPort("127.0.0.1", port));
      // An action of 24 MB of arguments (1,500 of 16,000 random letters each, the longest an
      // argument may be), invalid once read: its cwd is not absolute.
      SplittableRandom random = new SplittableRandom(1);
      Action.Builder big = GrpcCoordinator.action("").toBuilder().setCwd("not-absolute");
      for (int i = 0; i < SIZE / ARG_LENGTH; i++) {
        char[] arg = new char[ARG_LENGTH];
        arg[0] = '-';
        arg[1] = 'D';
        for (int j = 2; j < arg.length; j++) {
          arg[j] = (char) ('a' + random.nextInt(26));
        }
        big.addArgv(new String(arg));
      }
      CompileRequest request = GrpcCoordinator.request(big.build());
      assertTrue(request.getSerializedSize() >= SIZE, "the request is as large as intended");
      ManagedChannel ch = channel;
      List<Future<Status.Code>> calls = new ArrayList<>();
      CompletableFuture<Void> go = new CompletableFuture<>();
      for (int i = 0; i < REQUESTS; i++) {
        calls.add(
            pool.submit(
                () -> {
                  go.join();
                  try {
                    CompileServiceGrpc.newBlockingStub(ch)
                        .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
                        .withDeadlineAfter(120, TimeUnit.SECONDS)
                        .compile(request);
                    return Status.Code.OK;
                  } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode();
                  }
                }));
      }
      go.complete(null);
      for (Future<Status.Code> c : calls) {
        assertEquals(Status.Code.INVALID_ARGUMENT, c.get(180, TimeUnit.SECONDS), log(lines));
      }
      assertTrue(coord.isAlive(), "the coordinator died: " + log(lines));
      assertNotNull(
          StatusServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .getStats(GetStatsRequest.getDefaultInstance()));
      String all = log(lines);
      assertTrue(!all.contains("OutOfDirectMemoryError") && !all.contains("OutOfMemoryError"), all);
    } finally {
      pool.shutdownNow();
      if (channel != null) {
        channel.shutdownNow();
      }
      coord.destroy();
      if (!coord.waitFor(10, TimeUnit.SECONDS)) {
        coord.destroyForcibly();
      }
    }
  }

  private static int awaitPort(LinkedBlockingQueue<String> lines) throws InterruptedException {
    Pattern p = Pattern.compile("listening: gRPC [^:]+:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    StringBuilder seen = new StringBuilder();
    while (System.nanoTime() < deadline) {
      String l = lines.poll(1, TimeUnit.SECONDS);
      if (l == null) {
        continue;
      }
      seen.append(l).append('\n');
      Matcher m = p.matcher(l);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("hg-coord did not start:\n" + seen);
  }

  private static String log(LinkedBlockingQueue<String> lines) {
    List<String> l = new ArrayList<>(lines);
    return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
  }
}
