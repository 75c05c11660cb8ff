package io.hybridgrid.worker.action;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * Finds {@code hg-sandbox-exec}, the native host side of a sandboxed command (src/main/c): in a
 * distribution {@code libexec/} beside the {@code lib/} holding this class's jar; in a build {@code
 * target/libexec/} beside {@code target/classes}. The system property {@value #PROPERTY} names
 * another file. Without it the worker starts bubblewrap through {@code sh}, {@code prlimit} and
 * {@code setpriv}, which do the same in three more process images.
 */
public final class SandboxExec {
  /** Overrides where the helper is looked for. */
  public static final String PROPERTY = "hg.sandbox.exec";

  static final String NAME = "hg-sandbox-exec";

  private SandboxExec() {}

  /** The helper, when it is there and executable. */
  public static Optional<Path> locate() {
    String named = System.getProperty(PROPERTY);
    if (named != null && !named.isBlank()) {
      return executable(Path.of(named));
    }
    CodeSource source = SandboxExec.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    Path from;
    try {
      from = Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
    // A jar in dist/lib: dist/libexec. A jar or the classes directory in target/: target/libexec.
    Path dir = Files.isDirectory(from) ? from : from.getParent();
    if (dir == null || dir.getParent() == null) {
      return Optional.empty();
    }
    Path inDistribution = dir.getParent().resolve("libexec").resolve(NAME);
    return Files.isDirectory(from)
        ? executable(inDistribution)
        : executable(inDistribution).or(() -> executable(dir.resolve("libexec").resolve(NAME)));
  }

  private static Optional<Path> executable(Path p) {
    return Files.isRegularFile(p) && Files.isExecutable(p)
        ? Optional.of(p.toAbsolutePath())
        : Optional.empty();
  }
}
