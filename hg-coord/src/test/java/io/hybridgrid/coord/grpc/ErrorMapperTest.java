package io.hybridgrid.coord.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hybridgrid.coord.dispatch.DispatchException;
import io.hybridgrid.coord.dispatch.DispatchException.Kind;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorMapperTest {
  /** The contract of compile.proto; a new Kind without an entry here fails the test. */
  private static final Map<Kind, Status.Code> EXPECTED = new EnumMap<>(Kind.class);

  static {
    EXPECTED.put(Kind.NO_CAPABLE_WORKER, Status.Code.FAILED_PRECONDITION);
    EXPECTED.put(Kind.REJECTED, Status.Code.FAILED_PRECONDITION);
    EXPECTED.put(Kind.INVALID_TASK, Status.Code.INVALID_ARGUMENT);
    EXPECTED.put(Kind.QUEUE_FULL, Status.Code.RESOURCE_EXHAUSTED);
    EXPECTED.put(Kind.QUEUE_TIMEOUT, Status.Code.DEADLINE_EXCEEDED);
    EXPECTED.put(Kind.RETRIES_EXHAUSTED, Status.Code.UNAVAILABLE);
    EXPECTED.put(Kind.SHUTTING_DOWN, Status.Code.UNAVAILABLE);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyDispatchKindHasItsCodeAndKeepsTheMessage(Kind kind) {
    Status.Code expected = EXPECTED.get(kind);
    assertNotNull(expected, () -> "no expected code for " + kind);
    String message = "message for " + kind;

    Status direct = ErrorMapper.toStatus(new DispatchException(kind, message)).getStatus();
    Status wrapped =
        ErrorMapper.toStatus(new CompletionException(new DispatchException(kind, message)))
            .getStatus();

    assertEquals(expected, direct.getCode());
    assertEquals(message, direct.getDescription());
    assertEquals(expected, wrapped.getCode(), "CompletionException is unwrapped");
    assertEquals(message, wrapped.getDescription());
  }

  @Test
  void illegalArgumentIsInvalidArgument() {
    Status s =
        ErrorMapper.toStatus(new IllegalArgumentException("task has no source path")).getStatus();
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("task has no source path", s.getDescription());

    Status wrapped =
        ErrorMapper.toStatus(
                new CompletionException(new IllegalArgumentException("client_cwd is relative")))
            .getStatus();
    assertEquals(Status.Code.INVALID_ARGUMENT, wrapped.getCode());
    assertEquals("client_cwd is relative", wrapped.getDescription());
  }

  @Test
  void anythingElseIsInternalWithTheCause() {
    IllegalStateException boom = new IllegalStateException("boom");
    Status s = ErrorMapper.toStatus(new CompletionException(boom)).getStatus();
    assertEquals(Status.Code.INTERNAL, s.getCode());
    assertEquals("java.lang.IllegalStateException: boom", s.getDescription());
    assertSame(boom, s.getCause());
  }

  @Test
  void statusExceptionsPassThrough() {
    StatusRuntimeException sre =
        Status.CANCELLED.withDescription("client went away").asRuntimeException();
    assertSame(sre, ErrorMapper.toStatus(sre));
    assertSame(sre, ErrorMapper.toStatus(new CompletionException(sre)));
  }

  @Test
  void missingBlobsIsFailedPreconditionWithABoundedDetail() throws Exception {
    java.util.List<io.hybridgrid.coord.cas.Digest> missing = new java.util.ArrayList<>();
    for (int i = 0; i < ErrorMapper.MAX_DETAIL_DIGESTS + 5; i++) {
      missing.add(io.hybridgrid.coord.cas.Digest.of(new byte[] {(byte) i}));
    }
    StatusRuntimeException e =
        ErrorMapper.toStatus(
            new CompletionException(
                new io.hybridgrid.coord.action.MissingBlobsException(missing, "45 missing")));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    com.google.rpc.Status detail = io.grpc.protobuf.StatusProto.fromThrowable(e);
    io.hybridgrid.proto.v1.MissingBlobs m =
        detail.getDetails(0).unpack(io.hybridgrid.proto.v1.MissingBlobs.class);
    assertEquals(ErrorMapper.MAX_DETAIL_DIGESTS, m.getDigestsCount());
    assertEquals(missing.get(0).hash(), m.getDigests(0).getHash());
    assertEquals(
        "45 missing (the detail lists the first 40 of 45; ask FindMissingBlobs for the rest)",
        e.getStatus().getDescription());
    // Small enough for a trailer (gRPC peers refuse more than 8 KiB of headers by default).
    org.junit.jupiter.api.Assertions.assertTrue(detail.getSerializedSize() < 6 * 1024);
  }
}
