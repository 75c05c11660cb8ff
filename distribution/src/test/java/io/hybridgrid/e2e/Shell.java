package io.hybridgrid.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a shell command for a test, bounded in time, capturing its combined output. */
final class Shell {

  /**
   * A finished command.
   *
   * @param exitCode exit status (-1 on timeout)
   * @param output stdout and stderr interleaved
   */
  record Result(int exitCode, String output) {}

  private Shell() {}

  static Result run(Path dir, Map<String, String> env, String command, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(List.of("bash", "-c", command))
            .directory(dir.toFile())
            .redirectErrorStream(true);
    // mDNS stays off in tests unless a test (in its own network namespace) says otherwise.
    pb.environment().put("HG_NO_MDNS", "1");
    pb.environment().putAll(env);
    Process p = pb.start();
    java.util.concurrent.CompletableFuture<byte[]> out =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return p.getInputStream().readAllBytes();
              } catch (IOException e) {
                return new byte[0];
              }
            });
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      return new Result(-1, "timed out after " + timeoutSeconds + " s: " + command);
    }
    return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8));
  }

  static Result run(Path dir, String command) throws IOException, InterruptedException {
    return run(dir, Map.of(), command, 600);
  }
}
