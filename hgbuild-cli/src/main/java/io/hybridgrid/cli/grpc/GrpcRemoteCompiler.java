package io.hybridgrid.cli.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.hybridgrid.cli.action.Digest;
import io.hybridgrid.cli.action.InputRoot;
import io.hybridgrid.cli.action.MissingInputException;
import io.hybridgrid.cli.action.RemoteAction;
import io.hybridgrid.cli.action.RemoteResult;
import io.hybridgrid.cli.action.ShippedToolchain;
import io.hybridgrid.cli.compile.GridUnavailableException;
import io.hybridgrid.cli.compile.RemoteCompiler;
import io.hybridgrid.common.grpc.GrpcErrors;
import io.hybridgrid.common.grpc.GrpcLimits;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileServiceGrpc;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.InputSymlink;
import io.hybridgrid.proto.v1.MissingBlobs;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Priority;
import io.hybridgrid.proto.v1.Toolchain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link RemoteCompiler} over gRPC: the one place the client builds and reads protocol messages.
 * One call: ask the store which input blobs it lacks (only for digests the {@link CasMemo} does not
 * already vouch for), upload those, send the action; when the coordinator answers
 * FAILED_PRECONDITION with a {@link MissingBlobs} detail (it lost blobs since), upload them and
 * send it once more; then fetch the outputs that did not come inline. The channel belongs to the
 * caller; every call of one compile shares one deadline.
 */
public final class GrpcRemoteCompiler implements RemoteCompiler {
  private final Channel channel;
  private final Duration timeout;
  private final boolean skipSharedCache;
  private final CasMemo memo;

  /**
   * @param channel to the coordinator
   * @param timeout the longest one compile (upload, queueing, compile, download) may take
   * @param memo what the coordinator's store is known to hold (shared by the daemon's compiles)
   */
  public GrpcRemoteCompiler(Channel channel, Duration timeout, CasMemo memo) {
    this(channel, timeout, memo, false);
  }

  /**
   * As above; {@code skipSharedCache} (HG_NO_CACHE) asks the coordinator neither to answer from nor
   * to store into its shared cache.
   */
  public GrpcRemoteCompiler(
      Channel channel, Duration timeout, CasMemo memo, boolean skipSharedCache) {
    this.channel = channel;
    this.timeout = timeout;
    this.memo = memo;
    this.skipSharedCache = skipSharedCache;
  }

  @Override
  public RemoteResult execute(RemoteAction action, String clientId, boolean batch)
      throws GridUnavailableException, MissingInputException, InterruptedException {
    Deadline deadline = Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS);
    CasClient cas = new CasClient(channel, deadline);
    Map<Digest, Path> blobs = blobsOf(action);
    CompileRequest request =
        CompileRequest.newBuilder()
            .setAction(toWire(action, memo::wireToolchain))
            .setPriority(batch ? Priority.PRIORITY_BATCH : Priority.PRIORITY_INTERACTIVE)
            .setClientId(clientId)
            .setSkipCache(skipSharedCache)
            .build();
    try {
      uploadMissing(cas, blobs);
      CompileResponse response;
      try {
        response = compile(request, deadline);
      } catch (StatusRuntimeException e) {
        Optional<List<Digest>> missing = missingBlobs(e);
        if (missing.isEmpty()) {
          throw e;
        }
        // The store lost blobs this memo vouched for (a restart, an eviction): trust nothing.
        memo.clear();
        Map<Digest, Path> again = new LinkedHashMap<>();
        for (Digest d : missing.get()) {
          Path p = blobs.get(d);
          if (p == null) {
            throw new GridUnavailableException(
                "the coordinator asked for blob " + d + ", which is not an input of this compile",
                e);
          }
          again.put(d, p);
        }
        cas.upload(again);
        again.keySet().forEach(memo::add);
        response = compile(request, deadline);
      }
      return fromWire(response.getActionResult(), cas);
    } catch (StatusRuntimeException e) {
      if (Thread.currentThread().isInterrupted()) {
        // The daemon interrupts a request whose launcher hung up (make was stopped). gRPC
        // cancelled the call, which withdraws the action from its worker; this compile is over:
        // it must not go on locally and write an output the stopped build no longer expects.
        throw cancelled(e);
      }
      if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || missingBlobs(e).isPresent()) {
        // The coordinator may come back as a new process with an empty store, or keeps losing
        // blobs: vouch for nothing until it says what it holds again.
        memo.clear();
      }
      throw new GridUnavailableException(
          GrpcErrors.describe(e.getStatus(), channel.authority()), e);
    } catch (CasClient.StoreRefusedException e) {
      throw new GridUnavailableException(e.getMessage(), e);
    }
  }

  private static InterruptedException cancelled(Exception cause) {
    InterruptedException e =
        new InterruptedException("compile cancelled: the build that asked for it is gone");
    e.initCause(cause);
    return e;
  }

  private void uploadMissing(CasClient cas, Map<Digest, Path> blobs)
      throws MissingInputException, CasClient.StoreRefusedException, InterruptedException {
    List<Digest> unknown = new ArrayList<>();
    for (Digest d : blobs.keySet()) {
      if (!memo.known(d)) {
        unknown.add(d);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    Set<Digest> missing = cas.findMissing(unknown);
    Map<Digest, Path> upload = new LinkedHashMap<>();
    Map<Digest, CompletableFuture<Void>> others = new LinkedHashMap<>();
    CompletableFuture<Void> mine = new CompletableFuture<>();
    for (Digest d : missing) {
      Path p = blobs.get(d);
      if (p == null) {
        continue;
      }
      CompletableFuture<Void> other = memo.claim(d, mine);
      if (other == null) {
        upload.put(d, p);
      } else {
        others.put(d, other);
      }
    }
    boolean stored = false;
    try {
      cas.upload(upload);
      stored = true;
    } finally {
      memo.release(upload.keySet(), mine, stored);
    }
    // Blobs another compile of this daemon is uploading right now: wait for it, and upload them
    // here only when that failed.
    Map<Digest, Path> retry = new LinkedHashMap<>();
    for (Map.Entry<Digest, CompletableFuture<Void>> o : others.entrySet()) {
      try {
        o.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        retry.put(o.getKey(), blobs.get(o.getKey()));
      }
    }
    cas.upload(retry);
    unknown.forEach(memo::add);
  }

  private CompileResponse compile(CompileRequest request, Deadline deadline) {
    return CompileServiceGrpc.newBlockingStub(channel)
        .withMaxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
        .withMaxOutboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
        .withDeadline(deadline)
        .compile(request);
  }

  /** The digests a FAILED_PRECONDITION answer says the store lacks, if it is that answer. */
  static Optional<List<Digest>> missingBlobs(StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
      return Optional.empty();
    }
    com.google.rpc.Status rich = StatusProto.fromThrowable(e);
    if (rich == null) {
      return Optional.empty();
    }
    for (Any detail : rich.getDetailsList()) {
      if (detail.is(MissingBlobs.class)) {
        try {
          List<Digest> out = new ArrayList<>();
          for (io.hybridgrid.proto.v1.Digest d :
              detail.unpack(MissingBlobs.class).getDigestsList()) {
            out.add(fromWire(d));
          }
          return Optional.of(out);
        } catch (InvalidProtocolBufferException | IllegalArgumentException bad) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * One file per digest: the bytes to upload when the store lacks it. The toolchain's files are
   * among them, so a toolchain goes to the coordinator once and later compiles find it there.
   */
  private static Map<Digest, Path> blobsOf(RemoteAction action) {
    Map<Digest, Path> out = new LinkedHashMap<>();
    for (InputRoot.File f : action.inputs().files()) {
      out.putIfAbsent(f.digest(), Path.of(f.path()));
    }
    if (action.toolchain() != null) {
      for (InputRoot.File f : action.toolchain().files()) {
        out.putIfAbsent(f.digest(), Path.of(f.path()));
      }
    }
    return out;
  }

  private static RemoteResult fromWire(ActionResult r, CasClient cas)
      throws CasClient.StoreRefusedException {
    List<Digest> fetch = new ArrayList<>();
    for (OutputFile o : r.getOutputsList()) {
      if (o.getContents().isEmpty() && o.getDigest().getSizeBytes() > 0) {
        fetch.add(fromWire(o.getDigest()));
      }
    }
    Map<Digest, byte[]> fetched = fetch.isEmpty() ? Map.of() : cas.read(fetch);
    List<RemoteResult.Output> outputs = new ArrayList<>();
    for (OutputFile o : r.getOutputsList()) {
      Digest d = fromWire(o.getDigest());
      byte[] content = o.getContents().isEmpty() ? fetched.get(d) : o.getContents().toByteArray();
      outputs.add(
          new RemoteResult.Output(
              o.getPath(), d, o.getExecutable(), content == null ? new byte[0] : content));
    }
    return new RemoteResult(
        r.getExitCode(),
        r.getStdout().toByteArray(),
        r.getStderr().toByteArray(),
        r.getWorkerId(),
        outputs);
  }

  static Action toWire(RemoteAction a) {
    return toWire(a, GrpcRemoteCompiler::toolchainToWire);
  }

  /**
   * The action as a message.
   *
   * @param toolchains gives the toolchain's message (remembered per daemon)
   */
  static Action toWire(
      RemoteAction a, java.util.function.Function<ShippedToolchain, Toolchain> toolchains) {
    Action.Builder b =
        Action.newBuilder()
            .addAllArgv(a.argv())
            .setCwd(a.cwd())
            .putAllEnv(a.env())
            .addAllDirectories(a.inputs().directories())
            .addAllOutputPaths(a.outputPaths())
            .setCompiler(WireTypes.toWire(a.compiler()))
            .setCompilerPath(a.compilerPath());
    for (InputRoot.File f : a.inputs().files()) {
      b.addInputs(
          InputFile.newBuilder()
              .setPath(f.path())
              .setDigest(toWire(f.digest()))
              .setExecutable(f.executable()));
    }
    for (InputRoot.Symlink s : a.inputs().symlinks()) {
      b.addSymlinks(InputSymlink.newBuilder().setPath(s.path()).setTarget(s.target()));
    }
    if (a.toolchain() != null) {
      b.setToolchain(toolchains.apply(a.toolchain()));
    }
    return b.build();
  }

  /** The toolchain as a message (built once per toolchain: {@link CasMemo#wireToolchain}). */
  static Toolchain toolchainToWire(ShippedToolchain tc) {
    Toolchain.Builder t = Toolchain.newBuilder().setDigest(tc.digest()).setHostArch(tc.hostArch());
    for (InputRoot.File f : tc.files()) {
      t.addFiles(
          InputFile.newBuilder()
              .setPath(f.path())
              .setDigest(toWire(f.digest()))
              .setExecutable(f.executable()));
    }
    for (InputRoot.Symlink s : tc.symlinks()) {
      t.addSymlinks(InputSymlink.newBuilder().setPath(s.path()).setTarget(s.target()));
    }
    return t.build();
  }

  static io.hybridgrid.proto.v1.Digest toWire(Digest d) {
    return io.hybridgrid.proto.v1.Digest.newBuilder()
        .setHash(d.hash())
        .setSizeBytes(d.sizeBytes())
        .build();
  }

  /** A digest from the wire; a malformed one is an {@link IllegalArgumentException}. */
  static Digest fromWire(io.hybridgrid.proto.v1.Digest d) {
    return new Digest(d.getHash(), d.getSizeBytes());
  }

  private static String describe(Status s) {
    return s.getCode() == Status.Code.UNAVAILABLE
            && s.getDescription() != null
            && s.getDescription().startsWith("io exception")
        ? "coordinator not reachable"
        : s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
  }
}
