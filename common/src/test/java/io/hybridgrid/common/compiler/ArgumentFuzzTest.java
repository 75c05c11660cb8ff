package io.hybridgrid.common.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the argument parser, the classifier and the remote policy with command lines built from
 * real option spellings, their abbreviations, and random text. Budget: a fixed number of tries per
 * property (a few seconds in all on the 2-core CI machine), and each call must finish within a
 * second. The documented outcome for any input is a result, never an exception.
 */
class ArgumentFuzzTest {

  private static final List<String> SPELLINGS =
      List.of(
          "-c",
          "-o",
          "-x",
          "-I",
          "-D",
          "-U",
          "-B",
          "-MF",
          "-MT",
          "-include",
          "-imacros",
          "-isystem",
          "-specs",
          "-specs=",
          "--specs",
          "--specs=",
          "--prefix",
          "--prefix=",
          "--for-assembler",
          "--for-assembler=",
          "--include",
          "--imacros=",
          "--output",
          "--dependencies",
          "--param",
          "--param=",
          "--sysroot",
          "--no-",
          "--warn-",
          "--machine=",
          "--debug=",
          "--optimize",
          "-Wa,",
          "-Wp,",
          "-Wl,",
          "-Xclang",
          "-fplugin=",
          "-save-temps",
          "--save-temps",
          "-g",
          "-O2",
          "-E",
          "-S",
          "-M",
          "-MD",
          "-fsyntax-only",
          "@",
          "-",
          "--",
          "-march=native",
          "-std=c99",
          "--target=",
          "-gcc-toolchain",
          "-dumpdir",
          "--config");

  /** A token: a real spelling, an abbreviation of one, one with text appended, or random text. */
  @Provide
  Arbitrary<List<String>> commandLines() {
    Arbitrary<String> spelling = Arbitraries.of(SPELLINGS);
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(12);
    Arbitrary<String> abbreviated =
        Combinators.combine(spelling, Arbitraries.integers().between(0, 20))
            .as((s, n) -> s.substring(0, Math.min(s.length(), Math.max(1, n))));
    Arbitrary<String> withValue = Combinators.combine(spelling, text).as(String::concat);
    Arbitrary<String> token =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, spelling),
            net.jqwik.api.Tuple.of(2, abbreviated),
            net.jqwik.api.Tuple.of(3, withValue),
            net.jqwik.api.Tuple.of(2, text),
            net.jqwik.api.Tuple.of(1, Arbitraries.of("foo.c", "a.cc", "x.o", "/etc/passwd")));
    return token.list().ofMaxSize(16);
  }

  @Property(tries = 1000)
  void parserKeepsEveryTokenInOrder(@ForAll("commandLines") List<String> tokens) {
    long start = System.nanoTime();
    List<Arg> args = ArgParser.parse(tokens);
    List<String> back = new ArrayList<>();
    for (Arg a : args) {
      back.addAll(a.tokens());
      assertTrue(!a.tokens().isEmpty(), "an argument with no tokens: " + a);
    }
    assertEquals(tokens, back);
    assertTrue(System.nanoTime() - start < 1_000_000_000L, "parse took over a second");
  }

  @Property(tries = 1000)
  void classifierAlwaysDecides(@ForAll("commandLines") List<String> tokens) {
    long start = System.nanoTime();
    CompileInvocation inv = ArgumentClassifier.classify(tokens);
    if (inv.distributable()) {
      // The exact command line is sent: it passes the check the coordinator and the worker run.
      assertEquals(Optional.empty(), ActionPolicy.firstLocalReason(ArgParser.parse(tokens)));
      assertTrue(inv.source() != null, "distributable without a source: " + tokens);
    }
    assertTrue(System.nanoTime() - start < 1_000_000_000L, "classify took over a second");
  }

  @Property(tries = 1000)
  void policyAlwaysDecides(@ForAll("commandLines") List<String> tokens) {
    for (Arg a : ArgParser.parse(tokens)) {
      RemotePolicy.forbiddenReason(a).ifPresent(r -> assertTrue(!r.isBlank()));
    }
  }

  /** Any spelling gcc accepts for a file-naming or code-loading option is refused. */
  @Property(tries = 1000)
  void everyAbbreviationOfADangerousAliasIsRefused(
      @ForAll("dangerous") String option, @ForAll("cuts") int cut, @ForAll boolean equals) {
    String name = option.substring(0, Math.max(3, Math.min(option.length(), cut)));
    List<String> tokens = equals ? List.of(name + "=/x") : List.of(name, "/x");
    assertTrue(
        RemotePolicy.firstForbidden(ArgParser.parse(tokens)).isPresent(),
        tokens + " must be refused");
  }

  @Provide
  Arbitrary<String> dangerous() {
    return Arbitraries.of(
        "--prefix",
        "--specs",
        "--for-assembler",
        "--for-linker",
        "--imacros",
        "--include",
        "--include-directory",
        "--include-prefix",
        "--output",
        "--dumpdir",
        "--dumpbase",
        "--save-temps",
        "--sysroot",
        "--print-prog-name",
        "--print-file-name",
        "--library-directory",
        "--script",
        "--config",
        "--serialize-diagnostics");
  }

  @Provide
  Arbitrary<Integer> cuts() {
    return Arbitraries.integers().between(3, 30);
  }
}
