package io.hybridgrid.worker.compiler;

import io.hybridgrid.common.compiler.Arg;
import io.hybridgrid.common.compiler.ArgParser;
import io.hybridgrid.common.compiler.RemotePolicy;
import io.hybridgrid.common.fs.TempTrees;
import io.hybridgrid.common.grpc.FieldLimits;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.sandbox.InvalidUnitException;
import io.hybridgrid.worker.sandbox.UnitLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a compile in a fresh task directory with one of this worker's own compilers, then removes
 * the directory. See {@link UnitLayout} for why the unit is laid out as it is.
 */
public final class SandboxCompiler implements CompilerRunner {

  private static final List<String> PREFIX_MAP_OPTIONS =
      List.of("-ffile-prefix-map=", "-fdebug-prefix-map=", "-fmacro-prefix-map=");

  private final InstalledCompilers compilers;
  private final Path workRoot;
  private final Duration timeout;

  /**
   * @param compilers the compilers this worker registered
   * @param workRoot where task directories are created
   * @param timeout how long one compile may run
   */
  public SandboxCompiler(InstalledCompilers compilers, Path workRoot, Duration timeout) {
    this.compilers = compilers;
    this.workRoot = workRoot;
    this.timeout = timeout;
  }

  @Override
  public CompileOutput compile(CompileJob job) throws TaskRefusedException {
    Path compiler =
        compilers
            .find(job.compiler())
            .orElseThrow(
                () ->
                    new TaskRefusedException(
                        Rejection.UNKNOWN_COMPILER,
                        "this worker has no "
                            + job.compiler().describe()
                            + "; it has: "
                            + compilers.identities().stream()
                                .map(c -> c.describe())
                                .sorted()
                                .collect(Collectors.joining(", "))));
    if (!job.language().distributable()) {
      throw new TaskRefusedException(
          Rejection.INVALID_TASK, "language " + job.language() + " is not compiled on workers");
    }
    try {
      // Client faults are refused before anything runs, so they never look like this worker's.
      FieldLimits.checkArgs(job.args());
      FieldLimits.checkPath("source path", job.sourcePath());
      FieldLimits.checkPath("client working directory", job.clientCwd());
    } catch (IllegalArgumentException e) {
      throw new TaskRefusedException(Rejection.INVALID_TASK, e.getMessage(), e);
    }
    List<Arg> args = ArgParser.parse(job.args());
    Optional<String> forbidden = RemotePolicy.firstForbidden(args);
    if (forbidden.isPresent()) {
      throw new TaskRefusedException(Rejection.FORBIDDEN_ARGUMENT, "refused: " + forbidden.get());
    }
    for (String key : job.env().keySet()) {
      if (!RemotePolicy.TASK_ENV.contains(key)) {
        throw new TaskRefusedException(
            Rejection.FORBIDDEN_ARGUMENT,
            "refused: environment variable " + key + " is not accepted");
      }
    }
    Path taskDir;
    try {
      Files.createDirectories(workRoot);
      taskDir = Files.createTempDirectory(workRoot, "task-");
    } catch (IOException e) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE, "cannot create a task directory: " + e, e);
    }
    try {
      return run(job, compiler, taskDir);
    } finally {
      deleteTree(taskDir);
    }
  }

  private CompileOutput run(CompileJob job, Path compiler, Path taskDir)
      throws TaskRefusedException {
    UnitLayout.Layout layout;
    try {
      layout = UnitLayout.write(job.preprocessed(), job.sourcePath(), job.clientCwd(), taskDir);
    } catch (InvalidUnitException e) {
      throw new TaskRefusedException(Rejection.INVALID_TASK, e.getMessage(), e);
    } catch (IOException e) {
      throw new TaskRefusedException(Rejection.INFRASTRUCTURE, "cannot write the unit: " + e, e);
    }
    Path object = taskDir.resolve("out.o");
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(job.args());
    cmd.add("-nostdinc");
    for (Path include : layout.includes()) {
      cmd.add("-include");
      cmd.add(include.toString());
    }
    cmd.addAll(prefixMaps(job.args(), layout.mirrorRoot().toString()));
    cmd.add("-x");
    cmd.add(job.language().xName());
    cmd.add("-c");
    cmd.add(layout.inputPath());
    cmd.add("-o");
    cmd.add(object.toString());

    ProcessBuilder pb = new ProcessBuilder(cmd).directory(layout.workDir().toFile());
    Map<String, String> env = pb.environment();
    String path = env.get("PATH");
    env.clear();
    if (path != null) {
      env.put("PATH", path);
    }
    env.putAll(job.env());
    Path stdout = taskDir.resolve("stdout");
    Path stderr = taskDir.resolve("stderr");
    pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    long start = System.nanoTime();
    int exit;
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE, "cannot start " + compiler + ": " + e, e);
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        killTree(p);
        throw new TaskRefusedException(
            Rejection.INFRASTRUCTURE,
            "compiler did not finish within " + timeout.toSeconds() + " s");
      }
      exit = p.exitValue();
    } catch (InterruptedException e) {
      // Cancelled (the coordinator no longer wants it) or the worker is stopping: not the
      // compiler's fault, so UNAVAILABLE, which the worker's own breaker does not count.
      killTree(p);
      Thread.currentThread().interrupt();
      throw new TaskRefusedException(Rejection.UNAVAILABLE, "compile cancelled", e);
    }
    long micros = (System.nanoTime() - start) / 1000;
    if (exit > 128) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE, "compiler was killed by signal " + (exit - 128));
    }
    try {
      String mirror = layout.mirrorRoot().toString();
      if (exit == 0 && !Files.isRegularFile(object)) {
        // The arguments suppressed the object (the policy refuses the known ways): the client's
        // doing, not a broken worker, so it must not count against the breaker.
        throw new TaskRefusedException(
            Rejection.INVALID_TASK,
            "the compiler exited 0 but wrote no object: the arguments suppress it");
      }
      byte[] obj = exit == 0 ? Files.readAllBytes(object) : new byte[0];
      return new CompileOutput(
          exit,
          obj,
          unmirror(Files.readAllBytes(stdout), mirror),
          unmirror(Files.readAllBytes(stderr), mirror),
          micros);
    } catch (IOException e) {
      throw new TaskRefusedException(
          Rejection.INFRASTRUCTURE, "cannot read the compiler's output: " + e, e);
    }
  }

  /**
   * Maps the mirror root back to {@code /}. gcc applies only the first matching map, the last one
   * given first, so each of the user's own absolute maps is repeated for its mirrored prefix after
   * ours: the result is what the user's maps give on the client.
   */
  static List<String> prefixMaps(List<String> userArgs, String mirrorRoot) {
    List<String> out = new ArrayList<>();
    out.add("-ffile-prefix-map=" + mirrorRoot + "=");
    for (String arg : userArgs) {
      for (String option : PREFIX_MAP_OPTIONS) {
        if (arg.startsWith(option)) {
          String map = arg.substring(option.length());
          if (map.startsWith("/") && map.contains("=")) {
            out.add(option + mirrorRoot + map);
          }
        }
      }
    }
    return out;
  }

  /** Diagnostics name the mirrored path for absolute sources; show the client's path instead. */
  static byte[] unmirror(byte[] text, String mirrorRoot) {
    String s = new String(text, StandardCharsets.ISO_8859_1);
    if (!s.contains(mirrorRoot)) {
      return text;
    }
    return s.replace(mirrorRoot + "/", "/").getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Kills the compiler and everything it started (cc1, as, a wrapper's children): descendants are
   * listed before anything is killed, since a killed parent's children are re-parented away from
   * it; then waits briefly so the task directory can be removed.
   */
  static void killTree(Process p) {
    List<ProcessHandle> tree = p.descendants().toList();
    p.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) {
    try {
      TempTrees.delete(dir);
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(SandboxCompiler.class)
          .warn("could not remove task directory {}: {}", dir, e.toString());
    }
  }
}
