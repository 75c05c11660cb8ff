package io.hybridgrid.common.compiler;

import java.util.List;
import java.util.Optional;

/**
 * Decides whether a compiler invocation can run on the grid.
 *
 * <p>Only a compile of exactly one C, C++ or Objective-C source with {@code -c} is distributed.
 * Everything else (linking, {@code -E}, {@code -S}, {@code -M}, several sources, assembler,
 * configure probes, options whose result depends on this machine or that read or write files an
 * action does not carry, see {@link ActionPolicy}) runs locally, with a reason the user can see
 * under {@code hgbuild -v}. The worker replays the exact command over the client's files, so macro
 * debug info ({@code -g3}), split DWARF, recorded command lines and clang's debug info are
 * distributed.
 */
public final class ArgumentClassifier {

  private ArgumentClassifier() {}

  /** Classifies {@code tokens}, the arguments after the compiler name. */
  public static CompileInvocation classify(List<String> tokens) {
    List<Arg> args = ArgParser.parse(tokens);
    Scan scan = new Scan(args);
    String object = scan.output != null ? scan.output : defaultObject(scan.source);
    String depFile =
        scan.source == null
            ? null
            : DependencyOptions.dependencyFile(args, scan.source, scan.output);
    Optional<String> reason = scan.localReason();
    if (reason.isEmpty()) {
      reason = ActionPolicy.firstLocalReason(args);
    }
    return new CompileInvocation(
        args, reason, scan.source, scan.language, object, scan.output != null, depFile);
  }

  private static String defaultObject(String source) {
    if (source == null) {
      return null;
    }
    return DependencyOptions.stripSuffix(DependencyOptions.baseName(source)) + ".o";
  }

  /** One pass over the arguments, collecting what the decision needs. */
  private static final class Scan {
    boolean compileOnly;
    boolean preprocessOnly;
    boolean assemblyOnly;
    boolean syntaxOnly;
    boolean depsOnly;
    boolean driverDeps;
    boolean stdin;
    String output;
    String source;
    Language language = Language.OTHER;
    int sources;
    int otherInputs;
    String responseFile;
    String special;

    Scan(List<Arg> args) {
      Language forced = null;
      for (Arg arg : args) {
        if (arg.input()) {
          onInput(arg.name(), forced);
          continue;
        }
        String t = arg.text();
        switch (arg.name()) {
          case "-c" -> compileOnly = true;
          case "-E" -> preprocessOnly = true;
          case "-S" -> assemblyOnly = true;
          case "-fsyntax-only" -> syntaxOnly = true;
          case "-M", "-MM" -> depsOnly = true;
          case "-MD", "-MMD" -> driverDeps = true;
          case "-o" -> output = arg.value();
          case "-x" ->
              forced = arg.value() == null ? null : Language.fromXName(arg.value()).orElse(null);
          default -> {
            if (t.startsWith("@")) {
              responseFile = t;
            } else if (special == null) {
              special = specialReason(arg);
            }
          }
        }
      }
    }

    private void onInput(String name, Language forced) {
      if (name.equals("-")) {
        stdin = true;
        sources++;
        return;
      }
      Optional<Language> lang = forced != null ? Optional.of(forced) : Language.fromFileName(name);
      if (lang.isEmpty()) {
        otherInputs++;
        return;
      }
      sources++;
      if (source == null) {
        source = name;
        language = lang.get();
      }
    }

    Optional<String> localReason() {
      if (responseFile != null) {
        return Optional.of("response file " + responseFile);
      }
      if (preprocessOnly) {
        return Optional.of("preprocess only (-E)");
      }
      if (depsOnly && !driverDeps) {
        return Optional.of("dependency generation only (-M)");
      }
      if (syntaxOnly) {
        return Optional.of("syntax check only (-fsyntax-only)");
      }
      if (assemblyOnly) {
        return Optional.of("assembly output (-S)");
      }
      if (sources == 0 && otherInputs == 0) {
        return Optional.of("no input files");
      }
      if (!compileOnly) {
        return Optional.of("link step");
      }
      if (depsOnly) {
        return Optional.of("dependency generation only (-M)");
      }
      if (sources > 1) {
        return Optional.of(sources + " source files in one command");
      }
      if (sources == 0) {
        return Optional.of("no source file (only linker inputs)");
      }
      if (otherInputs > 0) {
        return Optional.of("linker inputs given with -c");
      }
      if (stdin) {
        return Optional.of("source read from stdin");
      }
      if (!language.distributable()) {
        return Optional.of(languageReason(language));
      }
      if ("-".equals(output)) {
        return Optional.of("object written to stdout (-o -)");
      }
      if ("/dev/null".equals(output)) {
        return Optional.of("probe compile (-o /dev/null)");
      }
      String probe = probeReason(source, output);
      if (probe != null) {
        return Optional.of(probe);
      }
      return Optional.ofNullable(special);
    }

    private static String languageReason(Language language) {
      return switch (language) {
        case C_HEADER, CXX_HEADER -> "precompiled header";
        case ASSEMBLER, ASSEMBLER_WITH_CPP -> "assembler source";
        case PREPROCESSED_C, PREPROCESSED_CXX -> "already preprocessed input";
        default -> "language not supported on the grid";
      };
    }

    /** Compiles that build systems run to probe the compiler: fast, and pointless to ship. */
    private static String probeReason(String source, String output) {
      String base = DependencyOptions.baseName(source);
      if (base.startsWith("conftest") || (output != null && output.endsWith("conftest.o"))) {
        return "configure probe";
      }
      if (source.contains("CMakeFiles/CMakeScratch/")
          || source.contains("CMakeFiles/CMakeTmp/")
          || base.startsWith("CMakeCCompilerId")
          || base.startsWith("CMakeCXXCompilerId")
          || base.startsWith("CMakeCCompilerABI")
          || base.startsWith("CMakeCXXCompilerABI")) {
        return "CMake probe";
      }
      if (source.contains("meson-private/") || base.startsWith("sanitycheck")) {
        return "meson probe";
      }
      return null;
    }

    /** Options that make a compile depend on this machine or write files beside the object. */
    private static String specialReason(Arg arg) {
      String t = arg.text();
      if (t.equals("-march=native") || t.equals("-mcpu=native") || t.equals("-mtune=native")) {
        return t + " depends on this machine's CPU";
      }
      if (t.startsWith("-flto")) {
        return "LTO objects record compiler options (" + t + ")";
      }
      if (t.startsWith("-fprofile-")
          || t.equals("--coverage")
          || t.equals("-ftest-coverage")
          || t.startsWith("-fauto-profile")) {
        return "profiling or coverage (" + t + ")";
      }
      if (arg.is("-include-pch") || t.equals("-fpch-preprocess")) {
        return "precompiled headers";
      }
      if (arg.is("-Xclang")) {
        return "front-end option (-Xclang " + arg.value() + ")";
      }
      return null;
    }
  }
}
