package io.hybridgrid.cli.compile;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Starts compiler processes: captured (preprocessing) or attached to our own stdio (local). */
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

  static Captured capture(Path compiler, List<String> args, Path cwd)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd)
            .directory(cwd.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    return new Captured(exit, out, err.join());
  }

  /** Runs the compiler with this process's stdin, stdout and stderr, as a plain local compile. */
  static int inherit(Path compiler, List<String> args, Path cwd)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(args);
    return new ProcessBuilder(cmd).directory(cwd.toFile()).inheritIO().start().waitFor();
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
