package io.hybridgrid.common.compiler;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Resolves a compiler name the way a shell would, skipping wrappers that point back at hgbuild. */
public final class CompilerLocator {

  private CompilerLocator() {}

  /**
   * Finds {@code name} (a bare name like {@code gcc} or a path) on {@code searchPath}.
   *
   * @param name the compiler as the user wrote it
   * @param searchPath the PATH value to search
   * @param cwd the directory relative paths are resolved against
   * @return the executable, or empty when none is found
   */
  public static Optional<Path> resolve(String name, String searchPath, Path cwd) {
    if (name.contains("/")) {
      Path p = cwd.resolve(name);
      return executableFile(p) ? Optional.of(p) : Optional.empty();
    }
    if (searchPath == null) {
      return Optional.empty();
    }
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        dir = ".";
      }
      Path candidate = cwd.resolve(dir).resolve(name);
      if (executableFile(candidate) && !isWrapper(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code p} is an executable that is not a directory. Through {@link File}: its checks
   * answer false for a missing file, where {@link Files#isExecutable} builds and drops an
   * exception, with its stack trace, for every PATH directory that lacks the compiler (measured on
   * the daemon's cache-hit path: a few percent of its CPU per compile).
   */
  private static boolean executableFile(Path p) {
    File f = p.toFile();
    return f.canExecute() && !f.isDirectory();
  }

  /**
   * Whether a bare command name reads as a C/C++ compiler driver: after an optional {@code -N.N}
   * version suffix it ends in {@code cc}, {@code c++}, {@code g++} or {@code clang}/{@code clang++}
   * ({@code gcc}, {@code x86_64-linux-gnu-gcc-12}, {@code clang++-14}, {@code tcc}). So a typo of a
   * subcommand or a program such as {@code echo} is not run as a compiler. The native launcher
   * applies the same rule (looks_like_compiler in hgbuild.c).
   */
  public static boolean looksLikeCompiler(String name) {
    String base = name.substring(name.lastIndexOf('/') + 1).replaceFirst("-[0-9][0-9.]*$", "");
    return base.endsWith("cc")
        || base.endsWith("c++")
        || base.endsWith("g++")
        || base.endsWith("clang")
        || base.endsWith("clang++");
  }

  /**
   * Whether {@code candidate} resolves to a compiler cache or distributor (ccache, sccache, distcc,
   * icecc) or to hgbuild itself, as in their masquerade directories: never the real compiler.
   */
  public static boolean isWrapper(Path candidate) {
    try {
      String real = candidate.toRealPath().getFileName().toString();
      return real.equals("hgbuild")
          || real.equals("ccache")
          || real.equals("sccache")
          || real.equals("distcc")
          || real.equals("icecc");
    } catch (IOException e) {
      return true;
    }
  }
}
