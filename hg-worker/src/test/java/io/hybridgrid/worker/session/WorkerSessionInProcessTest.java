package io.hybridgrid.worker.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.grpc.WireCompression;
import io.hybridgrid.proto.v1.CancelTask;
import io.hybridgrid.proto.v1.Capabilities;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.RegisterAck;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session against an in-process coordinator: cancellation, drain, reconnect. */
class WorkerSessionInProcessTest {
  private final String name = InProcessServerBuilder.generateName();
  private final List<WorkerMessage> received = new CopyOnWriteArrayList<>();
  private final List<StreamObserver<CoordinatorMessage>> streams = new CopyOnWriteArrayList<>();
  private Server server;
  private WorkerSession session;

  private final class Coordinator extends WorkerServiceGrpc.WorkerServiceImplBase {
    @Override
    public StreamObserver<WorkerMessage> session(StreamObserver<CoordinatorMessage> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(WorkerMessage m) {
          received.add(m);
          if (m.hasRegister()) {
            streams.add(out); // before the ack: the test may send as soon as the worker is in
            synchronized (out) {
              out.onNext(
                  CoordinatorMessage.newBuilder()
                      .setRegistered(
                          RegisterAck.newBuilder()
                              .setWorkerId(m.getRegister().getWorkerId())
                              .setHeartbeatIntervalMs(50))
                      .build());
            }
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
  }

  private void startServer() throws Exception {
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new Coordinator())
            .build()
            .start();
  }

  private WorkerSession session(TaskRunner runner) {
    return new WorkerSession(
        new WorkerSettings(
            HostPort.parse("in-process:1"),
            "w1",
            "host1",
            2,
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            WireCompression.NONE),
        runner,
        Set.of(),
        Capabilities.newBuilder().setCores(2).build(),
        "test",
        () -> 0,
        Optional::empty,
        target -> InProcessChannelBuilder.forName(name).directExecutor().build(),
        Clock.systemUTC(),
        new Random(3),
        d -> Thread.sleep(d.toMillis()));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(10); // polling with a deadline
    }
  }

  private void send(CoordinatorMessage m) {
    StreamObserver<CoordinatorMessage> out = streams.get(streams.size() - 1);
    synchronized (out) {
      out.onNext(m);
    }
  }

  private static CoordinatorMessage assignment(String id) {
    return CoordinatorMessage.newBuilder()
        .setAssignment(TaskAssignment.newBuilder().setTaskId(id))
        .build();
  }

  private List<TaskResult> results() {
    return received.stream()
        .filter(WorkerMessage::hasResult)
        .map(WorkerMessage::getResult)
        .toList();
  }

  @AfterEach
  void stop() throws Exception {
    if (session != null) {
      session.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void cancelTaskStopsTheRunnerFreesTheSlotAndSendsNoResult() throws Exception {
    startServer();
    CountDownLatch started = new CountDownLatch(1);
    List<Boolean> sawCancel = new CopyOnWriteArrayList<>();
    session =
        session(
            (a, cancelled) -> {
              if (a.getTaskId().equals("quick")) {
                return TaskResult.newBuilder().setTaskId("quick").build();
              }
              started.countDown();
              CountDownLatch gone = new CountDownLatch(1);
              cancelled.onCancel(gone::countDown);
              try {
                gone.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              sawCancel.add(cancelled.isCancelled());
              return TaskResult.newBuilder().setTaskId(a.getTaskId()).build();
            });
    session.start();
    await(session::connected, "registered");

    send(assignment("slow"));
    assertTrue(started.await(10, TimeUnit.SECONDS));
    assertEquals(1, session.activeTasks());
    send(
        CoordinatorMessage.newBuilder()
            .setCancel(CancelTask.newBuilder().setTaskId("slow"))
            .build());
    await(() -> session.activeTasks() == 0, "slot freed");
    assertEquals(List.of(true), sawCancel);

    send(assignment("quick"));
    await(() -> !results().isEmpty(), "quick result");
    assertEquals(List.of("quick"), results().stream().map(TaskResult::getTaskId).toList());
  }

  @Test
  void reconnectsWithinTwoSecondsOfTheCoordinatorAnsweringAgain() throws Exception {
    startServer();
    session = session((a, c) -> TaskResult.newBuilder().setTaskId(a.getTaskId()).build());
    session.start();
    await(session::connected, "registered");

    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    await(() -> !session.connected(), "noticed the loss");
    Thread.sleep(3000); // the coordinator stays down for a while: backoff would grow
    int before = received.size();
    startServer();
    Instant up = Instant.now();
    await(session::connected, "registered again");
    Duration back = Duration.between(up, Instant.now());
    assertTrue(back.compareTo(Duration.ofSeconds(2)) < 0, "back after " + back);
    assertTrue(received.size() > before);
  }

  @Test
  void drainTellsTheCoordinatorAndLetsTheRunningTaskFinish() throws Exception {
    startServer();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    session =
        session(
            (a, c) -> {
              started.countDown();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return TaskResult.newBuilder().setTaskId(a.getTaskId()).build();
            });
    session.start();
    await(session::connected, "registered");
    send(assignment("running"));
    assertTrue(started.await(10, TimeUnit.SECONDS));

    Thread closer = new Thread(session::close);
    closer.start();
    await(() -> received.stream().anyMatch(WorkerMessage::hasDrain), "drain sent");
    send(assignment("after-drain"));
    await(() -> results().size() == 1, "refusal of the late assignment");
    assertEquals("after-drain", results().get(0).getTaskId());
    assertTrue(results().get(0).hasRejection());
    release.countDown();
    closer.join(10_000);
    assertEquals(
        List.of("after-drain", "running"),
        results().stream().map(TaskResult::getTaskId).toList(),
        "the running task finished and was sent before the session closed");
    session = null;
  }
}
