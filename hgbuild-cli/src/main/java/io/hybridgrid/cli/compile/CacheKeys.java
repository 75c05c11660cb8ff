package io.hybridgrid.cli.compile;

import io.hybridgrid.cli.cache.Hash128;
import io.hybridgrid.cli.cache.KeyBuilder;
import io.hybridgrid.common.compiler.Arg;
import io.hybridgrid.common.compiler.CompileInvocation;
import io.hybridgrid.common.compiler.CompilerIdentity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * The cache keys of a compile (see docs/design.md, "Local cache"). Both keys cover the compiler
 * (resolved path, real path, size, modification time, family, version, target, driver kind), the
 * language, every argument except the {@code -o} and {@code -MF} files, and the environment
 * variables that change the compiler's output. The direct key adds the working directory and the
 * main source's content; the depend key adds every file the dependency scan named (path and
 * content), the working directory, and stand-ins for the time macros those files use.
 */
final class CacheKeys {

  /** The variables that change what the compiler reads or prints, as ccache hashes them. */
  static final List<String> HASHED_ENV =
      List.of(
          "LANG",
          "LC_ALL",
          "LC_CTYPE",
          "LC_MESSAGES",
          "COLUMNS",
          "CPATH",
          "C_INCLUDE_PATH",
          "CPLUS_INCLUDE_PATH",
          "OBJC_INCLUDE_PATH",
          "OBJCPLUS_INCLUDE_PATH",
          "GCC_COLORS",
          "GCC_URLS",
          "TERM_URLS",
          "GCC_EXEC_PREFIX",
          "COMPILER_PATH",
          "DEPENDENCIES_OUTPUT",
          "SUNPRO_DEPENDENCIES");

  private static final String VERSION = "hgbuild-cache-1";

  private CacheKeys() {}

  /** The direct-mode (manifest) key: no preprocessing needed to compute it. */
  static Hash128 direct(
      CompilerProbes.Probed compiler,
      CompileInvocation inv,
      Map<String, String> env,
      Path cwd,
      Hash128 source) {
    return common("direct", compiler, inv, env)
        .put("cwd", cwd.toString())
        .put("source", source)
        .build();
  }

  /**
   * The result key, from the files the dependency scan named: each by path as the compiler spelled
   * it (they can end up in {@code __FILE__} and debug info) and by content. Covers the working
   * directory always (relative paths resolve against it).
   *
   * @param timeStamp the value standing in for {@code __DATE__}/{@code __TIME__}, or null
   * @param fileTimes the files' modification times standing in for {@code __TIMESTAMP__}, or null
   */
  static Hash128 depend(
      CompilerProbes.Probed compiler,
      CompileInvocation inv,
      Map<String, String> env,
      Path cwd,
      List<String> files,
      List<Hash128> contents,
      String timeStamp,
      String fileTimes) {
    KeyBuilder k = common("depend", compiler, inv, env).put("cwd", cwd.toString());
    k.put("files", files.size());
    for (int i = 0; i < files.size(); i++) {
      k.put("file", files.get(i)).put("content", contents.get(i));
    }
    if (timeStamp != null) {
      k.put("time", timeStamp);
    }
    if (fileTimes != null) {
      k.put("file-times", fileTimes);
    }
    return k.build();
  }

  private static KeyBuilder common(
      String mode, CompilerProbes.Probed compiler, CompileInvocation inv, Map<String, String> env) {
    CompilerIdentity id = compiler.identity();
    KeyBuilder k =
        new KeyBuilder()
            .put("version", VERSION)
            .put("mode", mode)
            .put("compiler", compiler.path().toString())
            .put("compiler-real", compiler.realPath().toString())
            .put("compiler-size", compiler.size())
            .put("compiler-mtime", compiler.mtimeNanos())
            .put("family", id.family())
            .put("compiler-version", id.version())
            .put("target", id.target())
            .put("cxx-driver", id.cxxDriver() ? 1 : 0)
            .put("language", inv.language().name());
    List<String> args = keyArgs(inv);
    k.put("argc", args.size());
    for (String a : args) {
      k.put("arg", a);
    }
    for (String name : HASHED_ENV) {
      k.put("env " + name, env.get(name));
    }
    return k;
  }

  /**
   * The arguments as tokens, without the {@code -o} and {@code -MF} files (and the file of {@code
   * -Wp,-MD,FILE}): where the outputs go does not change what they contain, except the dependency
   * file's target, which a hit rewrites.
   */
  static List<String> keyArgs(CompileInvocation inv) {
    List<String> out = new java.util.ArrayList<>();
    for (Arg arg : inv.args()) {
      if (arg.is("-o") || arg.is("-MF")) {
        out.add(arg.name());
        continue;
      }
      if (!arg.input() && arg.name().startsWith("-Wp,")) {
        String[] parts = arg.name().substring(4).split(",", -1);
        for (int i = 0; i + 1 < parts.length; i++) {
          if (parts[i].equals("-MD") || parts[i].equals("-MMD") || parts[i].equals("-MF")) {
            parts[i + 1] = "";
          }
        }
        out.add("-Wp," + String.join(",", parts));
        continue;
      }
      out.addAll(arg.tokens());
    }
    return out;
  }

  /**
   * What {@code __DATE__} and {@code __TIME__} expand to is fixed by {@code SOURCE_DATE_EPOCH} when
   * set; otherwise {@code __DATE__} is today's date where the client is ({@code TZ}).
   */
  static String timeStamp(Map<String, String> env, Clock clock) {
    String sde = env.get("SOURCE_DATE_EPOCH");
    if (sde != null && !sde.isBlank()) {
      return "epoch " + sde.strip();
    }
    ZoneId zone = ZoneId.systemDefault();
    String tz = env.get("TZ");
    if (tz != null && !tz.isBlank()) {
      try {
        zone = ZoneId.of(tz.startsWith(":") ? tz.substring(1) : tz);
      } catch (DateTimeException e) {
        // a POSIX TZ rule Java cannot read: key on the raw value as well
        return "date " + LocalDate.now(clock.withZone(zone)) + " TZ=" + tz;
      }
    }
    return "date " + LocalDate.now(clock.withZone(zone));
  }

  /** Whether {@code SOURCE_DATE_EPOCH} fixes {@code __TIME__}. */
  static boolean epochSet(Map<String, String> env) {
    String sde = env.get("SOURCE_DATE_EPOCH");
    return sde != null && !sde.isBlank();
  }
}
