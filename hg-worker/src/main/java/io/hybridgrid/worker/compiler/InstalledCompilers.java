package io.hybridgrid.worker.compiler;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerLocator;
import io.hybridgrid.common.compiler.CompilerProbe;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compilers this worker found on its own PATH. A task names an identity; the worker runs the
 * executable it registered for that identity and never a path from the wire.
 */
public final class InstalledCompilers {
  private static final Logger log = LoggerFactory.getLogger(InstalledCompilers.class);

  /**
   * gcc, g++, cc, c++, clang, clang++, versioned (gcc-12, clang-14) and cross
   * (aarch64-linux-gnu-gcc).
   */
  private static final Pattern NAME =
      Pattern.compile(
          "^(?:[A-Za-z0-9_]+(?:-[A-Za-z0-9_.]+)*-)?(?:gcc|g\\+\\+|clang|clang\\+\\+|cc|c\\+\\+)(?:-\\d+(?:\\.\\d+)*)?$");

  /** Debian's POSIX wrappers: scripts that run gcc with extra flags, not drivers of their own. */
  private static final Set<String> WRAPPER_SCRIPTS = Set.of("c89-gcc", "c99-gcc", "c89", "c99");

  private static final Set<String> PLAIN = Set.of("gcc", "g++", "clang", "clang++", "cc", "c++");

  private final Map<CompilerIdentity, Path> byIdentity;

  public InstalledCompilers(Map<CompilerIdentity, Path> byIdentity) {
    this.byIdentity = Map.copyOf(byIdentity);
  }

  /** Scans every directory of {@code searchPath} for gcc and clang drivers and probes each. */
  public static InstalledCompilers detect(String searchPath) {
    return detect(searchPath, CompilerFilter.ALL);
  }

  /**
   * Scans every directory of {@code searchPath} for gcc and clang drivers whose file name {@code
   * filter} accepts, and probes each.
   */
  public static InstalledCompilers detect(String searchPath, CompilerFilter filter) {
    Map<CompilerIdentity, Path> found = new LinkedHashMap<>();
    Set<String> seenReal = new HashSet<>();
    for (String dir : searchPath == null ? new String[0] : searchPath.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path d = Path.of(dir);
      if (!Files.isDirectory(d)) {
        continue;
      }
      List<Path> candidates = new ArrayList<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
        for (Path p : files) {
          String name = p.getFileName().toString();
          if (NAME.matcher(name).matches()
              && !WRAPPER_SCRIPTS.contains(name)
              && filter.accepts(name)
              && Files.isExecutable(p)) {
            candidates.add(p);
          }
        }
      } catch (IOException e) {
        log.debug("cannot list {}: {}", d, e.toString());
        continue;
      }
      // Plain driver names first, so that an identity maps to gcc rather than to an alias of it.
      candidates.sort(
          java.util.Comparator.comparing((Path p) -> !PLAIN.contains(p.getFileName().toString()))
              .thenComparing(p -> p.getFileName().toString()));
      for (Path p : candidates) {
        String key;
        try {
          // One probe per real executable and driver kind (cc -> gcc, but g++ differs from gcc).
          key =
              p.toRealPath()
                  + (CompilerProbe.isCxxDriverName(p.getFileName().toString()) ? "++" : "");
        } catch (IOException e) {
          continue;
        }
        if (!seenReal.add(key)) {
          continue;
        }
        Optional<CompilerIdentity> id = CompilerProbe.probe(p);
        if (id.isPresent() && !CompilerLocator.isWrapper(p)) {
          found.putIfAbsent(id.get(), p);
        }
      }
    }
    return new InstalledCompilers(found);
  }

  /** The executable registered for {@code identity}. */
  public Optional<Path> find(CompilerIdentity identity) {
    return Optional.ofNullable(byIdentity.get(identity));
  }

  /** Every identity this worker can serve. */
  public Set<CompilerIdentity> identities() {
    return byIdentity.keySet();
  }

  /** Identity and executable, for logs. */
  public Map<CompilerIdentity, Path> all() {
    return byIdentity;
  }
}
