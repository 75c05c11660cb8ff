package io.hybridgrid.common.compiler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one table of how gcc and clang spell their options: which take a value and how (attached,
 * next token, {@code =}), and every long-option alias with the short option it stands for.
 *
 * <p>Every side reads arguments through this table (via {@link ArgParser}), so {@code --prefix=/x},
 * {@code --pref /x} and {@code -B/x} are all the option {@code -B} to the classifier, the client's
 * policy, the coordinator's check and the worker's check alike.
 *
 * <p>What gcc 12 does with long options, checked on this machine ({@code gcc -c a.c OPT}):
 *
 * <ul>
 *   <li>each driver long option has a short equivalent ({@code --prefix} is {@code -B}, {@code
 *       --for-assembler} is {@code -Wa,}, {@code --specs} is {@code -specs}); the value comes after
 *       {@code =} or as the next token;
 *   <li>an unambiguous abbreviation is accepted when the value is the next token ({@code --pref /x}
 *       is {@code -B/x}, {@code --for-as -a} is {@code -Wa,-a}, {@code --sp /x} reads a specs file)
 *       and refused with {@code =} ({@code --pref=/x}); flags abbreviate too ({@code --dep} is
 *       {@code -M});
 *   <li>any other {@code --name} is read as {@code -fname} ({@code --plugin=x.so} loads a plugin,
 *       {@code --dump-tree-all} writes dump files).
 * </ul>
 *
 * This table resolves abbreviations in both forms (a superset of what gcc accepts, which is the
 * safe direction) and records that the spelling was abbreviated, so the policy can refuse it.
 */
public final class OptionTable {

  /** How a long option's value is written and what it becomes. */
  enum LongKind {
    /** No value: the canonical spelling is a flag. */
    FLAG,
    /** A value (after {@code =} or the next token) of the canonical option with a value. */
    OPTION,
    /** A value (after {@code =} or the next token) appended to the canonical prefix: a flag. */
    JOINED_FLAG,
    /**
     * The rest of the name after the alias is appended to the canonical prefix ({@code --warn-}).
     */
    SUFFIX_FLAG
  }

  /**
   * One long spelling.
   *
   * @param spelling the long option as written, without {@code =} ({@code --prefix})
   * @param canonical the short option or flag prefix it stands for ({@code -B}, {@code -Wa,})
   * @param kind how its value is written
   * @param valueOptional whether the value may be omitted ({@code --debug}, {@code --optimize})
   */
  record LongOption(String spelling, String canonical, LongKind kind, boolean valueOptional) {}

  /**
   * One-letter options whose value is attached ({@code -Ifoo}) or the next token ({@code -I foo}).
   */
  static final Set<String> SHORT_WITH_VALUE =
      Set.of("-o", "-x", "-I", "-D", "-U", "-L", "-l", "-A", "-B", "-T", "-u", "-z", "-e", "-G");

  /** Two-letter dependency options that take a value the same way. */
  static final Set<String> DEP_WITH_VALUE = Set.of("-MF", "-MT", "-MQ", "-MJ");

  /**
   * Word options whose value is the next token, or attached to the name ({@code -isystem/usr/x}).
   * Longest first, so {@code -include-pch} is not read as {@code -include} plus {@code -pch}.
   */
  static final List<String> WORD_WITH_VALUE =
      List.of(
              "-iwithprefixbefore",
              "-serialize-diagnostics",
              "-gcc-toolchain",
              "-dumpbase-ext",
              "-iwithprefix",
              "-Xpreprocessor",
              "-include-pch",
              "-ivfsoverlay",
              "-Xassembler",
              "-iframework",
              "-Xanalyzer",
              "-imultilib",
              "-imultiarch",
              "-idirafter",
              "-isysroot",
              "-dumpbase",
              "-Xlinker",
              "-aux-info",
              "-imacros",
              "-include",
              "-isystem",
              "-dumpdir",
              "-iprefix",
              "-wrapper",
              "-iquote",
              "-Xclang",
              "-target",
              "-mllvm",
              "-arch")
          .stream()
          .sorted(Comparator.comparingInt(String::length).reversed())
          .toList();

  /**
   * Options whose value follows {@code =} or is the next token ({@code -specs=x}, {@code -specs x},
   * {@code --param=x}, {@code --param x}).
   */
  static final Set<String> EQUALS_OR_SEPARATE = Set.of("-specs", "--param", "--sysroot");

  /** Every long spelling, keyed by spelling. */
  private static final Map<String, LongOption> LONG = longOptions();

  private OptionTable() {}

  private static Map<String, LongOption> longOptions() {
    Map<String, LongOption> m = new LinkedHashMap<>();
    // gcc 12's driver aliases (the strings in its option table) and clang 14's, each with the
    // option it stands for.
    flag(m, "--all-warnings", "-Wall");
    flag(m, "--ansi", "-ansi");
    flag(m, "--assemble", "-S");
    option(m, "--assert", "-A");
    flag(m, "--comments", "-C");
    flag(m, "--comments-in-macros", "-CC");
    flag(m, "--compile", "-c");
    joined(m, "--completion", "--completion=", false);
    flag(m, "--coverage", "--coverage");
    joined(m, "--debug", "-g", true);
    option(m, "--define-macro", "-D");
    flag(m, "--dependencies", "-M");
    joined(m, "--dump", "-d", false);
    option(m, "--dumpbase", "-dumpbase");
    option(m, "--dumpbase-ext", "-dumpbase-ext");
    option(m, "--dumpdir", "-dumpdir");
    option(m, "--entry", "-e");
    flag(m, "--extra-warnings", "-Wextra");
    joined(m, "--for-assembler", "-Wa,", false);
    option(m, "--for-linker", "-Xlinker");
    option(m, "--force-link", "-u");
    joined(m, "--help", "--help=", true);
    option(m, "--imacros", "-imacros");
    option(m, "--include", "-include");
    flag(m, "--include-barrier", "-I-");
    option(m, "--include-directory", "-I");
    option(m, "--include-directory-after", "-idirafter");
    option(m, "--include-prefix", "-iprefix");
    option(m, "--include-with-prefix", "-iwithprefix");
    option(m, "--include-with-prefix-after", "-iwithprefix");
    option(m, "--include-with-prefix-before", "-iwithprefixbefore");
    joined(m, "--jobserver-auth", "--jobserver-auth=", false);
    option(m, "--language", "-x");
    option(m, "--library-directory", "-L");
    joined(m, "--machine", "-m", false);
    suffix(m, "--machine-", "-m");
    suffix(m, "--machine-no-", "-mno-");
    suffix(m, "--no-", "-fno-");
    flag(m, "--no-canonical-prefixes", "-no-canonical-prefixes");
    flag(m, "--no-integrated-cpp", "-no-integrated-cpp");
    flag(m, "--no-line-commands", "-P");
    flag(m, "--no-standard-includes", "-nostdinc");
    flag(m, "--no-standard-libraries", "-nostdlib");
    flag(m, "--no-sysroot-suffix", "-no-sysroot-suffix");
    flag(m, "--no-warnings", "-w");
    joined(m, "--optimize", "-O", true);
    option(m, "--output", "-o");
    joined(m, "--output-pch", "--output-pch=", false);
    option(m, "--param", "--param");
    flag(m, "--pass-exit-codes", "-pass-exit-codes");
    flag(m, "--pedantic", "-pedantic");
    flag(m, "--pedantic-errors", "-pedantic-errors");
    flag(m, "--pie", "-pie");
    flag(m, "--pipe", "-pipe");
    option(m, "--prefix", "-B");
    flag(m, "--preprocess", "-E");
    joined(m, "--print-file-name", "-print-file-name=", false);
    flag(m, "--print-libgcc-file-name", "-print-libgcc-file-name");
    flag(m, "--print-missing-file-dependencies", "-MG");
    flag(m, "--print-multi-directory", "-print-multi-directory");
    flag(m, "--print-multi-lib", "-print-multi-lib");
    flag(m, "--print-multi-os-directory", "-print-multi-os-directory");
    flag(m, "--print-multiarch", "-print-multiarch");
    joined(m, "--print-prog-name", "-print-prog-name=", false);
    flag(m, "--print-search-dirs", "-print-search-dirs");
    flag(m, "--print-sysroot", "-print-sysroot");
    flag(m, "--print-sysroot-headers-suffix", "-print-sysroot-headers-suffix");
    flag(m, "--profile", "-p");
    joined(m, "--save-temps", "-save-temps=", true);
    option(m, "--script", "-T");
    flag(m, "--shared", "-shared");
    option(m, "--specs", "-specs");
    flag(m, "--static", "-static");
    flag(m, "--static-pie", "-static-pie");
    joined(m, "--std", "-std=", false);
    flag(m, "--symbolic", "-symbolic");
    option(m, "--sysroot", "--sysroot");
    flag(m, "--target-help", "--target-help");
    flag(m, "--time", "-time");
    flag(m, "--trace-includes", "-H");
    flag(m, "--traditional", "-traditional");
    flag(m, "--traditional-cpp", "-traditional-cpp");
    flag(m, "--trigraphs", "-trigraphs");
    option(m, "--undefine-macro", "-U");
    flag(m, "--user-dependencies", "-MM");
    flag(m, "--verbose", "-v");
    flag(m, "--version", "--version");
    suffix(m, "--warn-", "-W");
    suffix(m, "--warn-no-", "-Wno-");
    flag(m, "--write-dependencies", "-MD");
    flag(m, "--write-user-dependencies", "-MMD");
    // clang's own long options (clang does not abbreviate, but gcc would, so they are in the
    // table to make abbreviations resolve to the same thing for both).
    flag(m, "--analyze", "--analyze");
    option(m, "--config", "--config");
    joined(m, "--driver-mode", "--driver-mode=", false);
    option(m, "--gcc-toolchain", "-gcc-toolchain");
    joined(m, "--ld-path", "--ld-path=", false);
    joined(m, "--target", "--target=", false);
    option(m, "--serialize-diagnostics", "-serialize-diagnostics");
    joined(m, "--rtlib", "--rtlib=", false);
    joined(m, "--stdlib", "-stdlib=", false);
    flag(m, "--precompile", "--precompile");
    flag(m, "--migrate", "--migrate");
    joined(m, "--save-stats", "-save-stats=", true);
    joined(m, "--cuda-path", "--cuda-path=", false);
    joined(m, "--hip-path", "--hip-path=", false);
    joined(m, "--rocm-path", "--rocm-path=", false);
    joined(m, "--hipspv-pass-plugin", "--hipspv-pass-plugin=", false);
    joined(m, "--ptxas-path", "--ptxas-path=", false);
    joined(m, "--offload-arch", "--offload-arch=", false);
    return Map.copyOf(m);
  }

  private static void flag(Map<String, LongOption> m, String spelling, String canonical) {
    m.put(spelling, new LongOption(spelling, canonical, LongKind.FLAG, false));
  }

  private static void option(Map<String, LongOption> m, String spelling, String canonical) {
    m.put(spelling, new LongOption(spelling, canonical, LongKind.OPTION, false));
  }

  private static void joined(
      Map<String, LongOption> m, String spelling, String canonical, boolean optional) {
    m.put(spelling, new LongOption(spelling, canonical, LongKind.JOINED_FLAG, optional));
  }

  private static void suffix(Map<String, LongOption> m, String spelling, String canonical) {
    m.put(spelling, new LongOption(spelling, canonical, LongKind.SUFFIX_FLAG, false));
  }

  /**
   * How a {@code --name} token resolves.
   *
   * @param option the long option it names, or null when it names none (gcc then reads {@code
   *     --name} as {@code -fname})
   * @param suffix for a {@link LongKind#SUFFIX_FLAG}, the rest of the name after the alias
   * @param abbreviated whether the name was an abbreviation of the option's spelling
   * @param ambiguous whether the name abbreviates several options (gcc refuses it)
   */
  record Resolution(LongOption option, String suffix, boolean abbreviated, boolean ambiguous) {}

  /** Resolves the name part of a long option ({@code --pref} of {@code --pref=/x}). */
  static Resolution resolveLong(String name) {
    LongOption exact = LONG.get(name);
    if (exact != null) {
      return new Resolution(exact, "", false, false);
    }
    // Suffix aliases (--warn-all, --machine-arch=x, --no-foo): the longest alias that prefixes it.
    // gcc tries abbreviations first: --no-canonical is --no-canonical-prefixes, not -fno-canonical.
    List<LongOption> candidates = new ArrayList<>();
    for (LongOption o : LONG.values()) {
      if (o.kind() != LongKind.SUFFIX_FLAG && o.spelling().startsWith(name)) {
        candidates.add(o);
      }
    }
    if (name.length() > 2 && candidates.size() == 1) {
      return new Resolution(candidates.get(0), "", true, false);
    }
    if (name.length() > 2 && candidates.size() > 1) {
      // Several spellings may stand for one option (--include-with-prefix and
      // --include-with-prefix-after are both -iwithprefix).
      boolean same =
          candidates.stream().allMatch(c -> c.canonical().equals(candidates.get(0).canonical()))
              && candidates.stream().allMatch(c -> c.kind() == candidates.get(0).kind());
      return same
          ? new Resolution(candidates.get(0), "", true, false)
          : new Resolution(null, "", true, true);
    }
    LongOption bestSuffix = null;
    for (LongOption o : LONG.values()) {
      if (o.kind() == LongKind.SUFFIX_FLAG
          && name.startsWith(o.spelling())
          && name.length() > o.spelling().length()
          && (bestSuffix == null || o.spelling().length() > bestSuffix.spelling().length())) {
        bestSuffix = o;
      }
    }
    if (bestSuffix != null) {
      return new Resolution(
          bestSuffix, name.substring(bestSuffix.spelling().length()), false, false);
    }
    return new Resolution(null, "", false, false);
  }
}
