package io.hybridgrid.worker.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.ArgumentClassifier;
import io.hybridgrid.common.compiler.CompileInvocation;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.common.compiler.Language;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.Elf;
import io.hybridgrid.worker.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compiles the same sources locally and through the worker's sandbox, the way hgbuild and hg-worker
 * do, and requires the same object bytes, exit code and diagnostics.
 */
class SandboxCompilerTest {

  private static final String UTIL_H =
      String.join(
          "\n",
          "#ifndef UTIL_H",
          "#define UTIL_H",
          "struct point { int x, y; };",
          "static inline int twice(int x) { return 2 * x; }",
          "int util_sum(const struct point *p);",
          "static inline const char *util_h_file(void) { return __FILE__; }",
          "#endif",
          "");

  private static final String MAIN_C =
      String.join(
          "\n",
          "#include <stdio.h>",
          "#include \"util.h\"",
          "",
          "#define SCALE(v) ((v) * 3)",
          "static int helper(int a) {",
          "  return SCALE(twice(a));",
          "}",
          "",
          "int main(int argc, char **argv) {",
          "  struct point p = { argc, helper(argc) };",
          "  printf(\"%s %d\\n\", argv[0], util_sum(&p));",
          "  return 0;",
          "}",
          "");

  private static final String UTIL_C =
      String.join(
          "\n",
          "#include \"util.h\"",
          "int util_sum(const struct point *p) {",
          "  return p->x + twice(p->y);",
          "}",
          "const char *util_where(void) { return util_h_file(); }",
          "");

  private static final String BAD_C =
      String.join(
          "\n",
          "#include \"util.h\"",
          "#define BAD(a) ((a) + undefined_var)",
          "int f(int y) {",
          "  int x = BAD(y);",
          "  return x + twice(y);",
          "}",
          "int g(void) { return nothing_here; }",
          "");

  private static final String WARN_C =
      String.join(
          "\n",
          "#include \"util.h\"",
          "#define WIDEN(v) ((long) (v))",
          "int h(int y) {",
          "  int unused = 3;",
          "  unsigned u = 1;",
          "  if (y < u)",
          "    return (int) WIDEN(y);",
          "  return twice(y);",
          "}",
          "");

  /** A header that warns under -Wall -Wextra with gcc and clang. */
  private static final String HWARN_H =
      String.join(
          "\n",
          "#ifndef HWARN_H",
          "#define HWARN_H",
          "static inline int less(int a, unsigned b) {",
          "  return a < b;",
          "}",
          "#endif",
          "");

  @TempDir Path tmp;

  private Path proj;
  private Path workRoot;

  /** The outcome of one compile, local or remote. */
  private record Outcome(int exitCode, byte[] object, String stderr) {}

  private void project() throws IOException {
    proj = tmp.resolve("proj").toAbsolutePath();
    Tools.write(proj, "include/util.h", UTIL_H);
    Tools.write(proj, "src/main.c", MAIN_C);
    Tools.write(proj, "src/util.c", UTIL_C);
    Tools.write(proj, "src/bad.c", BAD_C);
    Tools.write(proj, "src/warn.c", WARN_C);
    Tools.write(proj, "include/hwarn.h", HWARN_H);
    Tools.write(
        proj, "src/hwarn.c", "#include \"hwarn.h\"\nint k(void) { return less(-1, 1u); }\n");
    Files.createDirectories(proj.resolve("build"));
    proj = proj.toRealPath();
    workRoot = tmp.resolve("work");
  }

  @AfterEach
  void workRootIsLeftEmpty() throws IOException {
    if (workRoot != null && Files.exists(workRoot)) {
      try (Stream<Path> s = Files.list(workRoot)) {
        assertEquals(List.of(), s.toList(), "task directories are removed after each compile");
      }
    }
  }

  private static CompilerIdentity identity(Path compiler) {
    Assumptions.assumeTrue(Tools.installed(compiler), compiler + " is not installed");
    return CompilerProbe.probe(compiler).orElseThrow();
  }

  private SandboxCompiler sandbox(Path compiler) {
    return new SandboxCompiler(
        new InstalledCompilers(Map.of(identity(compiler), compiler)),
        workRoot,
        Duration.ofMinutes(2));
  }

  private static List<String> modeFlags(Path compiler) {
    return compiler.equals(Tools.CLANG)
        ? List.of("-frewrite-includes")
        : List.of("-fdirectives-only");
  }

  private static Outcome local(Path compiler, Path cwd, List<String> args) throws Exception {
    CompileInvocation inv = ArgumentClassifier.classify(args);
    Path object = cwd.resolve(inv.objectPath());
    Files.deleteIfExists(object);
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(args);
    Tools.Result r = Tools.run(cwd, cmd);
    byte[] obj = r.exitCode() == 0 ? Files.readAllBytes(object) : new byte[0];
    return new Outcome(r.exitCode(), obj, r.stderrText());
  }

  /** Preprocesses as hgbuild does and compiles the unit in the sandbox. */
  private Outcome remote(Path compiler, Path cwd, List<String> args) throws Exception {
    CompileInvocation inv = ArgumentClassifier.classify(args);
    assertTrue(inv.distributable(), () -> "not distributable: " + inv.localReason());
    Path unit = Files.createTempFile(tmp, "unit", ".i");
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(inv.preprocessArgs(modeFlags(compiler), unit.toString(), null));
    Tools.Result pp = Tools.run(cwd, cmd);
    assertEquals(0, pp.exitCode(), pp::stderrText);
    assertEquals("", pp.stderrText(), "these sources give no preprocessor diagnostics");
    CompileJob job =
        new CompileJob(
            identity(compiler),
            inv.language(),
            inv.remoteArgs(),
            inv.source(),
            cwd.toString(),
            Files.readAllBytes(unit),
            Map.of());
    // The worker is another machine: it must not read the client's files.
    Path hidden = proj.resolveSibling("proj-hidden");
    Files.move(proj, hidden);
    CompileOutput out;
    try {
      out = sandbox(compiler).compile(job);
    } finally {
      Files.move(hidden, proj);
    }
    assertEquals(0, out.stdout().length, () -> new String(out.stdout(), StandardCharsets.UTF_8));
    return new Outcome(
        out.exitCode(), out.object(), new String(out.stderr(), StandardCharsets.UTF_8));
  }

  private Outcome[] both(Path compiler, Path cwd, String... args) throws Exception {
    identity(compiler);
    List<String> list = List.of(args);
    return new Outcome[] {local(compiler, cwd, list), remote(compiler, cwd, list)};
  }

  private static void assertSameObject(Outcome local, Outcome remote) {
    assertEquals(0, local.exitCode(), local.stderr());
    assertEquals(0, remote.exitCode(), remote.stderr());
    assertTrue(local.object().length > 0);
    assertTrue(
        Arrays.equals(local.object(), remote.object()),
        () ->
            "objects differ: local "
                + local.object().length
                + " bytes, remote "
                + remote.object().length
                + " bytes, first difference at "
                + Arrays.mismatch(local.object(), remote.object())
                + ", differing sections "
                + Elf.differingSections(local.object(), remote.object()));
  }

  /**
   * Debug options for the identity checks. clang 14 defaults to DWARF 5, whose line table holds an
   * MD5 checksum of each source file's bytes; the worker compiles rebuilt files, so with DWARF 5 it
   * cannot reproduce them (see {@link #clangDwarf5DiffersOnlyInSourceChecksums}).
   */
  private static String debug(Path compiler) {
    return compiler.equals(Tools.CLANG) ? "-O2 -g -gdwarf-4" : "-O2 -g";
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/usr/bin/gcc", "/usr/bin/clang"})
  void objectsAreIdenticalForEverySourcePathStyle(String compilerPath) throws Exception {
    Path compiler = Path.of(compilerPath);
    identity(compiler);
    project();
    Path src = proj.resolve("src");
    Path build = proj.resolve("build");
    String abs = src.resolve("util.c").toString();
    for (String opt : List.of("-O2", debug(compiler))) {
      List<String[]> cases =
          List.of(
              new String[] {proj.toString(), "src/main.c", "-Iinclude"},
              new String[] {src.toString(), "main.c", "-I../include"},
              new String[] {build.toString(), "../src/main.c", "-I../include"},
              new String[] {build.toString(), "../src/util.c", "-I../include"},
              new String[] {build.toString(), abs, "-I" + proj.resolve("include")});
      for (String[] c : cases) {
        List<String> args = new ArrayList<>(List.of(opt.split(" ")));
        args.addAll(List.of(c[2], "-c", c[1], "-o", "x.o"));
        Outcome local = local(compiler, Path.of(c[0]), args);
        Outcome remote = remote(compiler, Path.of(c[0]), args);
        String what = compiler + " " + String.join(" ", args) + " in " + c[0];
        assertEquals("", local.stderr(), what);
        assertEquals("", remote.stderr(), what);
        try {
          assertSameObject(local, remote);
        } catch (AssertionError e) {
          throw new AssertionError(what + ": " + e.getMessage(), e);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/usr/bin/gcc", "/usr/bin/clang"})
  void compileErrorGivesTheSameExitCodeAndDiagnostics(String compilerPath) throws Exception {
    Path compiler = Path.of(compilerPath);
    identity(compiler);
    project();
    Outcome[] o =
        both(compiler, proj.resolve("build"), "-O2", "-I../include", "-c", "../src/bad.c");
    assertEquals(1, o[0].exitCode());
    assertEquals(o[0].exitCode(), o[1].exitCode());
    assertEquals(0, o[1].object().length);
    // The snippet of the macro body and the expansion note are part of the comparison.
    String note =
        compiler.equals(Tools.CLANG)
            ? "../src/bad.c:2:23: note: expanded from macro 'BAD'\n"
            : "../src/bad.c:4:11: note: in expansion of macro 'BAD'\n";
    assertTrue(o[0].stderr().contains(note), o[0].stderr());
    assertTrue(o[0].stderr().contains("#define BAD(a) ((a) + undefined_var)\n"), o[0].stderr());
    assertTrue(o[0].stderr().contains("  int x = BAD(y);\n"), o[0].stderr());
    assertTrue(o[0].stderr().contains("nothing_here"), o[0].stderr());
    assertEquals(o[0].stderr(), o[1].stderr());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/usr/bin/gcc", "/usr/bin/clang"})
  void warningsGiveTheSameDiagnosticsAndObject(String compilerPath) throws Exception {
    Path compiler = Path.of(compilerPath);
    identity(compiler);
    project();
    Outcome[] o =
        both(
            compiler,
            proj,
            "-O2",
            "-g",
            compiler.equals(Tools.CLANG) ? "-gdwarf-4" : "-gdwarf-5",
            "-Wall",
            "-Wextra",
            "-Iinclude",
            "-c",
            "src/warn.c",
            "-o",
            "warn.o");
    assertTrue(o[0].stderr().contains("warning:"), o[0].stderr());
    assertTrue(o[0].stderr().contains("int unused = 3;"), "snippet: " + o[0].stderr());
    assertEquals(o[0].stderr(), o[1].stderr());
    assertSameObject(o[0], o[1]);
  }

  /** Diagnostics in a header show a snippet of the header, read from the file the marker names. */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "/usr/bin/gcc, relative",
    "/usr/bin/gcc, absolute",
    "/usr/bin/clang, relative",
    "/usr/bin/clang, absolute"
  })
  void warningsInAHeaderGiveTheSameDiagnostics(String compilerPath, String includeStyle)
      throws Exception {
    Path compiler = Path.of(compilerPath);
    identity(compiler);
    project();
    String include =
        includeStyle.equals("relative") ? "-I../include" : "-I" + proj.resolve("include");
    Outcome[] o =
        both(
            compiler,
            proj.resolve("build"),
            "-O2",
            "-Wall",
            "-Wextra",
            include,
            "-c",
            "../src/hwarn.c",
            "-o",
            "hwarn.o");
    assertTrue(o[0].stderr().contains("hwarn.h:4:"), o[0].stderr());
    assertTrue(o[0].stderr().contains("  return a < b;\n"), "snippet: " + o[0].stderr());
    assertEquals(o[0].stderr(), o[1].stderr());
    assertSameObject(o[0], o[1]);
  }

  @Test
  void absoluteSourceDiagnosticsNameTheClientPath() throws Exception {
    identity(Tools.GCC);
    project();
    String bad = proj.resolve("src/bad.c").toString();
    Outcome[] o = both(Tools.GCC, proj, "-Iinclude", "-c", bad, "-o", "bad.o");
    assertEquals(1, o[1].exitCode());
    assertTrue(o[0].stderr().startsWith(bad + ": In function 'f':"), o[0].stderr());
    assertFalse(o[1].stderr().contains(workRoot.toString()), o[1].stderr());
    assertEquals(o[0].stderr(), o[1].stderr());
  }

  /**
   * Known difference, not hidden: clang 14's default DWARF 5 line table records an MD5 checksum of
   * every source file's bytes. The worker compiles rebuilt files (and files named only by line
   * markers get no checksum), so its line table has none. Everything else must still match.
   */
  @Test
  void clangDwarf5DiffersOnlyInSourceChecksums() throws Exception {
    identity(Tools.CLANG);
    project();
    Outcome[] o =
        both(Tools.CLANG, proj, "-O2", "-g", "-Iinclude", "-c", "src/main.c", "-o", "main.o");
    assertEquals(0, o[1].exitCode(), o[1].stderr());
    assertEquals(
        List.of(".debug_line", ".rela.debug_line"),
        Elf.differingSections(o[0].object(), o[1].object()));
    Map<String, byte[]> local = Elf.sections(o[0].object());
    Map<String, byte[]> remote = Elf.sections(o[1].object());
    // 16 bytes of MD5 per file entry, plus 2 bytes declaring the extra (MD5, data16) column.
    int extra = local.get(".debug_line").length - remote.get(".debug_line").length;
    assertTrue(extra > 16 && (extra - 2) % 16 == 0, "MD5 column only: " + extra + " bytes");
    assertEquals(
        local.get(".rela.debug_line").length,
        remote.get(".rela.debug_line").length,
        "same relocations, shifted by the shorter header");
  }

  private CompileJob job(CompilerIdentity id, List<String> args, Map<String, String> env) {
    return new CompileJob(
        id,
        Language.C,
        args,
        "x.c",
        "/tmp",
        "# 1 \"x.c\"\nint x;\n".getBytes(StandardCharsets.ISO_8859_1),
        env);
  }

  @Test
  void malformedUnitIsAnInvalidTaskAndLeavesNothingBehind() throws Exception {
    CompilerIdentity gcc = identity(Tools.GCC);
    workRoot = tmp.resolve("work");
    for (String text : List.of("int x;\n", "# 1 \"x.c\"\n# 99999999999 \"x.c\"\nint y;\n")) {
      CompileJob job =
          new CompileJob(
              gcc,
              Language.C,
              List.of("-O2"),
              "x.c",
              "/tmp",
              text.getBytes(StandardCharsets.ISO_8859_1),
              Map.of());
      TaskRefusedException e =
          assertThrows(TaskRefusedException.class, () -> sandbox(Tools.GCC).compile(job), text);
      assertEquals(Rejection.INVALID_TASK, e.reason(), e.getMessage());
      assertFalse(e.reason().retryable());
    }
  }

  @Test
  void unknownCompilerIsRefusedWithWhatTheWorkerHas() throws Exception {
    CompilerIdentity gcc = identity(Tools.GCC);
    workRoot = tmp.resolve("work");
    CompilerIdentity other = new CompilerIdentity("gcc", "99.1.0", gcc.target(), false);
    TaskRefusedException e =
        assertThrows(
            TaskRefusedException.class,
            () -> sandbox(Tools.GCC).compile(job(other, List.of("-O2"), Map.of())));
    assertEquals(Rejection.UNKNOWN_COMPILER, e.reason());
    assertFalse(e.reason().retryable());
    assertEquals(
        "this worker has no gcc 99.1.0 " + gcc.target() + "; it has: " + gcc.describe(),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "-fplugin=x.so | refused: -fplugin=x.so loads a compiler plugin",
        "-B/tmp | refused: -B names files or programs the worker must not use",
        "@file | refused: @file reads a response file",
        "-include /etc/passwd | refused: -include names files or programs the worker must not use",
        "-o x | refused: -o names files or programs the worker must not use"
      })
  void forbiddenArgumentsAreRefused(String arg, String message) throws Exception {
    CompilerIdentity gcc = identity(Tools.GCC);
    workRoot = tmp.resolve("work");
    List<String> args = new ArrayList<>(List.of("-O2"));
    args.addAll(List.of(arg.split(" ")));
    TaskRefusedException e =
        assertThrows(
            TaskRefusedException.class, () -> sandbox(Tools.GCC).compile(job(gcc, args, Map.of())));
    assertEquals(Rejection.FORBIDDEN_ARGUMENT, e.reason());
    assertEquals(message, e.getMessage());
    assertFalse(Files.exists(workRoot), "no task directory for a refused task");
  }

  @Test
  void environmentOutsideTheAllowListIsRefused() throws Exception {
    CompilerIdentity gcc = identity(Tools.GCC);
    workRoot = tmp.resolve("work");
    TaskRefusedException e =
        assertThrows(
            TaskRefusedException.class,
            () ->
                sandbox(Tools.GCC)
                    .compile(job(gcc, List.of("-O2"), Map.of("LD_PRELOAD", "/tmp/evil.so"))));
    assertEquals(Rejection.FORBIDDEN_ARGUMENT, e.reason());
    assertEquals("refused: environment variable LD_PRELOAD is not accepted", e.getMessage());
  }

  @Test
  void allowedEnvironmentIsPassedAndTheTaskDirIsRemoved() throws Exception {
    CompilerIdentity gcc = identity(Tools.GCC);
    workRoot = tmp.resolve("work");
    CompileOutput out =
        sandbox(Tools.GCC)
            .compile(job(gcc, List.of("-O2"), Map.of("SOURCE_DATE_EPOCH", "1", "LC_ALL", "C")));
    assertEquals(0, out.exitCode(), new String(out.stderr(), StandardCharsets.UTF_8));
    // An ELF relocatable object.
    assertEquals(0x7f, out.object()[0]);
    assertEquals('E', out.object()[1]);
    assertEquals(1, out.object()[16], "ET_REL");
    try (Stream<Path> s = Files.list(workRoot)) {
      assertEquals(0, s.count());
    }
  }
}
