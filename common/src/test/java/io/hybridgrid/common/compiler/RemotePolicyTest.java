package io.hybridgrid.common.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RemotePolicyTest {

  private static Arg arg(String line) {
    List<Arg> args = ArgParser.parse(List.of(line.split(" ")));
    assertEquals(1, args.size(), args::toString);
    return args.get(0);
  }

  /** Each case: the argument as written (space-separated tokens), and words its reason names. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "-fplugin=x.so | -fplugin=x.so | plugin",
        "-fplugin-arg-x-y=z | -fplugin-arg-x-y=z | plugin",
        "-specs=x | -specs=x | specs file",
        "--specs=nano.specs | --specs | ",
        "-B/tmp/x | -B | programs",
        "-B /tmp/x | -B | programs",
        "@args.rsp | @args.rsp | response file",
        "-wrapper gdb,--args | -wrapper | programs",
        "-save-temps | -save-temps | intermediate files",
        "-save-temps=obj | -save-temps=obj | intermediate files",
        "-fdump-tree-all | -fdump-tree-all | dump files",
        "-fdump-ipa-all | -fdump-ipa-all | dump files",
        "-dA | -dA | dump files",
        "-Xlinker -rpath | -Xlinker | ",
        "-Wl,-rpath,/x | -Wl,-rpath,/x | linker",
        "-include /etc/passwd | -include | files",
        "-imacros /etc/shadow | -imacros | files",
        "-I/etc | -I | files",
        "-I /etc | -I | files",
        "-isystem /usr/include | -isystem | files",
        "-iquote . | -iquote | files",
        "--sysroot=/ | --sysroot | files",
        "foo.c | 'foo.c' | input file",
        "/etc/passwd | '/etc/passwd' | input file",
        "-o /etc/passwd | -o | files",
        "-o/tmp/x.o | -o | files",
        "-x c | -x | ",
        "-fprofile-use=/tmp/p | -fprofile-use=/tmp/p | profile",
        "-fprofile-generate | -fprofile-generate | profile",
        "-fauto-profile=x.afdo | -fauto-profile=x.afdo | profile",
        "--coverage | --coverage | ",
        "-Wa,-adhln=listing.txt | -Wa,-adhln=listing.txt | '-adhln=listing.txt'",
        "-Wa,--noexecstack,-alms=x.lst | -Wa,--noexecstack,-alms=x.lst | '-alms=x.lst'",
        "-Wp,-MD,x | -Wp,-MD,x | '-MD'",
        "-Wp,-DFOO,-include,/etc/passwd | -Wp,-DFOO,-include,/etc/passwd | '-include'",
        "-Xclang -load | -Xclang | ",
        "-Xassembler -adhln=x | -Xassembler | ",
        "-Xpreprocessor -MD | -Xpreprocessor | ",
        "-mllvm -x | -mllvm | ",
        "-MF x.d | -MF | ",
        "-MJ x.json | -MJ | ",
        "-MD | -MD | ",
        "-c | -c | hgbuild",
        "-E | -E | ",
        "-pipe | -pipe | ",
        "-fstack-usage | -fstack-usage | extra files",
        "-ftime-trace | -ftime-trace | ",
        "-fsanitize-ignorelist=x.txt | -fsanitize-ignorelist=x.txt | sanitizer list",
        "-fmodules-cache-path=/tmp | -fmodules-cache-path=/tmp | module",
        "-fopt-info-vec=x.txt | -fopt-info-vec=x.txt | report file",
        "-print-search-dirs | -print-search-dirs | installation",
        "--config=x.cfg | --config=x.cfg | config file",
        "-fuse-ld=gold | -fuse-ld=gold | linker",
        "-dumpdir /tmp/ | -dumpdir | ",
        "-serialize-diagnostics x.dia | -serialize-diagnostics | ",
        "-T link.ld | -T | ",
        "-L/lib | -L | ",
        "-lfoo | -l | ",
      })
  void refusesWithReasonNamingTheArgument(String line, String names, String words) {
    Optional<String> reason = RemotePolicy.forbiddenReason(arg(line));
    assertTrue(reason.isPresent(), () -> line + " must be refused");
    assertTrue(
        reason.get().contains(names),
        () -> "reason '" + reason.get() + "' should name '" + names + "'");
    if (words != null) {
      assertTrue(
          reason.get().contains(words),
          () -> "reason '" + reason.get() + "' should say '" + words + "'");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-O2",
        "-O0",
        "-Os",
        "-g",
        "-g3",
        "-gdwarf-5",
        "-DX=1",
        "-D FOO",
        "-UBAR",
        "-Wall",
        "-Werror=format-security",
        "-Wa,--noexecstack",
        "-Wa,--64,-mrelax-relocations=no",
        "-Wa,-gdwarf-5",
        "-Wp,-DFOO",
        "-Wp,-D_FORTIFY_SOURCE=2,-UBAR",
        "-fPIC",
        "-fno-plt",
        "-ffile-prefix-map=/a=/b",
        "-fdebug-prefix-map=/a=/b",
        "-fmacro-prefix-map=./=",
        "-fmade-up",
        "-mfoo-bar",
        "-std=c++17",
        "-march=x86-64-v3",
        "-m64",
        "-pthread",
        "-fsanitize=address",
        "-fopenmp",
        "-fopt-info-vec",
        "-target aarch64-linux-gnu",
        "--target=aarch64-linux-gnu",
        "--param max-inline-insns-single=10",
        "-arch arm64",
        "-dumpversion",
        "-v",
        "-fdiagnostics-color=always",
      })
  void allowsOptionsThatOnlyChangeCodeGeneration(String line) {
    Optional<String> reason = RemotePolicy.forbiddenReason(arg(line));
    assertEquals(Optional.empty(), reason, line);
  }

  @Test
  void firstForbiddenReportsTheFirstOffenderInOrder() {
    List<Arg> args =
        ArgParser.parse(List.of("-O2", "-fPIC", "-fdump-tree-all", "-fplugin=x.so", "-B/tmp"));
    Optional<String> reason = RemotePolicy.firstForbidden(args);
    assertTrue(reason.orElseThrow().startsWith("-fdump-tree-all"), reason::toString);
  }

  @Test
  void firstForbiddenIsEmptyForSafeArguments() {
    List<Arg> args =
        ArgParser.parse(List.of("-O2", "-g", "-DX=1", "-Wa,--noexecstack", "-Wp,-DFOO", "-fPIC"));
    assertEquals(Optional.empty(), RemotePolicy.firstForbidden(args));
  }

  @Test
  void firstForbiddenOfNothingIsEmpty() {
    assertEquals(Optional.empty(), RemotePolicy.firstForbidden(List.of()));
  }
}
