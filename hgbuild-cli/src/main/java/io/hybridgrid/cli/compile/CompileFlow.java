package io.hybridgrid.cli.compile;

import com.google.protobuf.UnsafeByteOperations;
import io.hybridgrid.cli.cache.CacheConfig;
import io.hybridgrid.cli.cache.CachedResult;
import io.hybridgrid.cli.cache.LocalCache;
import io.hybridgrid.cli.cache.StatsDelta;
import io.hybridgrid.cli.cache.UncacheableReason;
import io.hybridgrid.common.compiler.ArgumentClassifier;
import io.hybridgrid.common.compiler.CompileInvocation;
import io.hybridgrid.common.compiler.CompilerLocator;
import io.hybridgrid.common.compiler.RemotePolicy;
import io.hybridgrid.common.fs.AtomicFiles;
import io.hybridgrid.common.fs.TempTrees;
import io.hybridgrid.common.grpc.WireTypes;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.Priority;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One {@code hgbuild <compiler> args...} invocation: classify, look the compile up in the local
 * cache (direct mode, then preprocessed), preprocess here, compile on the grid, write the outputs
 * exactly where and as the compiler would, and store successful results; compile locally whenever
 * the grid cannot or should not do it. hgbuild never breaks a build that the compiler alone would
 * build, unless {@code --no-fallback} asks it to.
 *
 * <p>Everything about the client (environment, working directory, output streams) comes in through
 * the constructor, so a daemon can run many flows at once for different clients; what lives for the
 * whole process comes in as {@link CompileServices}.
 */
public final class CompileFlow {
  private final ClientSettings settings;
  private final RemoteCompiler remote;
  private final Map<String, String> env;
  private final Path cwd;
  private final PrintStream out;
  private final PrintStream err;
  private final CompileServices services;

  /**
   * @param settings flags and environment
   * @param remote the grid (may be unreachable)
   * @param env the client's environment
   * @param cwd the working directory of the build
   * @param out where the compiler's stdout goes
   * @param err where the compiler's stderr and hgbuild's messages go
   * @param services what every flow of this process shares (runner, memos, caches, clock)
   */
  public CompileFlow(
      ClientSettings settings,
      RemoteCompiler remote,
      Map<String, String> env,
      Path cwd,
      PrintStream out,
      PrintStream err,
      CompileServices services) {
    this.settings = settings;
    this.remote = remote;
    this.env = env;
    this.cwd = cwd;
    this.out = out;
    this.err = err;
    this.services = services;
  }

  /** Runs the invocation and returns the exit code the build should see. */
  public int run(String compilerName, List<String> args) throws IOException, InterruptedException {
    Optional<CacheConfig> config;
    try {
      config = CacheConfig.fromEnv(env, cwd);
    } catch (IllegalArgumentException e) {
      err.println("hgbuild: error: " + e.getMessage());
      err.flush();
      return 1;
    }
    StatsDelta delta = new StatsDelta();
    LocalCache cache = config.map(c -> services.caches().open(c.dir())).orElse(null);
    try {
      return run(compilerName, args, config.filter(CacheConfig::enabled), cache, delta);
    } finally {
      if (cache != null) {
        try {
          cache.record(delta, config.get().maxBytes());
        } catch (IOException e) {
          if (settings.verbose()) {
            err.println("hgbuild: warning: cannot update cache statistics: " + e.getMessage());
            err.flush();
          }
        }
      }
    }
  }

  private int run(
      String compilerName,
      List<String> args,
      Optional<CacheConfig> config,
      LocalCache cache,
      StatsDelta delta)
      throws IOException, InterruptedException {
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
      String reason = inv.localReason().get();
      delta.uncacheable(
          config.isPresent()
              ? UncacheableReason.fromLocalReason(reason)
              : UncacheableReason.CACHE_DISABLED);
      return local(compiler.get(), args, label, reason, delta);
    }
    Optional<CompilerProbes.Probed> probed = services.probes().probe(compiler.get());
    if (probed.isEmpty()) {
      delta.uncacheable(
          config.isPresent()
              ? UncacheableReason.UNKNOWN_COMPILER
              : UncacheableReason.CACHE_DISABLED);
      return local(compiler.get(), args, label, "compiler is not gcc or clang", delta);
    }
    Optional<String> familyReason =
        ArgumentClassifier.familyReason(probed.get().identity().family(), inv);
    if (familyReason.isPresent()) {
      delta.uncacheable(
          config.isPresent()
              ? UncacheableReason.UNSUPPORTED_OPTION
              : UncacheableReason.CACHE_DISABLED);
      return local(compiler.get(), args, label, familyReason.get(), delta);
    }
    CacheSession session = null;
    if (config.isPresent()) {
      session =
          new CacheSession(
              cache,
              config.get(),
              services.fileHashes(),
              services.clock(),
              delta,
              probed.get(),
              inv,
              env,
              cwd);
    } else {
      delta.uncacheable(UncacheableReason.CACHE_DISABLED);
    }
    if (session != null) {
      Optional<CachedResult> hit = session.lookupDirect();
      if (hit.isPresent() && serveDirect(hit.get(), inv, label)) {
        delta.increment(StatsDelta.HITS_DIRECT);
        return 0;
      }
    }
    Path tmp = Files.createTempDirectory("hgbuild-");
    try {
      return distribute(compiler.get(), probed.get(), inv, args, label, tmp, session, delta);
    } finally {
      TempTrees.delete(tmp);
      reportCacheFailure(session, label);
    }
  }

  private int distribute(
      Path compiler,
      CompilerProbes.Probed probed,
      CompileInvocation inv,
      List<String> args,
      String label,
      Path tmp,
      CacheSession session,
      StatsDelta delta)
      throws IOException, InterruptedException {
    Path unitFile = tmp.resolve("unit.i");
    Path depFinal = inv.dependencyFile() == null ? null : cwd.resolve(inv.dependencyFile());
    Path depTemp = depFinal == null ? null : siblingTemp(depFinal);
    List<String> modeFlags =
        probed.identity().family().equals("clang")
            ? List.of("-frewrite-includes")
            : List.of("-fdirectives-only");
    ProcessRunner.Captured pp =
        services
            .runner()
            .capture(
                compiler,
                inv.preprocessArgs(
                    modeFlags, unitFile.toString(), depTemp == null ? null : depTemp.toString()),
                cwd,
                env);
    if (pp.exitCode() != 0) {
      deleteQuietly(depTemp);
      if (session != null) {
        session.uncacheable(UncacheableReason.PREPROCESSING_FAILED);
      }
      // The compiler itself reports preprocessing errors best: run it as the build asked.
      return local(compiler, args, label, "preprocessing failed", delta);
    }
    byte[] unit = Files.readAllBytes(unitFile);
    if (session != null) {
      Optional<CachedResult> hit = session.lookupPreprocessed(unit);
      if (hit.isPresent() && servePreprocessed(hit.get(), inv, label, depTemp, depFinal)) {
        delta.increment(StatsDelta.HITS_PREPROCESSED);
        session.rememberHeaders();
        return 0;
      }
    }
    CompileRequest request =
        CompileRequest.newBuilder()
            .setTask(
                CompileTask.newBuilder()
                    .setCompiler(WireTypes.toWire(probed.identity()))
                    .setLanguage(WireTypes.toWire(inv.language()))
                    .addAllArgs(inv.remoteArgs())
                    .setSourcePath(inv.source())
                    .setClientCwd(cwd.toString())
                    .setPreprocessed(UnsafeByteOperations.unsafeWrap(unit))
                    .putAllEnv(forwardedEnv()))
            .setPriority(settings.batch() ? Priority.PRIORITY_BATCH : Priority.PRIORITY_INTERACTIVE)
            .setSkipCache(settings.skipCache())
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
      delta.increment(StatsDelta.FALLBACKS);
      return fallback(compiler, args, inv, label, depFinal, session, delta);
    }
    delta.increment(StatsDelta.REMOTE);
    CompileResult result = response.getResult();
    byte[] object = result.getObject().toByteArray();
    if (result.getExitCode() == 0) {
      try {
        writeAtomically(cwd.resolve(inv.objectPath()), object);
      } catch (IOException e) {
        deleteQuietly(depTemp);
        if (session != null) {
          session.uncacheable(UncacheableReason.OUTPUT_NOT_READABLE);
        }
        // Same outcome as the compiler writing there itself: let it say what is wrong.
        return local(compiler, args, label, "cannot write " + inv.objectPath(), delta);
      }
    }
    byte[] deps = null;
    if (depTemp != null && Files.exists(depTemp)) {
      deps = Files.readAllBytes(depTemp);
      move(depTemp, depFinal);
    }
    byte[] stdout = result.getStdout().toByteArray();
    byte[] stderr = DiagnosticsMerger.merge(pp.stderr(), result.getStderr().toByteArray());
    out.write(stdout);
    out.flush();
    err.write(stderr);
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [remote " + result.getWorkerId() + "]");
    }
    err.flush();
    if (session != null) {
      if (result.getExitCode() != 0) {
        session.uncacheable(UncacheableReason.COMPILE_ERROR);
      } else if (depFinal != null && deps == null) {
        session.uncacheable(UncacheableReason.OUTPUT_NOT_READABLE);
      } else {
        session.store(new CachedResult(inv.objectPath(), object, stdout, stderr, deps));
      }
    }
    return result.getExitCode();
  }

  /** The grid could not serve: compile here, and cache what the compiler wrote. */
  private int fallback(
      Path compiler,
      List<String> args,
      CompileInvocation inv,
      String label,
      Path depFinal,
      CacheSession session,
      StatsDelta delta)
      throws IOException, InterruptedException {
    if (session == null) {
      return local(compiler, args, label, "grid unavailable", delta);
    }
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [local grid unavailable]");
      err.flush();
    }
    delta.increment(StatsDelta.LOCAL);
    ProcessRunner.Captured c = services.runner().capture(compiler, args, cwd, env);
    out.write(c.stdout());
    out.flush();
    err.write(c.stderr());
    err.flush();
    if (c.exitCode() != 0) {
      session.uncacheable(UncacheableReason.COMPILE_ERROR);
      return c.exitCode();
    }
    try {
      byte[] object = Files.readAllBytes(cwd.resolve(inv.objectPath()));
      byte[] deps = depFinal == null ? null : Files.readAllBytes(depFinal);
      session.store(new CachedResult(inv.objectPath(), object, c.stdout(), c.stderr(), deps));
    } catch (IOException e) {
      session.uncacheable(UncacheableReason.OUTPUT_NOT_READABLE);
    }
    return 0;
  }

  /**
   * Writes a direct-mode hit: the object, the dependency file with its target renamed to this
   * object path, and the compiler's output. False (nothing written but perhaps the object) when the
   * entry cannot serve this invocation; the caller then compiles.
   */
  private boolean serveDirect(CachedResult hit, CompileInvocation inv, String label) {
    Path depFinal = inv.dependencyFile() == null ? null : cwd.resolve(inv.dependencyFile());
    byte[] deps = null;
    if (depFinal != null) {
      if (hit.deps() == null) {
        return false;
      }
      Optional<byte[]> rewritten =
          DependencyTargets.userTarget(inv)
              ? Optional.of(hit.deps())
              : DependencyTargets.rewrite(hit.deps(), hit.objectPath(), inv.objectPath());
      if (rewritten.isEmpty()) {
        return false;
      }
      deps = rewritten.get();
    }
    try {
      writeAtomically(cwd.resolve(inv.objectPath()), hit.object());
      if (depFinal != null) {
        writeAtomically(depFinal, deps);
      }
    } catch (IOException e) {
      return false;
    }
    replay(hit, label, "direct");
    return true;
  }

  /** Writes a preprocessed-mode hit; the dependency file comes from this run's preprocessing. */
  private boolean servePreprocessed(
      CachedResult hit, CompileInvocation inv, String label, Path depTemp, Path depFinal) {
    try {
      writeAtomically(cwd.resolve(inv.objectPath()), hit.object());
      if (depTemp != null && Files.exists(depTemp)) {
        move(depTemp, depFinal);
      }
    } catch (IOException e) {
      return false;
    }
    replay(hit, label, "preprocessed");
    return true;
  }

  /** Says (under -v) that a defect turned the cache off for this compile. */
  private void reportCacheFailure(CacheSession session, String label) {
    if (session != null && session.failure().isPresent() && settings.verbose()) {
      err.println("hgbuild: " + label + " [cache off: " + session.failure().get() + "]");
      err.flush();
    }
  }

  private void replay(CachedResult hit, String label, String mode) {
    out.write(hit.stdout(), 0, hit.stdout().length);
    out.flush();
    err.write(hit.stderr(), 0, hit.stderr().length);
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [cache hit " + mode + "]");
    }
    err.flush();
  }

  private int local(Path compiler, List<String> args, String label, String reason, StatsDelta delta)
      throws IOException, InterruptedException {
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [local " + reason + "]");
      err.flush();
    }
    delta.increment(StatsDelta.LOCAL);
    return services.runner().run(compiler, args, cwd, env, out, err);
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

  /** A temporary name next to {@code target}, unique among this process's threads. */
  private static Path siblingTemp(Path target) {
    return target.resolveSibling(
        "."
            + target.getFileName()
            + ".hgtmp-"
            + ProcessHandle.current().pid()
            + "-"
            + Thread.currentThread().getId()
            + "-"
            + System.nanoTime());
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
    if (Thread.currentThread().isInterrupted()) {
      // The build that asked was stopped (the daemon interrupts a request whose launcher went
      // away): an output appearing after that could make a later make skip a stale file.
      throw new java.io.InterruptedIOException("compile cancelled; " + to + " left as it was");
    }
    AtomicFiles.replace(from, to);
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
