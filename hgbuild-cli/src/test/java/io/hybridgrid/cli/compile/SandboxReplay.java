package io.hybridgrid.cli.compile;

import io.hybridgrid.cli.action.Digest;
import io.hybridgrid.cli.action.InputRoot;
import io.hybridgrid.cli.action.RemoteAction;
import io.hybridgrid.cli.action.RemoteResult;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in worker for tests: runs an action in bubblewrap with nothing of this machine visible
 * but the toolchain ({@code /usr/bin}, {@code /usr/lib}) and the action's input root (files bound
 * at their paths, links recreated, directories made), so a compile that needs a file the client did
 * not list fails here as it would on a worker. {@code /usr/include} is not visible unless the input
 * root carries its headers. The outputs' directories are bound to fresh directories, read back
 * after the run.
 */
final class SandboxReplay implements RemoteCompiler {
  private static final Path BWRAP = Path.of("/usr/bin/bwrap");

  private final Path scratch;
  final List<RemoteAction> actions = new ArrayList<>();

  SandboxReplay(Path scratch) {
    this.scratch = scratch;
  }

  /** Whether bubblewrap is installed and can create a sandbox here. */
  static boolean available() {
    if (!Files.isExecutable(BWRAP)) {
      return false;
    }
    try {
      Process p =
          new ProcessBuilder(
                  BWRAP.toString(),
                  "--ro-bind",
                  "/usr",
                  "/usr",
                  "--symlink",
                  "usr/lib",
                  "/lib",
                  "--symlink",
                  "usr/lib64",
                  "/lib64",
                  "--symlink",
                  "usr/bin",
                  "/bin",
                  "--unshare-all",
                  "/usr/bin/true")
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Paths the sandbox shows from this machine anyway. */
  private static boolean toolchain(String path) {
    return path.equals("/usr")
        || path.startsWith("/usr/bin")
        || path.startsWith("/usr/lib")
        || path.startsWith("/usr/libexec");
  }

  @Override
  public RemoteResult execute(RemoteAction action, String clientId, boolean batch)
      throws GridUnavailableException {
    actions.add(action);
    try {
      return run(action);
    } catch (IOException e) {
      throw new GridUnavailableException("sandbox failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GridUnavailableException("interrupted", e);
    }
  }

  private RemoteResult run(RemoteAction action) throws IOException, InterruptedException {
    Path task = Files.createTempDirectory(scratch, "task");
    List<String> cmd = new ArrayList<>();
    cmd.add(BWRAP.toString());
    for (String dir : List.of("/usr/bin", "/usr/lib", "/usr/lib64", "/usr/libexec")) {
      if (Files.isDirectory(Path.of(dir))) {
        cmd.addAll(List.of("--ro-bind", dir, dir));
      }
    }
    cmd.addAll(
        List.of(
            "--symlink",
            "usr/lib",
            "/lib",
            "--symlink",
            "usr/lib64",
            "/lib64",
            "--symlink",
            "usr/bin",
            "/bin",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp"));
    // Output directories first: the inputs bound after them stay visible inside.
    Map<String, Path> outputDirs = new LinkedHashMap<>();
    for (String o : action.outputPaths()) {
      String parent = o.substring(0, o.lastIndexOf('/'));
      if (!outputDirs.containsKey(parent)) {
        Path host = Files.createDirectory(task.resolve("out" + outputDirs.size()));
        outputDirs.put(parent, host);
        cmd.addAll(List.of("--bind", host.toString(), parent));
      }
    }
    InputRoot root = action.inputs();
    for (String d : root.directories()) {
      if (!toolchain(d)) {
        cmd.addAll(List.of("--dir", d));
      }
    }
    for (InputRoot.File f : root.files()) {
      if (!toolchain(f.path())) {
        cmd.addAll(List.of("--ro-bind", f.path(), f.path()));
      }
    }
    for (InputRoot.Symlink s : root.symlinks()) {
      cmd.addAll(List.of("--symlink", s.target(), s.path()));
    }
    cmd.addAll(
        List.of("--chdir", action.cwd(), "--unshare-all", "--die-with-parent", "--clearenv"));
    for (Map.Entry<String, String> e : action.env().entrySet()) {
      cmd.addAll(List.of("--setenv", e.getKey(), e.getValue()));
    }
    cmd.addAll(action.argv());
    Path stdout = task.resolve("stdout");
    Path stderr = task.resolve("stderr");
    Process p =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("sandboxed compile timed out");
    }
    List<RemoteResult.Output> outputs = new ArrayList<>();
    for (String o : action.outputPaths()) {
      String parent = o.substring(0, o.lastIndexOf('/'));
      Path written = outputDirs.get(parent).resolve(o.substring(o.lastIndexOf('/') + 1));
      if (Files.isRegularFile(written)) {
        byte[] bytes = Files.readAllBytes(written);
        outputs.add(new RemoteResult.Output(o, Digest.of(bytes), false, bytes));
      }
    }
    return new RemoteResult(
        p.exitValue(), Files.readAllBytes(stdout), Files.readAllBytes(stderr), "sandbox", outputs);
  }
}
