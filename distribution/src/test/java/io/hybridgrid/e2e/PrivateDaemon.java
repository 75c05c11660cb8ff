package io.hybridgrid.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A daemon socket, cache and log of a test's own (never the user's), with a short idle timeout as a
 * safety net; {@link #close} stops the daemon the launcher started on it.
 */
final class PrivateDaemon implements AutoCloseable {
  private final Path dist;
  final Path dir;

  PrivateDaemon(Path dist) throws IOException {
    this.dist = dist;
    // Short, private (0700) and outside the test's build trees.
    this.dir = Files.createTempDirectory("hg-d-");
  }

  Path socket() {
    return dir.resolve("daemon.sock");
  }

  Path log() {
    return dir.resolve("daemon.log");
  }

  /** The variables that point the launcher at this daemon and cache. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HG_DAEMON_SOCKET", socket().toString());
    env.put("HG_DAEMON_IDLE_TIMEOUT", "120");
    env.put("HG_CACHE_DIR", dir.resolve("cache").toString());
    return env;
  }

  /** {@link #env} plus {@code more}. */
  Map<String, String> env(Map<String, String> more) {
    Map<String, String> env = env();
    env.putAll(more);
    return env;
  }

  /** The running daemon's pid, from its pid file. */
  Optional<Long> pid() {
    try {
      String text =
          new String(Files.readAllBytes(dir.resolve("daemon.pid")), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  String logText() throws IOException {
    return Files.exists(log()) ? Files.readString(log()) : "";
  }

  @Override
  public void close() throws IOException, InterruptedException {
    Shell.Result r =
        Shell.run(dir, env(), "'" + dist.resolve("bin/hgbuild") + "' daemon --stop 2>&1", 120);
    if (r.exitCode() != 0) {
      throw new IllegalStateException("cannot stop the test's daemon: " + r.output());
    }
    Scratch.keepOnlyLogs(dir);
  }
}
