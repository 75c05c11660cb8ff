package io.hybridgrid.worker.session;

import com.google.protobuf.ByteString;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.Digest;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.InputSymlink;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.worker.action.ActionOutcome;
import io.hybridgrid.worker.action.ActionSpec;
import io.hybridgrid.worker.cas.BlobDigest;
import java.util.List;

/** Translates actions and their results between the wire and the worker's domain records. */
final class ActionWire {
  private ActionWire() {}

  /**
   * The action as the executor takes it.
   *
   * @throws IllegalArgumentException on a malformed digest or compiler identity
   */
  static ActionSpec fromProto(Action a) {
    return new ActionSpec(
        a.getArgvList(),
        a.getCwd(),
        a.getEnvMap(),
        files(a.getInputsList()),
        links(a.getSymlinksList()),
        a.getDirectoriesList(),
        a.getOutputPathsList(),
        WireTypes.fromWire(a.getCompiler()),
        a.getCompilerPath(),
        a.hasToolchain()
            ? new ActionSpec.Toolchain(
                files(a.getToolchain().getFilesList()),
                links(a.getToolchain().getSymlinksList()),
                a.getToolchain().getHostArch())
            : ActionSpec.Toolchain.NONE);
  }

  static ActionResult toProto(ActionOutcome out, String workerId) {
    ActionResult.Builder r =
        ActionResult.newBuilder()
            .setExitCode(out.exitCode())
            .setStdout(ByteString.copyFrom(out.stdout()))
            .setStderr(ByteString.copyFrom(out.stderr()))
            .setWorkerId(workerId)
            .setCompileMicros(out.micros());
    for (ActionOutcome.Output o : out.outputs()) {
      OutputFile.Builder f =
          OutputFile.newBuilder()
              .setPath(o.path())
              .setDigest(digest(o.digest()))
              .setExecutable(o.executable());
      if (o.contents() != null) {
        f.setContents(ByteString.copyFrom(o.contents()));
      }
      r.addOutputs(f);
    }
    return r.build();
  }

  private static Digest digest(BlobDigest d) {
    return Digest.newBuilder().setHash(d.hash()).setSizeBytes(d.size()).build();
  }

  private static List<ActionSpec.InputFile> files(List<InputFile> files) {
    return files.stream()
        .map(
            f ->
                new ActionSpec.InputFile(
                    f.getPath(),
                    new BlobDigest(f.getDigest().getHash(), f.getDigest().getSizeBytes()),
                    f.getExecutable()))
        .toList();
  }

  private static List<ActionSpec.Symlink> links(List<InputSymlink> links) {
    return links.stream().map(l -> new ActionSpec.Symlink(l.getPath(), l.getTarget())).toList();
  }
}
