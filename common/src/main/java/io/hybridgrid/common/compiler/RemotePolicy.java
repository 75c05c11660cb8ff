package io.hybridgrid.common.compiler;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which compile arguments may be sent to, and run on, a worker.
 *
 * <p>A worker runs compilers for anyone holding a client token, so it refuses every argument that
 * reads or writes a file of the worker's choosing, loads code, or replaces the compiler's own
 * pipeline (the class of hole behind distcc's CVE-2004-2687). The worker itself adds {@code -c},
 * {@code -o} and {@code -x}. The client consults the same policy and compiles such invocations
 * locally instead of sending them.
 */
public final class RemotePolicy {

  /** Options (by parsed name) that never reach a worker. */
  private static final Set<String> FORBIDDEN_OPTIONS =
      Set.of(
          "-o",
          "-x",
          "-I",
          "-L",
          "-l",
          "-B",
          "-T",
          "-include",
          "-imacros",
          "-include-pch",
          "-isystem",
          "-idirafter",
          "-iquote",
          "-iprefix",
          "-iwithprefix",
          "-iwithprefixbefore",
          "-isysroot",
          "-imultilib",
          "-imultiarch",
          "-iframework",
          "-ivfsoverlay",
          "--sysroot",
          "-specs",
          "--config",
          "--serialize-diagnostics",
          "-wrapper",
          "-Xlinker",
          "-Xassembler",
          "-Xpreprocessor",
          "-Xclang",
          "-Xanalyzer",
          "-mllvm",
          "-aux-info",
          "-serialize-diagnostics",
          "-gcc-toolchain",
          "-MF",
          "-MT",
          "-MQ",
          "-MJ",
          "-dumpbase",
          "-dumpdir",
          "-dumpbase-ext");

  /** Long options without a short spelling that may run on a worker. */
  private static final Set<String> ALLOWED_LONG = Set.of("--param");

  /** Flags (whole token) that never reach a worker. */
  private static final Set<String> FORBIDDEN_FLAGS =
      Set.of(
          "-c",
          "-E",
          "-S",
          "-M",
          "-MM",
          "-MD",
          "-MMD",
          "-MP",
          "-MG",
          "-nostdinc",
          "-nostdinc++",
          "--coverage",
          "-ftest-coverage",
          "-fprofile-arcs",
          "-fstack-usage",
          "-fcompare-debug",
          "-fsave-optimization-record",
          "-ftime-trace",
          "-fcallgraph-info",
          "-pipe",
          // Writes no object: a worker would look broken for the client's choice.
          "-fsyntax-only",
          "-###");

  /** Token prefixes that never reach a worker, with the reason shown to the user. */
  private static final List<String[]> FORBIDDEN_PREFIXES =
      List.of(
          new String[] {"@", "reads a response file"},
          new String[] {"-fplugin", "loads a compiler plugin"},
          new String[] {"-specs", "reads a specs file"},
          new String[] {"-save-temps", "writes intermediate files"},
          new String[] {"-fdump-", "writes compiler dump files"},
          new String[] {"-fprofile-", "reads or writes profile files"},
          new String[] {"-fauto-profile", "reads a profile file"},
          new String[] {"-fcallgraph-info", "writes call-graph files"},
          new String[] {"-fsanitize-blacklist", "reads a sanitizer list file"},
          new String[] {"-fsanitize-ignorelist", "reads a sanitizer list file"},
          new String[] {"-fsanitize-coverage-allowlist", "reads a sanitizer list file"},
          new String[] {"-fsanitize-coverage-ignorelist", "reads a sanitizer list file"},
          new String[] {"-fcoverage-", "writes coverage files"},
          new String[] {"-fmodule", "uses module files"},
          new String[] {"-fprebuilt-module-path", "uses module files"},
          new String[] {"-fcrash-diagnostics", "writes crash reports"},
          new String[] {"-foptimization-record-file", "writes an optimization record"},
          new String[] {"-fdiagnostics-format=sarif-file", "writes a diagnostics file"},
          new String[] {"-print-", "queries the compiler installation"},
          new String[] {"--config", "reads a compiler config file"},
          new String[] {"-Wl,", "passes options to the linker"},
          new String[] {"-fuse-ld", "selects a linker"});

  /** Assembler options (after {@code -Wa,}) that are known to only change code generation. */
  private static final List<String> SAFE_ASSEMBLER_PREFIXES =
      List.of(
          "--noexecstack",
          "--execstack",
          "--gdwarf",
          "-gdwarf",
          "--64",
          "--32",
          "--x32",
          "-mrelax-relocations=",
          "-mx86-used-note=",
          "-mbranches-within-32B-boundaries",
          "-march=",
          "-mcpu=",
          "-mfpu=",
          "-mfloat-abi=",
          "-mabi=",
          "-mno-",
          "--strip-local-absolute",
          "-W",
          "--fatal-warnings",
          "--nocompress-debug-sections",
          "--compress-debug-sections");

  private RemotePolicy() {}

  /** Why {@code arg} may not run on a worker, or empty when it may. */
  public static Optional<String> forbiddenReason(Arg arg) {
    if (arg.input()) {
      return Optional.of("input file '" + arg.name() + "' in the argument list");
    }
    if (arg.abbreviated()) {
      return Optional.of(
          String.join(" ", arg.tokens())
              + " abbreviates a long option: write the option out in full to use the grid");
    }
    // The canonical spelling: aliases (--prefix=/x is -B/x, --for-assembler=-a is -Wa,-a) are
    // judged as the option they stand for.
    String token = arg.text();
    if (arg.is("-specs")) {
      return Optional.of(String.join(" ", arg.tokens()) + " reads a specs file");
    }
    if (arg.is("--config")) {
      return Optional.of(String.join(" ", arg.tokens()) + " reads a compiler config file");
    }
    if (FORBIDDEN_OPTIONS.contains(arg.name())) {
      return Optional.of(written(arg) + " names files or programs the worker must not use");
    }
    if (FORBIDDEN_FLAGS.contains(token)) {
      return Optional.of(token + " is set by hgbuild or writes extra files");
    }
    for (String[] prefix : FORBIDDEN_PREFIXES) {
      if (token.startsWith(prefix[0])) {
        return Optional.of(written(arg) + " " + prefix[1]);
      }
    }
    if (token.startsWith("-fopt-info") && token.contains("=")) {
      return Optional.of(token + " writes an optimization report file");
    }
    if (token.startsWith("-d") && token.length() > 2 && !token.startsWith("-dump")) {
      return Optional.of(token + " writes compiler dump files");
    }
    if (token.startsWith("-Wp,")) {
      return checkPreprocessorPassThrough(token);
    }
    if (token.startsWith("-Wa,")) {
      return checkAssemblerPassThrough(token);
    }
    if (token.startsWith("--")
        && !ALLOWED_LONG.contains(arg.name())
        && !token.startsWith("--target=")) {
      return Optional.of(token + " is a long option the grid does not run");
    }
    return Optional.empty();
  }

  /** A long alias as written with the option it stands for; otherwise the option's name. */
  private static String written(Arg arg) {
    if (!arg.tokens().get(0).startsWith("--")) {
      return arg.name();
    }
    return String.join(" ", arg.tokens())
        + " ("
        + arg.name()
        + (arg.value() == null ? "" : " " + arg.value())
        + ")";
  }

  /** The first forbidden argument's reason, or empty when all may run on a worker. */
  public static Optional<String> firstForbidden(List<Arg> args) {
    for (Arg arg : args) {
      Optional<String> reason = forbiddenReason(arg);
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> checkPreprocessorPassThrough(String token) {
    for (String part : token.substring(4).split(",", -1)) {
      if (!(part.startsWith("-D") || part.startsWith("-U"))) {
        return Optional.of(token + " passes '" + part + "' to the preprocessor");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> checkAssemblerPassThrough(String token) {
    for (String part : token.substring(4).split(",", -1)) {
      boolean safe = SAFE_ASSEMBLER_PREFIXES.stream().anyMatch(part::startsWith);
      if (!safe) {
        return Optional.of(token + " passes '" + part + "' to the assembler");
      }
    }
    return Optional.empty();
  }
}
