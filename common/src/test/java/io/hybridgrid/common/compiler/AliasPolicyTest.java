package io.hybridgrid.common.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attacks of the security review, spelled every way gcc 12 and clang 14 accept them (checked
 * with {@code gcc -c a.c OPTION} on this machine): each is read as the option it stands for and
 * either kept off the grid, by the client's classifier and by the check the coordinator and worker
 * run ({@link ActionPolicy}), or replayed harmlessly in the sandbox because what it names is the
 * client's own file in the input root.
 */
class AliasPolicyTest {

  private static List<String> split(String line) {
    return Arrays.asList(line.split(" "));
  }

  /** Each case: the arguments, and the canonical option they must parse to. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--prefix=/x/ | -B/x/",
        "--prefix /x/ | -B/x/",
        "--pref /x/ | -B/x/",
        "--pref=/x/ | -B/x/",
        "--specs=/x | -specs/x",
        "--specs /x | -specs/x",
        "--spec /x | -specs/x",
        "--sp /x | -specs/x",
        "-specs /x | -specs/x",
        "-specs=/x | -specs/x",
        "--for-assembler=-alh=l.txt | -Wa,-alh=l.txt",
        "--for-assembler -a | -Wa,-a",
        "--for-as -alh=l.txt | -Wa,-alh=l.txt",
        "--include=/etc/passwd | -include/etc/passwd",
        "--imacros=/etc/passwd | -imacros/etc/passwd",
        "--imac /etc/passwd | -imacros/etc/passwd",
        "--output /tmp/o.o | -o/tmp/o.o",
        "--dependencies | -M",
        "--dep | -M",
        "--user-dependencies | -MM",
        "--include-directory=/x | -I/x",
        "--define-macro X | -DX",
        "--define-m X | -DX",
        "--plugin=/x.so | -fplugin=/x.so",
        "--dump-tree-all | -fdump-tree-all",
        "--save-temps | -save-temps",
        "--dumpdir /tmp/d/ | -dumpdir/tmp/d/",
        "--for-linker x | -Xlinkerx",
        "--print-prog-name=cc1 | -print-prog-name=cc1",
        "--debug=3 | -g3",
        "--warn-all | -Wall",
        "--machine=arch=native | -march=native",
        "--no-canonical | -no-canonical-prefixes",
        "--sysroot=/x | --sysroot/x",
      })
  void aliasesParseAsTheOptionTheyStandFor(String line, String canonical) {
    List<Arg> args = ArgParser.parse(split(line));
    assertEquals(1, args.size(), args::toString);
    assertEquals(canonical, args.get(0).text());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // -B and its aliases: the driver runs programs from the given directory.
        "-B/x/",
        "--prefix=/x/",
        "--prefix /x/",
        "--pref /x/",
        "--pref=/x/",
        // specs files: they can run any command.
        "-specs=/x",
        "-specs /x",
        "--specs=/x",
        "--specs /x",
        "--spec /x",
        "--sp /x",
        // assembler listings write a file of the request's choosing.
        "-Wa,-alh=/tmp/l.txt",
        "-Wa,-a",
        "-Wa,--listing-lhs-width=2,-a=/tmp/l",
        "--for-assembler=-alh=/tmp/l.txt",
        "--for-assembler -a",
        "--for-as -a",
        "--for-as=-a",
        "-Xassembler -a",
        // an abbreviation gcc itself finds ambiguous (--include, --include-directory, ...).
        "--incl /etc/passwd",
        // code loading and dumps through gcc's --name = -fname mapping.
        "--plugin=/x.so",
        "--dump-tree-all",
        "--save-temps",
        "--sav",
        "--dumpdir /tmp/d/",
        "--print-prog-name=cc1",
        // clang's own.
        "--config /x.cfg",
        "--gcc-toolchain=/x",
        "--ld-path=/x",
        "--serialize-diagnostics /tmp/x",
        // abbreviations of anything, and ambiguous ones.
        "--comp",
        "--no-s",
      })
  void refusedOnTheGrid(String option) {
    Optional<String> reason = ActionPolicy.firstLocalReason(ArgParser.parse(split(option)));
    assertTrue(reason.isPresent(), option + " must not run on a worker");
    CompileInvocation inv = ArgumentClassifier.classify(split("-c foo.c " + option + " -O2"));
    assertTrue(inv.localReason().isPresent(), option + " must keep the compile on the client");
  }

  /**
   * Options that name files, spelled as aliases: the action carries the exact command, the files
   * are the client's own in the input root, and the output is a declared output; inside the sandbox
   * none reaches the worker's files (SandboxSecurityTest, aCompileCannotIncludeWorkerFiles).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "--include=/etc/passwd",
        "--imacros=/etc/passwd",
        "--imac /etc/passwd",
        "--include-directory=/etc",
        "--output /tmp/o.o",
        "--output=/tmp/o.o",
      })
  void replayedInTheSandbox(String option) {
    assertRunsOnTheGrid(option);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "--param=max-inline-insns-single=1",
        "--param max-inline-insns-single=1",
        "--std=c99",
        "--target=x86_64-linux-gnu",
        "--warn-all",
        "--all-warnings",
        "--pedantic",
        "--define-macro=X=1",
        "--undefine-macro X",
      })
  void harmlessAliasesStillRun(String option) {
    assertRunsOnTheGrid(option);
  }

  /** The grid's check lets {@code option} through, and the client sends a compile with it. */
  private static void assertRunsOnTheGrid(String option) {
    assertEquals(
        Optional.empty(), ActionPolicy.firstLocalReason(ArgParser.parse(split(option))), option);
    CompileInvocation inv = ArgumentClassifier.classify(split("-c foo.c " + option + " -O2"));
    assertTrue(inv.distributable(), option + ": " + inv.localReason());
  }
}
