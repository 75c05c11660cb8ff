package io.hybridgrid.cli.compile;

import static io.hybridgrid.cli.scan.IncludeScanner.absolute;

import io.hybridgrid.cli.action.ActionEnvironment;
import io.hybridgrid.cli.action.DependencyRule;
import io.hybridgrid.cli.action.FileDigests;
import io.hybridgrid.cli.action.InputRootBuilder;
import io.hybridgrid.cli.action.MissingInputException;
import io.hybridgrid.cli.action.RemoteAction;
import io.hybridgrid.cli.action.ShippedToolchain;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.cli.scan.IncludeScanner;
import io.hybridgrid.common.compiler.Arg;
import io.hybridgrid.common.compiler.CompileInvocation;
import io.hybridgrid.common.compiler.CompilerIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a distributable compile into a {@link RemoteAction}: finds the files it reads ({@link
 * IncludeScanner}, or the compiler's {@code -M}, the preprocessor's cheapest complete mode),
 * digests every file it names (memoised by identity for the daemon's lifetime), and records the
 * links on the way to them and the directories the command needs (include directories, the working
 * directory, the outputs' directories). Never runs on a cache hit.
 */
final class ActionPlanner {
  /** The make target the scan is asked to print, so its rule is easy to find. */
  static final String SCAN_TARGET = "hgbuild-scan";

  /** Options whose value is a directory the compiler searches. */
  private static final Set<String> DIRECTORY_OPTIONS =
      Set.of("-I", "-iquote", "-isystem", "-idirafter", "-isysroot", "--sysroot", "-iframework");

  /** The scan itself failed (a missing header, a syntax error in a directive): compile locally. */
  static final class ScanFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    ScanFailedException(String message) {
      super(message);
    }
  }

  /**
   * The files a compile may read, as the compiler spells them, the source first.
   *
   * @param files the files
   * @param superset whether they came from {@link IncludeScanner} (every branch of every
   *     conditional: more than the compiler reads) rather than from the compiler's own {@code -M}
   */
  record Scanned(List<String> files, boolean superset) {}

  private final ProcessRunner runner;
  private final FileDigests digests;
  private final IncludeScanner includes;
  private final boolean builtinScan;
  private final FileHashes.Scope scope;

  /**
   * @param builtinScan whether to try {@link IncludeScanner} before the compiler's {@code -M}
   * @param scope the file identities this compile has seen (one planner per compile)
   */
  ActionPlanner(
      ProcessRunner runner,
      FileDigests digests,
      IncludeScanner includes,
      boolean builtinScan,
      FileHashes.Scope scope) {
    this.runner = runner;
    this.digests = digests;
    this.includes = includes;
    this.builtinScan = builtinScan;
    this.scope = scope;
  }

  /**
   * Finds the files the compile reads: {@link IncludeScanner} when it is sure, else the compiler's
   * dependency scan. Cheap to look up in the cache with; the action itself is built only on a miss.
   */
  Scanned scan(CompileInvocation inv, Path compiler, Path cwd, Map<String, String> env)
      throws ScanFailedException, IOException, InterruptedException {
    if (builtinScan) {
      Optional<List<String>> found = includes.scan(inv, compiler, cwd, env, scope);
      if (found.isPresent()) {
        return new Scanned(found.get(), true);
      }
    }
    return new Scanned(compilerScan(inv, compiler, cwd, env), false);
  }

  /** The compiler's own dependency scan ({@code -M}): exactly the files it read. */
  List<String> compilerScan(CompileInvocation inv, Path compiler, Path cwd, Map<String, String> env)
      throws ScanFailedException, IOException, InterruptedException {
    ProcessRunner.Captured scan =
        runner.capture(compiler, inv.dependencyScanArgs(SCAN_TARGET), cwd, env);
    if (scan.exitCode() != 0) {
      throw new ScanFailedException("dependency scan exited with " + scan.exitCode());
    }
    try {
      return DependencyRule.prerequisites(scan.stdout(), SCAN_TARGET);
    } catch (IllegalArgumentException e) {
      throw new ScanFailedException(e.getMessage());
    }
  }

  /**
   * Builds the action for {@code argv0 args} run in {@code cwd} from the scan's file list.
   *
   * @param argv0 the compiler as the user typed it (the action's argv[0])
   * @param compiler what it resolves to here
   * @param scanned what {@link #scan} returned
   * @param toolchain the compiler as files ({@link ToolchainCatalog}), or null to ship none
   * @throws MissingInputException when a scanned file vanished or cannot be read
   */
  RemoteAction plan(
      String argv0,
      Path compiler,
      CompilerIdentity identity,
      CompileInvocation inv,
      List<String> args,
      Path cwd,
      Map<String, String> env,
      List<String> scanned,
      ShippedToolchain toolchain)
      throws MissingInputException {
    String dir = cwd.toString();
    InputRootBuilder root = new InputRootBuilder(digests, scope);
    for (String f : scanned) {
      root.addFile(absolute(dir, f));
    }
    root.addDirectory(dir);
    for (Arg arg : inv.args()) {
      if (!arg.input() && DIRECTORY_OPTIONS.contains(arg.name()) && arg.value() != null) {
        root.addDirectory(absolute(dir, stripEquals(arg.value())));
      }
    }
    for (String variable : ActionEnvironment.INCLUDE_PATH_VARIABLES) {
      String v = env.get(variable);
      if (v != null) {
        for (String d : v.split(":")) {
          // an empty element means the working directory, already there
          if (!d.isEmpty()) {
            root.addDirectory(absolute(dir, d));
          }
        }
      }
    }
    List<String> outputs = new ArrayList<>();
    for (String o : inv.outputFiles()) {
      String abs = absolute(dir, o);
      outputs.add(abs);
      int slash = abs.lastIndexOf('/');
      root.addDirectory(slash <= 0 ? "/" : abs.substring(0, slash));
    }
    List<String> argv = new ArrayList<>(args.size() + 1);
    argv.add(argv0);
    argv.addAll(args);
    return new RemoteAction(
        argv,
        dir,
        ActionEnvironment.carried(env),
        root.build(),
        outputs,
        identity,
        compiler.toString(),
        toolchain);
  }

  /** {@code --sysroot=/x} parses with the value {@code =/x} on some spellings. */
  private static String stripEquals(String v) {
    return v.startsWith("=") ? v.substring(1) : v;
  }
}
