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
 * refused on the grid, by the client's classifier and by the check the coordinator and worker run.
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
        // reading worker files into the diagnostics.
        "--include=/etc/passwd",
        "--imacros=/etc/passwd",
        "--imac /etc/passwd",
        "--incl /etc/passwd",
        "--include-directory=/etc",
        "--output /tmp/o.o",
        "--output=/tmp/o.o",
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
    Optional<String> reason = RemotePolicy.firstForbidden(ArgParser.parse(split(option)));
    assertTrue(reason.isPresent(), option + " must not run on a worker");
    // The client either compiles locally or applies the option itself (an -include is read
    // while preprocessing here): it never sends it.
    CompileInvocation inv = ArgumentClassifier.classify(split("-c foo.c " + option + " -O2"));
    String first = option.split(" ")[0];
    assertTrue(
        inv.localReason().isPresent() || !inv.remoteArgs().contains(first),
        option + " must not be sent: " + inv.remoteArgs());
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
    assertEquals(
        Optional.empty(), RemotePolicy.firstForbidden(ArgParser.parse(split(option))), option);
  }
}
