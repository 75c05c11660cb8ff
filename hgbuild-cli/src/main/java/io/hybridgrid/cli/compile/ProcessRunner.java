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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Starts compiler processes for every invocation this process serves, at most {@code maxParallel}
 * at a time (the daemon's bounded local parallelism for preprocessing and local compiles). Each
 * child gets the environment of the client it works for, not this JVM's, and its output goes to
 * that client's streams. Thread-safe; one instance per process.
 */
public final class ProcessRunner {
  private final Semaphore slots;
  private final int maxParallel;
  private final ExecutorService readers;
  private final boolean inheritStdin;

  /**
   * A finished process.
   *
   * @param exitCode its exit status
   * @param stdout what it printed
   * @param stderr what it printed on standard error
   */
  public record Captured(int exitCode, byte[] stdout, byte[] stderr) {}

  /**
   * @param maxParallel how many children may run at once (e.g. the number of CPUs)
   * @param readers runs the threads that drain the children's standard error; needs at least {@code
   *     maxParallel} threads, or is unbounded
   * @param inheritStdin whether a local compile ({@link #run}) reads this process's standard input
   *     (true for a one-shot CLI, where {@code gcc -x c -} must see the build's stdin; false in a
   *     daemon, whose stdin is not the client's)
   */
  public ProcessRunner(int maxParallel, ExecutorService readers, boolean inheritStdin) {
    if (maxParallel < 1) {
      throw new IllegalArgumentException("maxParallel must be at least 1, not " + maxParallel);
    }
    this.maxParallel = maxParallel;
    this.slots = new Semaphore(maxParallel, true);
    this.readers = readers;
    this.inheritStdin = inheritStdin;
  }

  /** How many children may run at once. */
  public int maxParallel() {
    return maxParallel;
  }

  /** Runs {@code compiler args} in {@code cwd} with {@code env}, capturing its output. */
  public Captured capture(Path compiler, List<String> args, Path cwd, Map<String, String> env)
      throws IOException, InterruptedException {
    slots.acquire();
    try {
      Process p = start(compiler, args, cwd, env, false);
      CompletableFuture<byte[]> out =
          CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), readers);
      CompletableFuture<byte[]> err =
          CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), readers);
      int exit = waitFor(p);
      return new Captured(exit, out.join(), err.join());
    } finally {
      slots.release();
    }
  }

  /**
   * Runs {@code compiler args} as a plain local compile, copying its output to {@code out} and
   * {@code err} as it comes.
   */
  public int run(
      Path compiler,
      List<String> args,
      Path cwd,
      Map<String, String> env,
      OutputStream out,
      OutputStream err)
      throws IOException, InterruptedException {
    slots.acquire();
    try {
      Process p = start(compiler, args, cwd, env, inheritStdin);
      CompletableFuture<Void> outCopy =
          CompletableFuture.runAsync(() -> copy(p.getInputStream(), out), readers);
      CompletableFuture<Void> errCopy =
          CompletableFuture.runAsync(() -> copy(p.getErrorStream(), err), readers);
      int exit = waitFor(p);
      outCopy.join();
      errCopy.join();
      out.flush();
      err.flush();
      return exit;
    } finally {
      slots.release();
    }
  }

  /**
   * Waits for {@code p}; an interrupt (the daemon's launcher went away: make was stopped) stops the
   * child at once, so a cancelled compile never goes on to write its object.
   */
  private static int waitFor(Process p) throws InterruptedException {
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      // SIGTERM first, as make's Ctrl-C would: the gcc/clang driver then stops its cc1/as and
      // deletes the output it was writing. SIGKILL only if it does not go within two seconds.
      p.destroy();
      try {
        if (!p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException again) {
        p.destroyForcibly();
      }
      throw e;
    }
  }

  private static Process start(
      Path compiler, List<String> args, Path cwd, Map<String, String> env, boolean stdin)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(cwd.toFile())
            .redirectInput(
                stdin
                    ? ProcessBuilder.Redirect.INHERIT
                    : ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> childEnv = pb.environment();
    childEnv.clear();
    childEnv.putAll(env);
    return pb.start();
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copy(InputStream in, OutputStream out) {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
