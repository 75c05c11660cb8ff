package io.hybridgrid.common.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArgParserTest {

  private static List<Arg> parse(String line) {
    return ArgParser.parse(List.of(line.split(" ")));
  }

  private static Arg only(String line) {
    List<Arg> args = parse(line);
    assertEquals(1, args.size(), () -> "expected one argument from '" + line + "': " + args);
    return args.get(0);
  }

  private static List<String> inputs(String line) {
    return parse(line).stream().filter(Arg::input).map(Arg::name).toList();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "-o, out.o",
    "-I, dir",
    "-include, x.h",
    "-isystem, dir",
    "-iquote, dir",
    "-idirafter, dir",
    "-imacros, m.h",
    "-MF, x.d",
    "-MT, t",
    "-MQ, t.o",
    "-x, c",
    "-Xlinker, x",
    "-Xclang, -load",
    "-Xpreprocessor, x.c",
    "-Xassembler, a.s",
    "--param, max-inline-insns-single=10",
    "--sysroot, /s",
    "-target, aarch64",
    "-arch, arm64",
    "-D, FOO",
    "-U, BAR",
    "-L, /usr/lib",
    "-l, m",
    "-mllvm, -x",
    "-wrapper, gdb,--args",
    "-gcc-toolchain, /opt/gcc",
    "-include-pch, x.pch",
    "-isysroot, /sdk",
    "-aux-info, out.c",
    "-dumpbase, foo.c",
  })
  void separateOptionValueIsNeverAnInput(String option, String value) {
    List<Arg> args = ArgParser.parse(List.of(option, value, "-c", "foo.c"));
    assertEquals(3, args.size(), args::toString);
    Arg arg = args.get(0);
    assertEquals(option, arg.name());
    assertEquals(value, arg.value());
    assertEquals(List.of(option, value), arg.tokens());
    assertFalse(arg.input());
    assertTrue(arg.is(option));
    assertEquals(List.of("foo.c"), inputs(option + " " + value + " -c foo.c"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "-Idir, -I, dir",
    "-I/usr/include/x, -I, /usr/include/x",
    "-DX=1, -D, X=1",
    "-DFOO, -D, FOO",
    "-UBAR, -U, BAR",
    "-isystem/usr/inc, -isystem, /usr/inc",
    "-iquote., -iquote, .",
    "--sysroot=/s, --sysroot, /s",
    "--param=max-inline-insns-single=10, --param, max-inline-insns-single=10",
    "-ofoo.o, -o, foo.o",
    "-xc++, -x, c++",
    "-lm, -l, m",
    "-L/usr/lib, -L, /usr/lib",
    "-MFdeps/x.d, -MF, deps/x.d",
    "-MTobj/x.o, -MT, obj/x.o",
    "-B/tmp/x, -B, /tmp/x",
    "-includeconfig.h, -include, config.h",
  })
  void attachedValue(String token, String name, String value) {
    Arg arg = only(token);
    assertEquals(name, arg.name());
    assertEquals(value, arg.value());
    assertEquals(List.of(token), arg.tokens());
    assertFalse(arg.input());
  }

  @Test
  void undefIsAFlagNotMinusUWithNdef() {
    List<Arg> args = parse("-undef -c foo.c");
    assertEquals(3, args.size());
    Arg undef = args.get(0);
    assertEquals("-undef", undef.name());
    assertNull(undef.value());
    assertEquals(List.of("-undef"), undef.tokens());
    assertFalse(undef.is("-u"));
    assertEquals(List.of("foo.c"), inputs("-undef -c foo.c"));
  }

  @Test
  void minusUStillTakesASymbol() {
    Arg arg = parse("-u main foo.o").get(0);
    assertEquals("-u", arg.name());
    assertEquals("main", arg.value());
    assertEquals(List.of("foo.o"), inputs("-u main foo.o"));
  }

  @Test
  void includePchIsNotInclude() {
    Arg arg = only("-include-pch x.pch");
    assertEquals("-include-pch", arg.name());
    assertEquals("x.pch", arg.value());
    assertFalse(arg.is("-include"));
    assertTrue(arg.is("-include-pch"));
  }

  @Test
  void iwithprefixbeforeIsNotIwithprefix() {
    Arg arg = only("-iwithprefixbefore dir");
    assertEquals("-iwithprefixbefore", arg.name());
    assertEquals("dir", arg.value());
  }

  @Test
  void dumpbaseExtIsNotDumpbase() {
    Arg arg = only("-dumpbase-ext .c");
    assertEquals("-dumpbase-ext", arg.name());
    assertEquals(".c", arg.value());
  }

  @Test
  void flagsAreKeptUnchanged() {
    for (String flag :
        List.of(
            "-c",
            "-O2",
            "-g",
            "-Wall",
            "-std=c++17",
            "-fPIC",
            "-fmade-up-flag",
            "-mfoo-bar",
            "-MD",
            "-MMD",
            "-MP",
            "-M",
            "-MM",
            "-Wp,-MD,x.d",
            "-Wl,--as-needed",
            "-Wa,--noexecstack",
            "--target=aarch64-linux-gnu",
            "-nostdinc",
            "-pipe")) {
      Arg arg = only(flag);
      assertEquals(flag, arg.name());
      assertNull(arg.value(), flag);
      assertEquals(List.of(flag), arg.tokens());
      assertFalse(arg.input(), flag);
    }
  }

  @Test
  void inputsAreFilesAndStdin() {
    List<Arg> args = parse("-c foo.c - bar.o");
    assertEquals(4, args.size());
    assertTrue(args.get(1).input());
    assertEquals("foo.c", args.get(1).name());
    assertTrue(args.get(2).input());
    assertEquals("-", args.get(2).name());
    assertTrue(args.get(3).input());
    assertFalse(args.get(3).is("bar.o"), "is() never matches an input");
  }

  @Test
  void responseFileIsNotAnInput() {
    // gcc expands @file in place: it is not a source or linker input.
    Arg arg = only("@args.rsp");
    assertFalse(arg.input());
    assertEquals("@args.rsp", arg.name());
    assertEquals(List.of("foo.c"), inputs("@CMakeFiles/foo.rsp -c foo.c"));
  }

  @Test
  void valueLookingLikeAnOptionIsStillTheValue() {
    List<Arg> args = parse("-o -c foo.c");
    assertEquals("-o", args.get(0).name());
    assertEquals("-c", args.get(0).value());
    assertEquals(2, args.size());
    // -o - writes to stdout; the "-" is the value, not stdin.
    assertEquals(List.of("foo.c"), inputs("-c foo.c -o -"));
  }

  @Test
  void trailingOptionWithoutValue() {
    List<Arg> args = parse("-c foo.c -o");
    assertEquals(3, args.size());
    Arg last = args.get(2);
    assertEquals("-o", last.name());
    assertNull(last.value());
    assertEquals(List.of("-o"), last.tokens());
  }

  @Test
  void tokensRoundTrip() {
    String line =
        "-Wp,-MMD,d/.x.o.d -nostdinc -isystem /inc -include k.h -I. -D X -MF x.d -MT t -c"
            + " -o x.o x.c --param max-inline-insns-single=10 -Xclang -load -lm";
    List<String> tokens = List.of(line.split(" "));
    List<String> back = ArgParser.parse(tokens).stream().flatMap(a -> a.tokens().stream()).toList();
    assertEquals(tokens, back);
    assertEquals(List.of("x.c"), inputs(line));
  }
}
