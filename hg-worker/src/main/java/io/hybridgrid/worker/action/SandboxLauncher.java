package io.hybridgrid.worker.action;

import io.hybridgrid.common.concurrent.DaemonThreads;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's resident {@code hg-sandbox-exec --serve}: it starts each sandboxed command by
 * forking itself, so a command costs one fork of a small static process and the exec of bubblewrap
 * instead of the JVM's process start (which execs the JDK's {@code jspawnhelper}, then {@code
 * hg-sandbox-exec}, then bubblewrap). The child sets the limits and drops to the sandbox user as
 * the one-shot form does (src/main/c/hg-sandbox-exec.c describes the frames). Started on first use
 * and again after it exits; when the worker exits, its end of the pipe closes and the launcher
 * kills whatever it still runs. Thread-safe.
 */
final class SandboxLauncher {
  private static final Logger log = LoggerFactory.getLogger(SandboxLauncher.class);

  /** How long the launcher may take to answer that it started a command. */
  private static final long START_SECONDS = 30;

  /** A command the launcher started. */
  interface Launched {
    /** Its process id (bubblewrap's, on this host). */
    long pid();

    /** Completes with its exit status, or 128 + signal; fails if the launcher stopped. */
    CompletableFuture<Integer> exit();

    /** SIGKILL to it, unless it has already been reaped. */
    void kill() throws IOException;
  }

  private record Pending(CompletableFuture<Long> started, CompletableFuture<Integer> exit) {}

  private final Path exec;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private Process process; // guarded by this
  private DataOutputStream requests; // guarded by this

  SandboxLauncher(Path exec) {
    this.exec = exec;
  }

  /**
   * Starts {@code argv} with only {@code env}, standard input from /dev/null and its output and
   * errors into the two files, the status file as descriptor 3, under the limits and, when {@code
   * user} is set, as that user.
   */
  Launched start(
      List<String> argv,
      Map<String, String> env,
      Path stdout,
      Path stderr,
      Path status,
      long cpuSeconds,
      long memoryBytes,
      long fileBytes,
      SandboxSettings.SandboxUser user)
      throws IOException, InterruptedException {
    String id = Long.toString(ids.incrementAndGet());
    List<String> frame = new ArrayList<>();
    frame.add("run");
    frame.add(id);
    frame.add(stdout.toString());
    frame.add(stderr.toString());
    frame.add(status.toString());
    frame.add(Long.toString(cpuSeconds));
    frame.add(Long.toString(memoryBytes));
    frame.add(Long.toString(fileBytes));
    frame.add(user == null ? "" : user.uid() + ":" + user.gid());
    frame.add(Integer.toString(argv.size()));
    frame.addAll(argv);
    frame.add(Integer.toString(env.size()));
    env.forEach((k, v) -> frame.add(k + "=" + v));
    Pending p = new Pending(new CompletableFuture<>(), new CompletableFuture<>());
    pending.put(id, p);
    try {
      send(frame);
    } catch (IOException | RuntimeException e) {
      pending.remove(id);
      throw e;
    }
    long pid;
    try {
      pid = p.started().get(START_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause()); // "failed": already removed
    } catch (TimeoutException | InterruptedException e) {
      // The request is out: the launcher may still start the command, which nobody waits for
      // now. It is killed once started; its exit answer removes it. (Dropping the entry here would
      // make that answer unplaceable and take the launcher down with every other command.)
      p.started().thenAccept(started -> killQuietly(id));
      if (e instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      throw new IOException(
          "hg-sandbox-exec --serve did not start the command within " + START_SECONDS + " s", e);
    }
    return new Launched() {
      @Override
      public long pid() {
        return pid;
      }

      @Override
      public CompletableFuture<Integer> exit() {
        return p.exit();
      }

      @Override
      public void kill() throws IOException {
        send(List.of("kill", id));
      }
    };
  }

  private void killQuietly(String id) {
    try {
      send(List.of("kill", id));
    } catch (IOException e) {
      // The launcher is gone, and the command with it.
    }
  }

  private synchronized void send(List<String> strings) throws IOException {
    if (process == null || !process.isAlive()) {
      launch();
    }
    int length = 0;
    List<byte[]> parts = new ArrayList<>(strings.size());
    for (String s : strings) {
      if (s.indexOf('\0') >= 0) {
        throw new IOException("an argument or variable holds a NUL character: " + s);
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      parts.add(b);
      length += b.length + 1;
    }
    requests.writeInt(length);
    for (byte[] b : parts) {
      requests.write(b);
      requests.write(0);
    }
    requests.flush();
  }

  private void launch() throws IOException {
    Process p =
        new ProcessBuilder(exec.toString(), "--serve")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    process = p;
    requests = new DataOutputStream(new BufferedOutputStream(p.getOutputStream(), 1 << 16));
    DaemonThreads.named("hg-sandbox-launcher").newThread(() -> readAnswers(p)).start();
    log.debug("started {} --serve (pid {})", exec, p.pid());
  }

  private void readAnswers(Process p) {
    IOException end;
    try (InputStream in = p.getInputStream();
        DataInputStream answers = new DataInputStream(in)) {
      for (; ; ) {
        int length = answers.readInt();
        byte[] frame = answers.readNBytes(length);
        if (frame.length != length) {
          throw new EOFException("a frame cut short");
        }
        answer(new String(frame, StandardCharsets.UTF_8).split("\0"));
      }
    } catch (IOException e) {
      end = e;
    }
    // Every command it started was killed with it (they die with their parent).
    String why =
        "hg-sandbox-exec --serve stopped"
            + (end instanceof EOFException ? "" : ": " + end.getMessage())
            + "; it is started again for the next command";
    log.warn(why);
    p.destroyForcibly(); // when it is this side that gave up on it
    synchronized (this) {
      if (process == p) {
        process = null;
      }
    }
    for (String id : List.copyOf(pending.keySet())) {
      Pending left = pending.remove(id);
      if (left != null) {
        left.started().completeExceptionally(new IOException(why));
        left.exit().completeExceptionally(new IOException(why));
      }
    }
  }

  private void answer(String[] f) throws IOException {
    Pending p = f.length > 1 ? pending.get(f[1]) : null;
    if (p == null || f.length != 3) {
      throw new IOException("an answer the worker cannot place: " + String.join(" ", f));
    }
    switch (f[0]) {
      case "started" -> p.started().complete(Long.parseLong(f[2]));
      case "failed" -> {
        pending.remove(f[1]);
        p.started().completeExceptionally(new IOException("cannot start the sandbox: " + f[2]));
      }
      case "exit" -> {
        pending.remove(f[1]);
        p.exit().complete(Integer.parseInt(f[2]));
      }
      default -> throw new IOException("an unknown answer: " + f[0]);
    }
  }
}
