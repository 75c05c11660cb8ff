package io.hybridgrid.common.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A classified compiler invocation: whether it can run on the grid, and if so how to find its
 * inputs and which files it writes.
 *
 * @param args the parsed arguments, as the user gave them
 * @param localReason why this invocation must run locally, or empty when it can be distributed
 * @param source the single source file as written (null when there is none)
 * @param language the source language
 * @param objectPath the object file as the compiler would name it ({@code -o} or the default)
 * @param explicitOutput whether {@code -o} was given
 * @param dependencyFile where a {@code .d} file goes, or null when none is requested
 */
public record CompileInvocation(
    List<Arg> args,
    Optional<String> localReason,
    String source,
    Language language,
    String objectPath,
    boolean explicitOutput,
    String dependencyFile) {

  public CompileInvocation {
    args = List.copyOf(args);
  }

  /** Whether this invocation may be compiled on a worker. */
  public boolean distributable() {
    return localReason.isEmpty();
  }

  /**
   * The arguments of the dependency scan that finds an action's inputs: the user's arguments
   * without {@code -c}, the output and every dependency-file option ({@code -MD}, {@code -MMD},
   * {@code -MF}, {@code -MT}, {@code -MQ}, {@code -MP}, their {@code -Wp,} forms), plus {@code -M
   * -MT <target>}: the preprocessor's cheapest complete mode, which prints every file it read
   * (system headers included) as one make rule on stdout and writes nothing else.
   */
  public List<String> dependencyScanArgs(String target) {
    List<String> out = new ArrayList<>();
    for (Arg arg : args) {
      if (arg.is("-c")
          || arg.is("-o")
          || arg.is("-MD")
          || arg.is("-MMD")
          || arg.is("-MF")
          || arg.is("-MT")
          || arg.is("-MQ")
          || arg.is("-MP")
          || arg.is("-MG")) {
        continue;
      }
      if (!arg.input() && arg.name().startsWith("-Wp,")) {
        String kept = DependencyOptions.withoutWpDependencies(arg.name());
        if (kept != null) {
          out.add(kept);
        }
        continue;
      }
      out.addAll(arg.tokens());
    }
    out.add("-M");
    out.add("-MT");
    out.add(target);
    return out;
  }

  /**
   * Every file this compile writes, as the compiler names it (relative to the working directory or
   * absolute): the object, the dependency file, {@code -gsplit-dwarf}'s {@code .dwo} and {@code
   * -fstack-usage}'s {@code .su}, the last two next to the object with its suffix replaced, as gcc
   * 11+ and clang name them. A declared file the compiler does not write (clang writes no {@code
   * .dwo} without {@code -g}) simply does not come back.
   */
  public List<String> outputFiles() {
    List<String> out = new ArrayList<>();
    out.add(objectPath);
    if (dependencyFile != null) {
      out.add(dependencyFile);
    }
    boolean splitDwarf = false;
    boolean stackUsage = false;
    for (Arg arg : args) {
      if (arg.input()) {
        continue;
      }
      String t = arg.tokens().get(0);
      if (t.equals("-gsplit-dwarf") || t.equals("-gsplit-dwarf=split")) {
        splitDwarf = true;
      } else if (t.equals("-gno-split-dwarf") || t.equals("-gsplit-dwarf=single")) {
        splitDwarf = false;
      } else if (t.equals("-fstack-usage")) {
        stackUsage = true;
      }
    }
    String stem = DependencyOptions.stripSuffix(objectPath);
    if (splitDwarf) {
      out.add(stem + ".dwo");
    }
    if (stackUsage) {
      out.add(stem + ".su");
    }
    return out;
  }

  /** The user's arguments, unchanged, as tokens (for a local compile). */
  public List<String> tokens() {
    List<String> out = new ArrayList<>();
    for (Arg arg : args) {
      out.addAll(arg.tokens());
    }
    return out;
  }
}
