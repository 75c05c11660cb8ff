package io.hybridgrid.coord.cache;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.Language;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes the cache key of a compile from the task the coordinator received, never from anything a
 * client says about the key.
 *
 * <p>SHA-256 over, in order and each length-prefixed so no two field sequences encode alike: a
 * format tag, the compiler identity (family, full version, target triple, C++ driver), the
 * language, every argument in order, the source path as written, the client's working directory
 * when the output can depend on it (see {@link #dependsOnWorkingDirectory}), the environment
 * entries sorted by name, and the preprocessed unit's bytes.
 */
public final class CompileKey {
  /** Changes whenever the key's contents or the worker's output format change. */
  static final String FORMAT = "hybridgrid-coord-cache-v1";

  private CompileKey() {}

  /**
   * The key of one compile.
   *
   * @param preprocessed the unit's bytes (read from its position to its limit, not consumed)
   */
  public static CacheKey of(
      CompilerIdentity compiler,
      Language language,
      List<String> args,
      String sourcePath,
      String clientCwd,
      ByteBuffer preprocessed,
      Map<String, String> env) {
    MessageDigest sha = sha256();
    string(sha, FORMAT);
    string(sha, compiler.family());
    string(sha, compiler.version());
    string(sha, compiler.target());
    string(sha, compiler.cxxDriver() ? "c++" : "c");
    string(sha, language.name());
    number(sha, args.size());
    for (String a : args) {
      string(sha, a);
    }
    string(sha, sourcePath);
    string(sha, dependsOnWorkingDirectory(args) ? clientCwd : "");
    Map<String, String> sorted = new TreeMap<>(env);
    number(sha, sorted.size());
    sorted.forEach(
        (k, v) -> {
          string(sha, k);
          string(sha, v);
        });
    ByteBuffer unit = preprocessed.duplicate();
    number(sha, unit.remaining());
    sha.update(unit);
    return CacheKey.of(sha.digest());
  }

  /**
   * Whether the object can depend on the client's working directory: with debug info ({@code -g} in
   * any form but {@code -g0}) it records {@code DW_AT_comp_dir}; profiling and coverage record
   * paths too. Without those, the object names only the source path as written, which is keyed
   * anyway, so the same unit compiled in two checkouts shares one entry.
   */
  public static boolean dependsOnWorkingDirectory(List<String> args) {
    for (String a : args) {
      if ((a.startsWith("-g") && !a.equals("-g0"))
          || a.startsWith("-fprofile")
          || a.startsWith("-ftest-coverage")
          || a.equals("--coverage")
          || a.startsWith("-fdebug-")) {
        return true;
      }
    }
    return false;
  }

  private static void string(MessageDigest sha, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    number(sha, b.length);
    sha.update(b);
  }

  private static void number(MessageDigest sha, long n) {
    for (int i = 56; i >= 0; i -= 8) {
      sha.update((byte) (n >>> i));
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
