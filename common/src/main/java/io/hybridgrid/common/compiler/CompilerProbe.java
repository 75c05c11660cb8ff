package io.hybridgrid.common.compiler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a compiler's identity by running {@code <compiler> -v}, which gcc and clang both answer.
 */
public final class CompilerProbe {

  private CompilerProbe() {}

  /**
   * Probes {@code executable}.
   *
   * @return the identity, or empty when it is not a gcc or clang driver or does not answer
   */
  public static Optional<CompilerIdentity> probe(Path executable) {
    String out;
    try {
      Process p =
          new ProcessBuilder(List.of(executable.toString(), "-v"))
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] bytes;
      try (InputStream in = p.getInputStream()) {
        bytes = in.readAllBytes();
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      out = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    String name = executable.getFileName().toString();
    return parse(out, isCxxDriverName(resolvedName(executable, name)));
  }

  /** Parses the output of {@code -v}; visible for tests. */
  static Optional<CompilerIdentity> parse(String verbose, boolean cxxDriver) {
    String target = null;
    String version = null;
    String family = null;
    for (String line : verbose.split("\n")) {
      String l = line.strip();
      if (l.startsWith("Target: ")) {
        target = l.substring("Target: ".length()).strip();
      } else if (l.startsWith("gcc version ")) {
        family = "gcc";
        version = l.substring("gcc version ".length()).strip();
      } else if (l.contains("clang version ")) {
        family = "clang";
        version = l.substring(l.indexOf("clang version ") + "clang version ".length()).strip();
      }
    }
    if (family == null || target == null || version.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new CompilerIdentity(family, version, target, cxxDriver));
  }

  /** Whether a driver name is a C++ driver: g++, c++, clang++, x86_64-linux-gnu-g++-12 ... */
  public static boolean isCxxDriverName(String name) {
    return name.contains("++");
  }

  /**
   * The file name after following symlinks, so that {@code cc -> gcc} and {@code c++ -> g++} are
   * told apart by what they really run; the given name when resolution fails.
   */
  private static String resolvedName(Path executable, String fallback) {
    try {
      if (fallback.contains("++")) {
        return fallback;
      }
      return Files.exists(executable) ? executable.toRealPath().getFileName().toString() : fallback;
    } catch (IOException e) {
      return fallback;
    }
  }
}
