package io.hybridgrid.cli.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.hybridgrid.cli.action.Digest;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.BatchReadBlobsRequest;
import io.hybridgrid.proto.v1.BatchReadBlobsResponse;
import io.hybridgrid.proto.v1.BatchUpdateBlobsRequest;
import io.hybridgrid.proto.v1.BatchUpdateBlobsResponse;
import io.hybridgrid.proto.v1.BlobData;
import io.hybridgrid.proto.v1.BlobStatus;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.ContentStoreGrpc;
import io.hybridgrid.proto.v1.FindMissingBlobsRequest;
import io.hybridgrid.proto.v1.FindMissingBlobsResponse;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.MissingBlobs;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.ReadBlobChunk;
import io.hybridgrid.proto.v1.ReadBlobRequest;
import io.hybridgrid.proto.v1.WriteBlobChunk;
import io.hybridgrid.proto.v1.WriteBlobResponse;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process coordinator for client tests: a content store that verifies every write against its
 * digest, and a compile service that answers FAILED_PRECONDITION with a MissingBlobs detail while
 * an input is absent, else returns the outputs {@link #outputs} names (inline when {@link #inline},
 * else from the store). Counts every call.
 */
final class FakeGrid {
  final Map<Digest, byte[]> store = new ConcurrentHashMap<>();
  final AtomicInteger findMissingCalls = new AtomicInteger();
  final AtomicInteger batchUpdateCalls = new AtomicInteger();
  final AtomicInteger writeBlobCalls = new AtomicInteger();
  final AtomicInteger compileCalls = new AtomicInteger();
  final AtomicInteger readCalls = new AtomicInteger();
  final List<Digest> uploaded = new ArrayList<>();
  final List<Action> actions = new ArrayList<>();

  /** Output path to content: what the "worker" writes. */
  volatile Map<String, byte[]> outputs = Map.of();

  volatile boolean inline = true;

  /** Forget one blob the next time Compile is called (an eviction between upload and compile). */
  volatile Digest evictBeforeCompile;

  /** Answer every Compile as if the first input were missing (a store that keeps losing it). */
  volatile boolean alwaysMissing;

  final ContentStoreGrpc.ContentStoreImplBase cas =
      new ContentStoreGrpc.ContentStoreImplBase() {
        @Override
        public void findMissingBlobs(
            FindMissingBlobsRequest req, StreamObserver<FindMissingBlobsResponse> obs) {
          findMissingCalls.incrementAndGet();
          FindMissingBlobsResponse.Builder b = FindMissingBlobsResponse.newBuilder();
          for (io.hybridgrid.proto.v1.Digest d : req.getDigestsList()) {
            if (!store.containsKey(GrpcRemoteCompiler.fromWire(d))) {
              b.addMissing(d);
            }
          }
          obs.onNext(b.build());
          obs.onCompleted();
        }

        @Override
        public void batchUpdateBlobs(
            BatchUpdateBlobsRequest req, StreamObserver<BatchUpdateBlobsResponse> obs) {
          batchUpdateCalls.incrementAndGet();
          BatchUpdateBlobsResponse.Builder b = BatchUpdateBlobsResponse.newBuilder();
          for (BlobData blob : req.getBlobsList()) {
            Digest d = GrpcRemoteCompiler.fromWire(blob.getDigest());
            byte[] bytes = blob.getData().toByteArray();
            boolean ok = Digest.of(bytes).equals(d);
            if (ok) {
              store.put(d, bytes);
              synchronized (uploaded) {
                uploaded.add(d);
              }
            }
            b.addStatuses(
                BlobStatus.newBuilder()
                    .setDigest(blob.getDigest())
                    .setCode(ok ? 0 : Status.Code.INVALID_ARGUMENT.value())
                    .setMessage(ok ? "" : "digest mismatch"));
          }
          obs.onNext(b.build());
          obs.onCompleted();
        }

        @Override
        public StreamObserver<WriteBlobChunk> writeBlob(StreamObserver<WriteBlobResponse> obs) {
          writeBlobCalls.incrementAndGet();
          return new StreamObserver<>() {
            Digest digest;
            final ByteArrayOutputStream buf = new ByteArrayOutputStream();

            @Override
            public void onNext(WriteBlobChunk c) {
              if (c.hasDigest()) {
                digest = GrpcRemoteCompiler.fromWire(c.getDigest());
              }
              buf.writeBytes(c.getData().toByteArray());
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {
              byte[] bytes = buf.toByteArray();
              if (digest == null || !Digest.of(bytes).equals(digest)) {
                obs.onError(
                    Status.INVALID_ARGUMENT.withDescription("digest mismatch").asException());
                return;
              }
              store.put(digest, bytes);
              synchronized (uploaded) {
                uploaded.add(digest);
              }
              obs.onNext(WriteBlobResponse.newBuilder().setCommittedSize(bytes.length).build());
              obs.onCompleted();
            }
          };
        }

        @Override
        public void batchReadBlobs(
            BatchReadBlobsRequest req, StreamObserver<BatchReadBlobsResponse> obs) {
          readCalls.incrementAndGet();
          BatchReadBlobsResponse.Builder b = BatchReadBlobsResponse.newBuilder();
          for (io.hybridgrid.proto.v1.Digest d : req.getDigestsList()) {
            byte[] bytes = store.get(GrpcRemoteCompiler.fromWire(d));
            if (bytes == null) {
              b.addStatuses(
                  BlobStatus.newBuilder().setDigest(d).setCode(Status.Code.NOT_FOUND.value()));
            } else {
              b.addStatuses(BlobStatus.newBuilder().setDigest(d));
              b.addBlobs(BlobData.newBuilder().setDigest(d).setData(ByteString.copyFrom(bytes)));
            }
          }
          obs.onNext(b.build());
          obs.onCompleted();
        }

        @Override
        public void readBlob(ReadBlobRequest req, StreamObserver<ReadBlobChunk> obs) {
          readCalls.incrementAndGet();
          byte[] bytes = store.get(GrpcRemoteCompiler.fromWire(req.getDigest()));
          if (bytes == null) {
            obs.onError(Status.NOT_FOUND.asException());
            return;
          }
          for (int off = 0; off < bytes.length; off += 100_000) {
            obs.onNext(
                ReadBlobChunk.newBuilder()
                    .setData(ByteString.copyFrom(bytes, off, Math.min(100_000, bytes.length - off)))
                    .build());
          }
          obs.onCompleted();
        }
      };

  final CompileServiceGrpc.CompileServiceImplBase compile =
      new CompileServiceGrpc.CompileServiceImplBase() {
        @Override
        public void compile(CompileRequest req, StreamObserver<CompileResponse> obs) {
          compileCalls.incrementAndGet();
          if (!req.hasAction()) {
            obs.onError(Status.INVALID_ARGUMENT.withDescription("no action").asException());
            return;
          }
          synchronized (actions) {
            actions.add(req.getAction());
          }
          Digest evict = evictBeforeCompile;
          if (evict != null) {
            store.remove(evict);
            evictBeforeCompile = null;
          }
          MissingBlobs.Builder missing = MissingBlobs.newBuilder();
          for (InputFile f : req.getAction().getInputsList()) {
            if (!store.containsKey(GrpcRemoteCompiler.fromWire(f.getDigest()))) {
              missing.addDigests(f.getDigest());
            }
          }
          if (alwaysMissing && req.getAction().getInputsCount() > 0) {
            missing.addDigests(req.getAction().getInputs(0).getDigest());
          }
          if (missing.getDigestsCount() > 0) {
            obs.onError(
                StatusProto.toStatusRuntimeException(
                    com.google.rpc.Status.newBuilder()
                        .setCode(Status.Code.FAILED_PRECONDITION.value())
                        .setMessage("inputs missing from the store")
                        .addDetails(Any.pack(missing.build()))
                        .build()));
            return;
          }
          ActionResult.Builder r =
              ActionResult.newBuilder()
                  .setExitCode(0)
                  .setStdout(ByteString.copyFromUtf8("out\n"))
                  .setStderr(ByteString.copyFromUtf8("warning: remote\n"))
                  .setWorkerId("fake-worker");
          for (Map.Entry<String, byte[]> e : outputs.entrySet()) {
            Digest d = Digest.of(e.getValue());
            OutputFile.Builder o =
                OutputFile.newBuilder().setPath(e.getKey()).setDigest(GrpcRemoteCompiler.toWire(d));
            if (inline) {
              o.setContents(ByteString.copyFrom(e.getValue()));
            } else {
              store.put(d, e.getValue());
            }
            r.addOutputs(o);
          }
          obs.onNext(
              CompileResponse.newBuilder()
                  .setActionResult(r)
                  .setActionDigest("0".repeat(64))
                  .build());
          obs.onCompleted();
        }
      };
}
