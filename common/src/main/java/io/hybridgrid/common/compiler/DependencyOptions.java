package io.hybridgrid.common.compiler;

import java.util.List;

/** How gcc and clang name the dependency file for {@code -MD}, {@code -MMD} and their friends. */
final class DependencyOptions {

  private DependencyOptions() {}

  /**
   * The dependency file the compiler writes for these arguments, or null when none. Follows the gcc
   * driver: {@code -MF} wins; otherwise {@code -MD}/{@code -MMD} write next to {@code -o} with the
   * suffix replaced by {@code .d}, or {@code <source basename>.d} in the working directory. The
   * {@code -Wp,-MD,FILE} form (used by Linux kernel style builds) names the file itself.
   */
  static String dependencyFile(List<Arg> args, String source, String explicitOutput) {
    boolean driverDeps = false;
    String mf = null;
    String wpFile = null;
    for (Arg arg : args) {
      if (arg.is("-MD") || arg.is("-MMD")) {
        driverDeps = true;
      } else if (arg.is("-MF")) {
        mf = arg.value();
      } else if (!arg.input() && arg.name().startsWith("-Wp,")) {
        String file = wpDependencyFile(arg.name());
        if (file != null) {
          wpFile = file;
        }
      }
    }
    if (driverDeps) {
      if (mf != null) {
        return mf;
      }
      if (explicitOutput != null) {
        return replaceOutputSuffix(explicitOutput);
      }
      return stripSuffix(baseName(source)) + ".d";
    }
    return wpFile;
  }

  /** The file in {@code -Wp,-MD,FILE} or {@code -Wp,-MMD,FILE}, or null. */
  static String wpDependencyFile(String token) {
    String[] parts = token.substring(4).split(",", -1);
    for (int i = 0; i + 1 < parts.length; i++) {
      if (parts[i].equals("-MD") || parts[i].equals("-MMD")) {
        return parts[i + 1];
      }
    }
    return null;
  }

  /**
   * A {@code -Wp,} token without its dependency options ({@code -MD FILE}, {@code -MMD FILE},
   * {@code -MF FILE}, {@code -MT T}, {@code -MQ T}, {@code -MP}, {@code -MG}), or null when nothing
   * else is left.
   */
  static String withoutWpDependencies(String token) {
    String[] parts = token.substring(4).split(",", -1);
    List<String> kept = new java.util.ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.equals("-MD")
          || p.equals("-MMD")
          || p.equals("-MF")
          || p.equals("-MT")
          || p.equals("-MQ")) {
        i++;
      } else if (!(p.equals("-MP") || p.equals("-MG"))) {
        kept.add(p);
      }
    }
    return kept.isEmpty() ? null : "-Wp," + String.join(",", kept);
  }

  /** Whether every part of a {@code -Wp,} token is a dependency option. */
  static boolean wpOnlyDependencies(String token) {
    String[] parts = token.substring(4).split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.equals("-MD")
          || p.equals("-MMD")
          || p.equals("-MF")
          || p.equals("-MT")
          || p.equals("-MQ")) {
        i++; // skip the file or target
      } else if (!(p.equals("-MP") || p.equals("-MG"))) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code -o FILE} with its suffix replaced by {@code .d}, as the gcc driver's {@code %.d%*} does:
   * the suffix starts at the last dot of the last path component, even a leading one ({@code -o
   * .hidden} gives {@code .d}).
   */
  private static String replaceOutputSuffix(String output) {
    int dot = output.lastIndexOf('.');
    int slash = output.lastIndexOf('/');
    return (dot > slash ? output.substring(0, dot) : output) + ".d";
  }

  static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /** {@code dir/name.ext} to {@code dir/name}; a name without a suffix is unchanged. */
  static String stripSuffix(String path) {
    int dot = path.lastIndexOf('.');
    int slash = path.lastIndexOf('/');
    return dot > slash + 1 ? path.substring(0, dot) : path;
  }
}
