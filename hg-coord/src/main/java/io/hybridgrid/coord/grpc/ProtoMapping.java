package io.hybridgrid.coord.grpc;

import com.google.protobuf.ByteString;
import io.hybridgrid.common.grpc.FieldLimits;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.coord.action.ActionOutcome;
import io.hybridgrid.coord.action.ActionSpec;
import io.hybridgrid.coord.registry.WorkerDescriptor;
import io.hybridgrid.proto.v1.Action;
import io.hybridgrid.proto.v1.ActionResult;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.InputSymlink;
import io.hybridgrid.proto.v1.OutputFile;
import io.hybridgrid.proto.v1.Register;
import io.hybridgrid.proto.v1.Toolchain;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Checks incoming messages and converts them to domain values; bad input is IllegalArgument. */
final class ProtoMapping {
  private ProtoMapping() {}

  /** A wire digest as a checked domain digest. */
  static io.hybridgrid.coord.cas.Digest digest(io.hybridgrid.proto.v1.Digest d) {
    return new io.hybridgrid.coord.cas.Digest(d.getHash(), d.getSizeBytes());
  }

  static io.hybridgrid.proto.v1.Digest toWire(io.hybridgrid.coord.cas.Digest d) {
    return io.hybridgrid.proto.v1.Digest.newBuilder()
        .setHash(d.hash())
        .setSizeBytes(d.size())
        .build();
  }

  /** Decodes an action once; malformed digests and a missing compiler are IllegalArgument. */
  static ActionSpec action(Action a) {
    if (!a.hasCompiler()) {
      throw new IllegalArgumentException("action has no compiler identity");
    }
    ActionSpec.Toolchain toolchain =
        a.hasToolchain()
            ? new ActionSpec.Toolchain(
                a.getToolchain().getDigest(),
                inputs(a.getToolchain().getFilesList()),
                symlinks(a.getToolchain().getSymlinksList()),
                a.getToolchain().getHostArch())
            : ActionSpec.Toolchain.NONE;
    return new ActionSpec(
        a.getArgvList(),
        a.getCwd(),
        new TreeMap<>(a.getEnvMap()),
        inputs(a.getInputsList()),
        symlinks(a.getSymlinksList()),
        a.getDirectoriesList(),
        a.getOutputPathsList(),
        WireTypes.fromWire(a.getCompiler()),
        a.getCompilerPath(),
        toolchain);
  }

  private static List<ActionSpec.InputFile> inputs(List<InputFile> files) {
    List<ActionSpec.InputFile> out = new ArrayList<>(files.size());
    for (InputFile f : files) {
      if (!f.hasDigest()) {
        throw new IllegalArgumentException("input " + f.getPath() + " has no digest");
      }
      out.add(new ActionSpec.InputFile(f.getPath(), digest(f.getDigest()), f.getExecutable()));
    }
    return out;
  }

  private static List<ActionSpec.Symlink> symlinks(List<InputSymlink> links) {
    List<ActionSpec.Symlink> out = new ArrayList<>(links.size());
    for (InputSymlink l : links) {
      out.add(new ActionSpec.Symlink(l.getPath(), l.getTarget()));
    }
    return out;
  }

  /** The action as sent to a worker: what the coordinator validated and digested. */
  static Action toWire(ActionSpec a) {
    Action.Builder b =
        Action.newBuilder()
            .addAllArgv(a.argv())
            .setCwd(a.cwd())
            .putAllEnv(a.env())
            .addAllDirectories(a.directories())
            .addAllOutputPaths(a.outputPaths())
            .setCompiler(WireTypes.toWire(a.compiler()))
            .setCompilerPath(a.compilerPath());
    a.inputs().forEach(f -> b.addInputs(toWire(f)));
    a.symlinks().forEach(l -> b.addSymlinks(toWire(l)));
    if (!a.toolchain().isEmpty() || !a.toolchain().hostArch().isEmpty()) {
      Toolchain.Builder t =
          Toolchain.newBuilder()
              .setDigest(a.toolchain().digest())
              .setHostArch(a.toolchain().hostArch());
      a.toolchain().files().forEach(f -> t.addFiles(toWire(f)));
      a.toolchain().symlinks().forEach(l -> t.addSymlinks(toWire(l)));
      b.setToolchain(t);
    }
    return b.build();
  }

  private static InputFile toWire(ActionSpec.InputFile f) {
    return InputFile.newBuilder()
        .setPath(f.path())
        .setDigest(toWire(f.digest()))
        .setExecutable(f.executable())
        .build();
  }

  private static InputSymlink toWire(ActionSpec.Symlink l) {
    return InputSymlink.newBuilder().setPath(l.path()).setTarget(l.target()).build();
  }

  /** An outcome as the client sees it: outputs carry their bytes when inline. */
  static ActionResult toWire(ActionOutcome o) {
    ActionResult.Builder b =
        ActionResult.newBuilder()
            .setExitCode(o.exitCode())
            .setStdout(ByteString.copyFrom(o.stdout()))
            .setStderr(ByteString.copyFrom(o.stderr()))
            .setWorkerId(o.workerId())
            .setCompileMicros(o.compileMicros());
    for (ActionOutcome.OutputFile f : o.outputs()) {
      OutputFile.Builder out =
          OutputFile.newBuilder()
              .setPath(f.path())
              .setDigest(toWire(f.digest()))
              .setExecutable(f.executable());
      if (f.contents() != null) {
        out.setContents(ByteString.copyFrom(f.contents()));
      }
      b.addOutputs(out);
    }
    return b.build();
  }

  static WorkerDescriptor descriptor(Register r) {
    if (!r.hasCapabilities()) {
      throw new IllegalArgumentException("register has no capabilities");
    }
    var caps = r.getCapabilities();
    FieldLimits.checkId("worker_id", r.getWorkerId());
    FieldLimits.check("hostname", r.getHostname(), FieldLimits.MAX_NAME);
    FieldLimits.check("version", r.getVersion(), FieldLimits.MAX_LABEL);
    FieldLimits.check("arch", caps.getArch(), FieldLimits.MAX_LABEL);
    FieldLimits.check("os", caps.getOs(), FieldLimits.MAX_LABEL);
    if (caps.getCompilersCount() > FieldLimits.MAX_ENTRIES) {
      throw new IllegalArgumentException(
          caps.getCompilersCount() + " compilers; the limit is " + FieldLimits.MAX_ENTRIES);
    }
    for (var c : caps.getCompilersList()) {
      FieldLimits.check("compiler family", c.getFamily(), FieldLimits.MAX_LABEL);
      FieldLimits.check("compiler version", c.getVersion(), FieldLimits.MAX_LABEL);
      FieldLimits.check("compiler target", c.getTarget(), FieldLimits.MAX_LABEL);
    }
    return new WorkerDescriptor(
        r.getWorkerId(),
        r.getHostname(),
        caps.getCores(),
        caps.getMemoryBytes(),
        caps.getArch(),
        caps.getOs(),
        caps.getCompilersList().stream().map(WireTypes::fromWire).collect(Collectors.toSet()),
        caps.getMaxParallel(),
        r.getVersion(),
        // A worker from before toolchain shipping sets neither flag: it runs its own compilers.
        caps.getRunsOwnCompilers() || !caps.getAcceptsShippedToolchains(),
        caps.getAcceptsShippedToolchains());
  }
}
