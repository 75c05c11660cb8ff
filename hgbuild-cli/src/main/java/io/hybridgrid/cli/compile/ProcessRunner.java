package io.hybridgrid.cli.compile;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Starts compiler processes with the build's environment: captured (preprocessing) or with their
 * output copied to the caller's streams (local compiles; in the daemon those go to the launcher).
 */
final class ProcessRunner {

  /**
   * A finished process.
   *
   * @param exitCode its exit status
   * @param stdout what it printed
   * @param stderr what it printed on standard error
   */
  record Captured(int exitCode, byte[] stdout, byte[] stderr) {}

  private ProcessRunner() {}

  static Captured capture(Path compiler, List<String> args, Path cwd, Map<String, String> env)
      throws IOException, InterruptedException {
    Process p =
        builder(compiler, args, cwd, env)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    return new Captured(exit, out, err.join());
  }

  /**
   * Runs the compiler as a plain local compile: this process's stdin, its output copied to {@code
   * out} and {@code err} as it comes.
   */
  static int run(
      Path compiler,
      List<String> args,
      Path cwd,
      Map<String, String> env,
      OutputStream out,
      OutputStream err)
      throws IOException, InterruptedException {
    Process p =
        builder(compiler, args, cwd, env).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
    CompletableFuture<Void> errCopy =
        CompletableFuture.runAsync(() -> copy(p.getErrorStream(), err));
    copy(p.getInputStream(), out);
    int exit = p.waitFor();
    errCopy.join();
    out.flush();
    err.flush();
    return exit;
  }

  private static ProcessBuilder builder(
      Path compiler, List<String> args, Path cwd, Map<String, String> env) {
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb;
  }

  private static void copy(InputStream in, OutputStream to) {
    try (in) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        to.write(buf, 0, n);
        to.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
