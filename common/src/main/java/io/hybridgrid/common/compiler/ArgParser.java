package io.hybridgrid.common.compiler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Splits a gcc/clang argument vector into {@link Arg}s, so that an option's value is never taken
 * for an input file. Unknown options are kept as flags, unchanged.
 */
public final class ArgParser {

  /**
   * One-letter options whose value is attached ({@code -Ifoo}) or the next token ({@code -I foo}).
   */
  private static final Set<String> SHORT_WITH_VALUE =
      Set.of("-o", "-x", "-I", "-D", "-U", "-L", "-l", "-A", "-B", "-T", "-u", "-z", "-e", "-G");

  /** Two-letter dependency options that take a value the same way. */
  private static final Set<String> DEP_WITH_VALUE = Set.of("-MF", "-MT", "-MQ", "-MJ");

  /**
   * Word options whose value is the next token, or attached to the name ({@code -isystem/usr/x}).
   * Longest first, so {@code -include-pch} is not read as {@code -include} plus {@code -pch}.
   */
  private static final List<String> WORD_WITH_VALUE =
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

  /** Long options that take the next token, or {@code =value}. */
  private static final Set<String> LONG_WITH_VALUE = Set.of("--param", "--sysroot", "--specs");

  private ArgParser() {}

  /** Parses {@code tokens} (the arguments after the compiler name). */
  public static List<Arg> parse(List<String> tokens) {
    List<Arg> out = new ArrayList<>(tokens.size());
    int i = 0;
    while (i < tokens.size()) {
      String t = tokens.get(i);
      i++;
      if (t.startsWith("@")) {
        // A response file: the driver splices its contents in here. Not an input file.
        out.add(Arg.flag(t));
        continue;
      }
      if (t.equals("-") || !t.startsWith("-")) {
        out.add(Arg.input(t));
        continue;
      }
      String name = null;
      String attached = null;
      if (t.equals("-undef")) {
        // Starts like "-u SYMBOL" but is a preprocessor flag of its own.
        name = null;
      } else if (t.length() >= 2 && SHORT_WITH_VALUE.contains(t.substring(0, 2))) {
        name = t.substring(0, 2);
        attached = t.length() > 2 ? t.substring(2) : null;
      } else if (t.length() >= 3 && DEP_WITH_VALUE.contains(t.substring(0, 3))) {
        name = t.substring(0, 3);
        attached = t.length() > 3 ? t.substring(3) : null;
      } else {
        for (String w : WORD_WITH_VALUE) {
          if (t.startsWith(w)) {
            name = w;
            attached = t.length() > w.length() ? t.substring(w.length()) : null;
            break;
          }
        }
        if (name == null) {
          int eq = t.indexOf('=');
          String head = eq > 0 ? t.substring(0, eq) : t;
          if (LONG_WITH_VALUE.contains(head)) {
            name = head;
            attached = eq > 0 ? t.substring(eq + 1) : null;
          }
        }
      }
      if (name == null) {
        out.add(Arg.flag(t));
      } else if (attached != null) {
        out.add(new Arg(name, attached, List.of(t), false));
      } else if (i < tokens.size()) {
        out.add(new Arg(name, tokens.get(i), List.of(t, tokens.get(i)), false));
        i++;
      } else {
        // A trailing option with its value missing: the compiler will report it.
        out.add(new Arg(name, null, List.of(t), false));
      }
    }
    return out;
  }
}
