package io.hybridgrid.cli.compile;

import com.google.protobuf.ByteString;
import io.hybridgrid.common.compiler.ArgumentClassifier;
import io.hybridgrid.common.compiler.CompileInvocation;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerLocator;
import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.common.compiler.RemotePolicy;
import io.hybridgrid.common.fs.TempTrees;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.Priority;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One {@code hgbuild <compiler> args...} invocation: classify, preprocess here, compile on the
 * grid, write the outputs exactly where and as the compiler would; compile locally whenever the
 * grid cannot or should not do it. hgbuild never breaks a build that the compiler alone would
 * build, unless {@code --no-fallback} asks it to.
 */
public final class CompileFlow {
  private final ClientSettings settings;
  private final RemoteCompiler remote;
  private final Map<String, String> env;
  private final Path cwd;
  private final PrintStream out;
  private final PrintStream err;

  /**
   * @param settings flags and environment
   * @param remote the grid (may be unreachable)
   * @param env the build's environment (the launcher's, in the daemon); compilers run with it
   * @param cwd the working directory of the build
   * @param out where the compiler's stdout goes
   * @param err where the compiler's stderr and hgbuild's messages go
   */
  public CompileFlow(
      ClientSettings settings,
      RemoteCompiler remote,
      Map<String, String> env,
      Path cwd,
      PrintStream out,
      PrintStream err) {
    this.settings = settings;
    this.remote = remote;
    this.env = env;
    this.cwd = cwd;
    this.out = out;
    this.err = err;
  }

  /** Runs the invocation and returns the exit code the build should see. */
  public int run(String compilerName, List<String> args) throws IOException, InterruptedException {
    Optional<Path> compiler = CompilerLocator.resolve(compilerName, env.get("PATH"), cwd);
    if (compiler.isEmpty()) {
      err.println("hgbuild: error: compiler '" + compilerName + "' not found on PATH");
      return 127;
    }
    CompileInvocation inv = ArgumentClassifier.classify(args);
    String label =
        inv.source() != null
            ? inv.source()
            : inv.objectPath() != null ? inv.objectPath() : compilerName;
    if (!inv.distributable()) {
      return local(compiler.get(), args, label, inv.localReason().get());
    }
    Optional<CompilerIdentity> identity = CompilerProbe.probe(compiler.get());
    if (identity.isEmpty()) {
      return local(compiler.get(), args, label, "compiler is not gcc or clang");
    }
    Optional<String> familyReason = ArgumentClassifier.familyReason(identity.get().family(), inv);
    if (familyReason.isPresent()) {
      return local(compiler.get(), args, label, familyReason.get());
    }
    Path tmp = Files.createTempDirectory("hgbuild-");
    try {
      return distribute(compiler.get(), identity.get(), inv, args, label, tmp);
    } finally {
      TempTrees.delete(tmp);
    }
  }

  private int distribute(
      Path compiler,
      CompilerIdentity identity,
      CompileInvocation inv,
      List<String> args,
      String label,
      Path tmp)
      throws IOException, InterruptedException {
    Path unit = tmp.resolve("unit.i");
    Path depFinal = inv.dependencyFile() == null ? null : cwd.resolve(inv.dependencyFile());
    Path depTemp = depFinal == null ? null : siblingTemp(depFinal);
    List<String> modeFlags =
        identity.family().equals("clang")
            ? List.of("-frewrite-includes")
            : List.of("-fdirectives-only");
    ProcessRunner.Captured pp =
        ProcessRunner.capture(
            compiler,
            inv.preprocessArgs(
                modeFlags, unit.toString(), depTemp == null ? null : depTemp.toString()),
            cwd,
            env);
    if (pp.exitCode() != 0) {
      deleteQuietly(depTemp);
      // The compiler itself reports preprocessing errors best: run it as the build asked.
      return local(compiler, args, label, "preprocessing failed");
    }
    CompileRequest request =
        CompileRequest.newBuilder()
            .setTask(
                CompileTask.newBuilder()
                    .setCompiler(WireTypes.toWire(identity))
                    .setLanguage(WireTypes.toWire(inv.language()))
                    .addAllArgs(inv.remoteArgs())
                    .setSourcePath(inv.source())
                    .setClientCwd(cwd.toString())
                    .setPreprocessed(ByteString.copyFrom(Files.readAllBytes(unit)))
                    .putAllEnv(forwardedEnv()))
            .setPriority(
                "batch".equalsIgnoreCase(env.get("HG_PRIORITY"))
                    ? Priority.PRIORITY_BATCH
                    : Priority.PRIORITY_INTERACTIVE)
            .setClientId(env.getOrDefault("USER", "hgbuild"))
            .build();
    CompileResponse response;
    try {
      response = remote.compile(request);
    } catch (GridUnavailableException e) {
      deleteQuietly(depTemp);
      if (settings.noFallback()) {
        err.println(
            "hgbuild: error: cannot compile "
                + label
                + " on the grid at "
                + settings.coordinator()
                + ": "
                + e.getMessage()
                + " (--no-fallback is set, so not compiling locally)");
        return 1;
      }
      err.println(
          "hgbuild: warning: grid at "
              + settings.coordinator()
              + " unavailable ("
              + e.getMessage()
              + "); compiling "
              + label
              + " locally");
      return local(compiler, args, label, "grid unavailable");
    }
    CompileResult result = response.getResult();
    if (result.getExitCode() == 0) {
      try {
        writeAtomically(cwd.resolve(inv.objectPath()), result.getObject().toByteArray());
      } catch (IOException e) {
        deleteQuietly(depTemp);
        // Same outcome as the compiler writing there itself: let it say what is wrong.
        return local(compiler, args, label, "cannot write " + inv.objectPath());
      }
    }
    if (depTemp != null && Files.exists(depTemp)) {
      move(depTemp, depFinal);
    }
    out.write(result.getStdout().toByteArray());
    out.flush();
    err.write(DiagnosticsMerger.merge(pp.stderr(), result.getStderr().toByteArray()));
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [remote " + result.getWorkerId() + "]");
    }
    err.flush();
    return result.getExitCode();
  }

  private int local(Path compiler, List<String> args, String label, String reason)
      throws IOException, InterruptedException {
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [local " + reason + "]");
      err.flush();
    }
    return ProcessRunner.run(compiler, args, cwd, env, out, err);
  }

  private Map<String, String> forwardedEnv() {
    Map<String, String> m = new TreeMap<>();
    for (String k : RemotePolicy.TASK_ENV) {
      String v = env.get(k);
      if (v != null) {
        m.put(k, v);
      }
    }
    return m;
  }

  private static Path siblingTemp(Path target) {
    return target.resolveSibling(
        "." + target.getFileName() + ".hgtmp-" + ProcessHandle.current().pid());
  }

  /** Writes next to {@code target} and renames over it, so readers never see half a file. */
  static void writeAtomically(Path target, byte[] content) throws IOException {
    Path temp = siblingTemp(target);
    try {
      Files.write(temp, content);
      move(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // a stale temp file next to the .d is harmless
      }
    }
  }
}
