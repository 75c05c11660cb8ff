package io.hybridgrid.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs real compilers for tests. */
public final class Tools {
  public static final Path GCC = Path.of("/usr/bin/gcc");
  public static final Path CLANG = Path.of("/usr/bin/clang");

  private Tools() {}

  /**
   * A finished process.
   *
   * @param exitCode its exit status
   * @param stdout what it printed
   * @param stderr what it printed on standard error
   */
  public record Result(int exitCode, byte[] stdout, byte[] stderr) {
    public String stderrText() {
      return new String(stderr, StandardCharsets.UTF_8);
    }
  }

  public static boolean installed(Path compiler) {
    return Files.isExecutable(compiler);
  }

  /** Runs {@code cmd} in {@code dir} with the given environment only (plus PATH). */
  public static Result run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    String path = pb.environment().get("PATH");
    pb.environment().clear();
    if (path != null) {
      pb.environment().put("PATH", path);
    }
    Process p = pb.start();
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    return new Result(exit, out, err.join());
  }

  /** Runs {@code compiler args...} and fails the test unless it exits 0. */
  public static Result ok(Path dir, Path compiler, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(List.of(args));
    Result r = run(dir, cmd);
    assertEquals(0, r.exitCode(), () -> cmd + " failed: " + r.stderrText());
    return r;
  }

  /** Writes {@code text} to {@code dir/name}, creating parent directories. */
  public static Path write(Path dir, String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
