package io.hybridgrid.cli.compile;

import io.hybridgrid.common.compiler.Arg;
import io.hybridgrid.common.compiler.CompileInvocation;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Renames the target of a cached dependency file when a hit writes the object somewhere else, as
 * ccache does. Only the compiler's default target (the object path, make-quoted) is renamed;
 * targets the user chose with {@code -MT}/{@code -MQ} are part of the cache key and stay.
 */
final class DependencyTargets {
  private DependencyTargets() {}

  /** Whether the user named the dependency target, so it does not follow the object path. */
  static boolean userTarget(CompileInvocation inv) {
    for (Arg arg : inv.args()) {
      if (arg.is("-MT") || arg.is("-MQ")) {
        return true;
      }
      if (!arg.input() && arg.name().startsWith("-Wp,")) {
        for (String part : arg.name().substring(4).split(",")) {
          if (part.equals("-MT") || part.equals("-MQ")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * {@code deps} with the target {@code oldObject} renamed to {@code newObject}; empty when the
   * file does not start with the old target (it cannot be trusted for the new path).
   */
  static Optional<byte[]> rewrite(byte[] deps, String oldObject, String newObject) {
    if (oldObject.equals(newObject)) {
      return Optional.of(deps);
    }
    byte[] old = (quote(oldObject) + ":").getBytes(StandardCharsets.UTF_8);
    if (deps.length < old.length) {
      return Optional.empty();
    }
    for (int i = 0; i < old.length; i++) {
      if (deps[i] != old[i]) {
        return Optional.empty();
      }
    }
    byte[] fresh = (quote(newObject) + ":").getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[deps.length - old.length + fresh.length];
    System.arraycopy(fresh, 0, out, 0, fresh.length);
    System.arraycopy(deps, old.length, out, fresh.length, deps.length - old.length);
    return Optional.of(out);
  }

  /** A target quoted for make, the way gcc quotes the object name ({@code -MQ}). */
  static String quote(String target) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      switch (c) {
        case ' ', '\t' -> {
          for (int j = i - 1; j >= 0 && target.charAt(j) == '\\'; j--) {
            sb.append('\\');
          }
          sb.append('\\').append(c);
        }
        case '$' -> sb.append("$$");
        case '#' -> sb.append("\\#");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
