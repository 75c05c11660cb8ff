package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.CoordinatorMessage;
import io.hybridgrid.proto.v1.TaskAssignment;
import io.hybridgrid.proto.v1.TaskRejection;
import io.hybridgrid.proto.v1.TaskResult;
import io.hybridgrid.proto.v1.WorkerMessage;
import io.hybridgrid.proto.v1.WorkerServiceGrpc;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One worker session as hg-worker would open it, driven by a test. */
final class FakeWorker implements StreamObserver<CoordinatorMessage> {
  static final long WAIT_SECONDS = 10;

  final BlockingQueue<CoordinatorMessage> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> ended = new CompletableFuture<>();
  final StreamObserver<WorkerMessage> up;

  FakeWorker(Channel channel) {
    up = WorkerServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).session(this);
  }

  @Override
  public void onNext(CoordinatorMessage m) {
    received.add(m);
  }

  @Override
  public void onError(Throwable t) {
    ended.complete(Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    ended.complete(Status.OK);
  }

  void send(WorkerMessage m) {
    up.onNext(m);
  }

  CoordinatorMessage next() throws InterruptedException {
    CoordinatorMessage m = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(m, "no message from the coordinator within " + WAIT_SECONDS + " s");
    return m;
  }

  TaskAssignment nextAssignment() throws InterruptedException {
    CoordinatorMessage m = next();
    assertEquals(CoordinatorMessage.KindCase.ASSIGNMENT, m.getKindCase(), m::toString);
    return m.getAssignment();
  }

  Status awaitEnd() throws Exception {
    return ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  void reply(String taskId, ActionResult result) {
    send(
        WorkerMessage.newBuilder()
            .setResult(TaskResult.newBuilder().setTaskId(taskId).setActionResult(result))
            .build());
  }

  void reject(String taskId, TaskRejection.Reason reason, String message) {
    send(
        WorkerMessage.newBuilder()
            .setResult(
                TaskResult.newBuilder()
                    .setTaskId(taskId)
                    .setRejection(TaskRejection.newBuilder().setReason(reason).setMessage(message)))
            .build());
  }
}
