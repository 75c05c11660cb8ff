package io.hybridgrid.cli.compile;

import io.hybridgrid.cli.action.ActionEnvironment;
import io.hybridgrid.cli.action.MissingInputException;
import io.hybridgrid.cli.action.OutputWriter;
import io.hybridgrid.cli.action.RemoteAction;
import io.hybridgrid.cli.action.RemoteResult;
import io.hybridgrid.cli.cache.CacheConfig;
import io.hybridgrid.cli.cache.CachedResult;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.cli.cache.LocalCache;
import io.hybridgrid.cli.cache.StatsDelta;
import io.hybridgrid.cli.cache.UncacheableReason;
import io.hybridgrid.cli.scan.IncludeScanner;
import io.hybridgrid.common.compiler.ArgumentClassifier;
import io.hybridgrid.common.compiler.CompileInvocation;
import io.hybridgrid.common.compiler.CompilerLocator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code hgbuild <compiler> args...} invocation: classify, look the compile up in the local
 * cache (direct mode), find its inputs with the dependency scan ({@link ActionPlanner}), look it up
 * again (depend mode), run it on the grid as an action, write the outputs exactly where the
 * compiler would ({@link OutputWriter}), and store successful results; compile locally whenever the
 * grid cannot or should not do it. hgbuild never breaks a build that the compiler alone would
 * build, unless {@code --no-fallback} asks it to. Nothing here builds a protocol message: the grid
 * is a {@link RemoteCompiler} that takes and returns plain records.
 *
 * <p>Everything about the client comes in as a {@link ClientRequest}, resolved once by the caller,
 * so a daemon can run many flows at once for different clients; what lives for the whole process
 * comes in as {@link CompileServices}.
 */
public final class CompileFlow {
  private final ClientRequest request;
  private final ClientSettings settings;
  private final RemoteCompiler remote;
  private final Path cwd;
  private final PrintStream out;
  private final PrintStream err;
  private final CompileServices services;
  private final StatsDelta delta = new StatsDelta();

  /**
   * @param request the client's settings, environment and working directory
   * @param remote the grid (may be unreachable)
   * @param out where the compiler's stdout goes
   * @param err where the compiler's stderr and hgbuild's messages go
   * @param services what every flow of this process shares (runner, memos, caches, clock)
   */
  public CompileFlow(
      ClientRequest request,
      RemoteCompiler remote,
      PrintStream out,
      PrintStream err,
      CompileServices services) {
    this.request = request;
    this.settings = request.settings();
    this.remote = remote;
    this.cwd = request.cwd();
    this.out = out;
    this.err = err;
    this.services = services;
  }

  /**
   * What {@link #run} counted (one invocation: which of remote, local, fallback, a cache hit), for
   * the daemon's build progress and its reports to the coordinator. Read after {@code run}.
   */
  public StatsDelta outcome() {
    return delta;
  }

  /** Runs the invocation and returns the exit code the build should see. */
  public int run(String compilerName, List<String> args) throws IOException, InterruptedException {
    Optional<CacheConfig> config = request.cache();
    StatsDelta delta = this.delta;
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
    Optional<Path> compiler = CompilerLocator.resolve(compilerName, request.env().get("PATH"), cwd);
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
    Optional<String> envReason = ActionEnvironment.localReason(request.env());
    if (envReason.isPresent()) {
      delta.uncacheable(
          config.isPresent()
              ? UncacheableReason.UNSUPPORTED_OPTION
              : UncacheableReason.CACHE_DISABLED);
      return local(compiler.get(), args, label, envReason.get(), delta);
    }
    Optional<CompilerProbes.Probed> probed = services.probes().probe(compiler.get());
    if (probed.isEmpty()) {
      delta.uncacheable(
          config.isPresent()
              ? UncacheableReason.UNKNOWN_COMPILER
              : UncacheableReason.CACHE_DISABLED);
      return local(compiler.get(), args, label, "compiler is not gcc or clang", delta);
    }
    // Every step of this compile sees each file as it first saw it, at one stat per file.
    FileHashes.Scope scope = services.fileHashes().scope();
    CacheSession session = null;
    if (config.isEmpty()) {
      delta.uncacheable(UncacheableReason.CACHE_DISABLED);
    } else if (!cacheableOutputs(inv)) {
      // A hit restores the object and the dependency file only: a .dwo or .su would go stale.
      delta.uncacheable(UncacheableReason.UNSUPPORTED_OPTION);
    } else {
      session =
          new CacheSession(
              cache,
              config.get(),
              services.fileHashes(),
              scope,
              services.clock(),
              delta,
              probed.get(),
              inv,
              request.env(),
              cwd);
    }
    try {
      if (session != null) {
        Optional<CachedResult> hit = session.lookupDirect();
        if (hit.isPresent() && serve(hit.get(), inv, label, "direct")) {
          delta.increment(StatsDelta.HITS_DIRECT);
          return 0;
        }
      }
      return distribute(
          compilerName, compiler.get(), probed.get(), inv, args, label, session, scope, delta);
    } finally {
      reportCacheFailure(session, label);
    }
  }

  private static boolean cacheableOutputs(CompileInvocation inv) {
    return inv.outputFiles().size() == (inv.dependencyFile() == null ? 1 : 2);
  }

  private int distribute(
      String compilerName,
      Path compiler,
      CompilerProbes.Probed probed,
      CompileInvocation inv,
      List<String> args,
      String label,
      CacheSession session,
      FileHashes.Scope scope,
      StatsDelta delta)
      throws IOException, InterruptedException {
    ActionPlanner planner =
        new ActionPlanner(
            services.runner(),
            services.fileDigests(),
            services.includes(),
            settings.builtinScan(),
            scope);
    ActionPlanner.Scanned scanned;
    try {
      scanned = planner.scan(inv, compiler, cwd, request.env());
    } catch (ActionPlanner.ScanFailedException e) {
      if (session != null) {
        session.uncacheable(UncacheableReason.PREPROCESSING_FAILED);
      }
      // The compiler itself reports preprocessing errors best: run it as the build asked.
      return local(compiler, args, label, e.getMessage(), delta);
    }
    if (session != null) {
      Optional<CachedResult> hit = session.lookupDepend(scanned.files());
      if (hit.isPresent() && serve(hit.get(), inv, label, "depend")) {
        delta.increment(StatsDelta.HITS_PREPROCESSED);
        session.rememberHeaders();
        return 0;
      }
    }
    RemoteAction action;
    try {
      action =
          planner.plan(
              compilerName,
              compiler,
              probed.identity(),
              inv,
              args,
              cwd,
              request.env(),
              scanned.files(),
              services
                  .toolchains()
                  .toolchain(compiler, probed.identity().family(), request.env().get("PATH"))
                  .orElse(null));
    } catch (MissingInputException e) {
      if (session != null) {
        session.uncacheable(UncacheableReason.MODIFIED_DURING_COMPILE);
      }
      err.println(
          "hgbuild: warning: input " + e.getMessage() + "; compiling " + label + " locally");
      return local(compiler, args, label, "an input vanished during the build", delta);
    }
    RemoteResult result;
    try {
      result = remote.execute(action, request.clientId(), request.batch());
    } catch (GridUnavailableException e) {
      if (Thread.currentThread().isInterrupted()) {
        // Stopped while waiting for the grid (the launcher hung up): no fallback compile, which
        // would write after the build that asked is gone.
        throw new InterruptedException("compile of " + label + " cancelled");
      }
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
      return fallback(compiler, args, inv, label, session, delta, "grid unavailable");
    } catch (MissingInputException e) {
      err.println(
          "hgbuild: warning: input " + e.getMessage() + "; compiling " + label + " locally");
      if (session != null) {
        session.uncacheable(UncacheableReason.MODIFIED_DURING_COMPILE);
      }
      return local(compiler, args, label, "an input changed during the build", delta);
    }
    if (result.exitCode() != 0
        && scanned.superset()
        && !confirmedByCompiler(planner, inv, compiler, scanned.files())) {
      // The built-in scan may have missed a file the compile needed: the compiler here decides.
      if (session != null) {
        session.uncacheable(UncacheableReason.COMPILE_ERROR);
      }
      return local(compiler, args, label, "the grid's compile failed; compiling here", delta);
    }
    try {
      OutputWriter.write(action, result.outputs());
    } catch (OutputWriter.BadOutputException e) {
      err.println("hgbuild: warning: " + e.getMessage() + "; compiling " + label + " locally");
      delta.increment(StatsDelta.FALLBACKS);
      return fallback(compiler, args, inv, label, session, delta, "bad answer from the grid");
    } catch (IOException e) {
      if (session != null) {
        session.uncacheable(UncacheableReason.OUTPUT_NOT_READABLE);
      }
      // Same outcome as the compiler writing there itself: let it say what is wrong.
      return local(compiler, args, label, "cannot write an output: " + e.getMessage(), delta);
    }
    delta.increment(StatsDelta.REMOTE);
    out.write(result.stdout());
    out.flush();
    err.write(result.stderr());
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [remote " + result.workerId() + "]");
    }
    err.flush();
    if (session != null) {
      store(session, inv, result);
    }
    return result.exitCode();
  }

  /**
   * Whether a failed remote compile saw every file the compiler reads here: the compiler's own
   * dependency scan names no file the built-in scan left out. Then its diagnostics stand.
   */
  private boolean confirmedByCompiler(
      ActionPlanner planner, CompileInvocation inv, Path compiler, List<String> superset)
      throws IOException, InterruptedException {
    List<String> exact;
    try {
      exact = planner.compilerScan(inv, compiler, cwd, request.env());
    } catch (ActionPlanner.ScanFailedException e) {
      return false;
    }
    Set<Path> sent = new HashSet<>();
    for (String f : superset) {
      sent.add(cwd.resolve(f).normalize());
    }
    for (String f : exact) {
      if (!sent.contains(cwd.resolve(f).normalize())) {
        return false;
      }
    }
    return true;
  }

  /** Stores a remote result: the object and the dependency file as they came back. */
  private void store(CacheSession session, CompileInvocation inv, RemoteResult result) {
    if (result.exitCode() != 0) {
      session.uncacheable(UncacheableReason.COMPILE_ERROR);
      return;
    }
    String object = IncludeScanner.absolute(cwd.toString(), inv.objectPath());
    String deps =
        inv.dependencyFile() == null
            ? null
            : IncludeScanner.absolute(cwd.toString(), inv.dependencyFile());
    byte[] objectBytes = null;
    byte[] depBytes = null;
    for (RemoteResult.Output o : result.outputs()) {
      if (o.path().equals(object)) {
        objectBytes = o.content();
      } else if (o.path().equals(deps)) {
        depBytes = o.content();
      }
    }
    if (objectBytes == null || (deps != null && depBytes == null)) {
      session.uncacheable(UncacheableReason.OUTPUT_NOT_READABLE);
      return;
    }
    session.store(
        new CachedResult(inv.objectPath(), objectBytes, result.stdout(), result.stderr(), depBytes),
        false);
  }

  /** The grid could not serve: compile here, and cache what the compiler wrote. */
  private int fallback(
      Path compiler,
      List<String> args,
      CompileInvocation inv,
      String label,
      CacheSession session,
      StatsDelta delta,
      String why)
      throws IOException, InterruptedException {
    if (session == null) {
      return local(compiler, args, label, why, delta);
    }
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [local " + why + "]");
      err.flush();
    }
    delta.increment(StatsDelta.LOCAL);
    ProcessRunner.Captured c = services.runner().capture(compiler, args, cwd, request.env());
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
      byte[] deps =
          inv.dependencyFile() == null
              ? null
              : Files.readAllBytes(cwd.resolve(inv.dependencyFile()));
      session.store(new CachedResult(inv.objectPath(), object, c.stdout(), c.stderr(), deps), true);
    } catch (IOException e) {
      session.uncacheable(UncacheableReason.OUTPUT_NOT_READABLE);
    }
    return 0;
  }

  /**
   * Writes a hit: the object, the dependency file with its target renamed to this object path, and
   * the compiler's output. False (nothing written but perhaps the object) when the entry cannot
   * serve this invocation; the caller then compiles.
   */
  private boolean serve(CachedResult hit, CompileInvocation inv, String label, String mode) {
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
      OutputWriter.writeAtomically(cwd.resolve(inv.objectPath()), hit.object(), false);
      if (depFinal != null) {
        OutputWriter.writeAtomically(depFinal, deps, false);
      }
    } catch (IOException e) {
      return false;
    }
    out.write(hit.stdout(), 0, hit.stdout().length);
    out.flush();
    err.write(hit.stderr(), 0, hit.stderr().length);
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [cache hit " + mode + "]");
    }
    err.flush();
    return true;
  }

  /** Says (under -v) that a defect turned the cache off for this compile. */
  private void reportCacheFailure(CacheSession session, String label) {
    if (session != null && session.failure().isPresent() && settings.verbose()) {
      err.println("hgbuild: " + label + " [cache off: " + session.failure().get() + "]");
      err.flush();
    }
  }

  private int local(Path compiler, List<String> args, String label, String reason, StatsDelta delta)
      throws IOException, InterruptedException {
    if (settings.verbose()) {
      err.println("hgbuild: " + label + " [local " + reason + "]");
      err.flush();
    }
    delta.increment(StatsDelta.LOCAL);
    return services.runner().run(compiler, args, cwd, request.env(), out, err);
  }
}
