package io.hybridgrid.worker.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.worker.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnitLayoutTest {

  /** Line 1..13 of the main file; lines 3-4 and 10-11 are directives continued with a backslash. */
  private static final String MAIN =
      String.join(
          "\n",
          "#include \"inc/a.h\"",
          "#include <stddef.h>",
          "#define SQUARE(x) \\",
          "  ((x) * (x))",
          "#if B_VAL > 10",
          "int big = SQUARE(B_VAL);",
          "#else",
          "int small = 1;",
          "#endif",
          "#include \\",
          "  \"inc/b.h\"",
          "size_t n = sizeof(int);",
          "/* a comment */ int main(void) { return a_fn(big) + CFG; }",
          "");

  @TempDir Path tmp;

  private Path project() throws IOException {
    Path dir = tmp.resolve("proj");
    Tools.write(dir, "main.c", MAIN);
    Tools.write(
        dir, "inc/a.h", "#ifndef A_H\n#define A_H\n#include \"b.h\"\nint a_fn(int);\n#endif\n");
    Tools.write(dir, "inc/b.h", "#define B_VAL 42\n");
    Tools.write(dir, "cfg.h", "#define CFG 1\n");
    return dir;
  }

  private Path taskDir() throws IOException {
    return Files.createDirectories(tmp.resolve("task"));
  }

  private static byte[] preprocess(Path compiler, Path cwd, String... args) throws Exception {
    Assumptions.assumeTrue(Tools.installed(compiler), compiler + " is not installed");
    return Tools.ok(cwd, compiler, args).stdout();
  }

  private static List<String> lines(Path p) throws IOException {
    return Files.readAllLines(p, StandardCharsets.ISO_8859_1);
  }

  private static String include(Path generated) {
    return "#include \"" + generated + "\"";
  }

  @Test
  void gccDirectivesOnlyMainLinesKeepTheirLineNumbers() throws Exception {
    Path dir = project();
    byte[] unit =
        preprocess(Tools.GCC, dir, "-include", "cfg.h", "-E", "-fdirectives-only", "main.c");
    Path task = taskDir();

    UnitLayout.Layout layout = UnitLayout.write(unit, "main.c", dir.toString(), task);

    Path root = task.resolve("root");
    Path gen = task.resolve("gen");
    assertEquals(root, layout.mirrorRoot());
    assertEquals(root.resolve(dir.toString().substring(1)), layout.workDir());
    assertEquals("main.c", layout.inputPath());
    List<String> main = lines(layout.workDir().resolve("main.c"));
    assertEquals(13, main.size(), () -> String.join("\n", main));
    assertEquals(include(gen.resolve("inc0.h")), main.get(0));
    assertEquals(include(gen.resolve("inc1.h")), main.get(1));
    // gcc re-emits the #define on its first line in its own spelling; the continuation is blank.
    assertTrue(main.get(2).startsWith("#define SQUARE(x) "), main.get(2));
    assertEquals("", main.get(3));
    assertEquals("", main.get(4), "#if was evaluated by the client");
    assertEquals("int big = SQUARE(B_VAL);", main.get(5));
    assertEquals("", main.get(6));
    assertEquals("", main.get(7), "inactive branch was dropped by the client");
    assertEquals("", main.get(8));
    assertEquals("", main.get(9));
    // A directive continued over two lines is replaced on the line its expansion returns after.
    assertEquals(include(gen.resolve("inc2.h")), main.get(10));
    assertEquals("size_t n = sizeof(int);", main.get(11));
    assertEquals("/* a comment */ int main(void) { return a_fn(big) + CFG; }", main.get(12));

    List<String> a = lines(gen.resolve("inc0.h"));
    assertEquals("# 1 \"inc/a.h\"", a.get(0), "entering marker renamed, flag 1 dropped");
    assertTrue(a.contains("# 1 \"inc/b.h\" 1"), "nested include keeps its own markers: " + a);
    assertTrue(a.contains("# 4 \"inc/a.h\" 2"), a::toString);
    assertTrue(a.contains("#define B_VAL 42"), a::toString);
    assertTrue(a.contains("int a_fn(int);"), a::toString);
    List<String> stddef = lines(gen.resolve("inc1.h"));
    assertTrue(
        stddef.get(0).matches("# 1 \"/\\S*/include/stddef\\.h\" 3 4"),
        "system flags kept, flag 1 dropped: " + stddef.get(0));
    assertTrue(stddef.contains("#define offsetof(TYPE,MEMBER) __builtin_offsetof (TYPE, MEMBER)"));
    assertEquals("# 1 \"inc/b.h\"\n#define B_VAL 42\n", Files.readString(gen.resolve("inc2.h")));

    // The headers' own lines, where gcc looks for a diagnostic's source line.
    assertEquals(
        List.of("", "#define A_H ", "", "int a_fn(int);"),
        lines(layout.workDir().resolve("inc/a.h")));
    assertEquals(List.of("#define B_VAL 42"), lines(layout.workDir().resolve("inc/b.h")));
    assertEquals(List.of("#define CFG 1"), lines(layout.workDir().resolve("cfg.h")));
    assertFalse(Files.exists(root.resolve("usr")), "system headers are the worker's own");

    assertEquals(List.of(gen.resolve("pre0.h"), gen.resolve("pre1.h")), layout.includes());
    List<String> predef = lines(gen.resolve("pre0.h"));
    assertEquals("# 1 \"/usr/include/stdc-predef.h\" 3 4", predef.get(0));
    assertEquals("# 1 \"./cfg.h\"\n#define CFG 1\n", Files.readString(gen.resolve("pre1.h")));
    // Built-in and command-line definitions come from the worker's own compiler.
    for (Path p : generatedFiles(task)) {
      assertFalse(Files.readString(p).contains("#define __GNUC__"), p.toString());
    }
    assertFalse(Files.readString(layout.workDir().resolve("main.c")).contains("__GNUC__"));
  }

  @Test
  void clangRewriteIncludesSkipsOriginalDirectivesAndKeepsEvaluatedConditions() throws Exception {
    Path dir = project();
    byte[] unit =
        preprocess(Tools.CLANG, dir, "-include", "cfg.h", "-E", "-frewrite-includes", "main.c");
    Path task = taskDir();

    UnitLayout.Layout layout = UnitLayout.write(unit, "main.c", dir.toString(), task);

    Path gen = task.resolve("gen");
    List<String> main = lines(layout.workDir().resolve("main.c"));
    List<String> expected =
        List.of(
            include(gen.resolve("inc0.h")),
            include(gen.resolve("inc1.h")),
            "#define SQUARE(x) \\",
            "  ((x) * (x))",
            "#if 1 /* evaluated by -frewrite-includes */",
            "int big = SQUARE(B_VAL);",
            "#else",
            "int small = 1;",
            "#endif",
            "",
            include(gen.resolve("inc2.h")),
            "size_t n = sizeof(int);",
            "/* a comment */ int main(void) { return a_fn(big) + CFG; }");
    assertEquals(expected, main);
    assertEquals("# 1 \"./inc/a.h\"", lines(gen.resolve("inc0.h")).get(0));
    // clang marks system headers with flag 3 alone.
    String stddef = lines(gen.resolve("inc1.h")).get(0);
    assertTrue(stddef.matches("# 1 \"/\\S*/include/stddef\\.h\" 3"), stddef);
    assertEquals("# 1 \"./inc/b.h\"\n#define B_VAL 42\n", Files.readString(gen.resolve("inc2.h")));
    assertEquals(List.of(gen.resolve("pre0.h")), layout.includes());
    assertEquals("# 1 \"./cfg.h\"\n#define CFG 1\n", Files.readString(gen.resolve("pre0.h")));
  }

  @Test
  void absoluteHeaderNamesAreMirroredAndTheirLinesWritten() throws Exception {
    Path dir = tmp.resolve("proj");
    Tools.write(dir, "main.c", "#include \"x.h\"\n#include <stddef.h>\nint y;\n");
    Path hdr = dir.resolve("hdr").toAbsolutePath();
    Tools.write(hdr, "x.h", "/* x */\nint x_fn(int);\n");
    byte[] unit = preprocess(Tools.GCC, dir, "-I" + hdr, "-E", "-fdirectives-only", "main.c");
    Path task = taskDir();

    UnitLayout.Layout layout = UnitLayout.write(unit, "main.c", dir.toString(), task);

    Path root = task.resolve("root");
    Path mirrored = root.resolve(hdr.toString().substring(1)).resolve("x.h");
    List<String> generated = lines(task.resolve("gen/inc0.h"));
    assertEquals("# 1 \"" + mirrored + "\"", generated.get(0));
    assertEquals(List.of("/* x */", "int x_fn(int);"), lines(mirrored));
    List<String> stddef = lines(task.resolve("gen/inc1.h"));
    assertTrue(stddef.get(0).matches("# 1 \"/usr/\\S*/stddef\\.h\" 3 4"), stddef.get(0));
    assertFalse(Files.exists(root.resolve("usr")));
    assertEquals(
        List.of(include(task.resolve("gen/inc0.h")), include(task.resolve("gen/inc1.h")), "int y;"),
        lines(layout.workDir().resolve("main.c")));
  }

  @Test
  void relativeSourceWithDotDotLandsInTheMirror() throws Exception {
    Path dir = tmp.resolve("proj");
    Tools.write(dir, "src/x.c", "int x = 1;\nint y = 2;\n");
    Path build = Files.createDirectories(dir.resolve("build"));
    byte[] unit = preprocess(Tools.GCC, build, "-E", "-fdirectives-only", "../src/x.c");
    Path task = taskDir();

    UnitLayout.Layout layout = UnitLayout.write(unit, "../src/x.c", build.toString(), task);

    Path root = task.resolve("root");
    assertEquals(root.resolve(build.toString().substring(1)), layout.workDir());
    assertTrue(Files.isDirectory(layout.workDir()));
    assertEquals("../src/x.c", layout.inputPath());
    Path mainFile = root.resolve(dir.toString().substring(1)).resolve("src/x.c");
    assertEquals(List.of("int x = 1;", "int y = 2;"), lines(mainFile));
    assertTrue(mainFile.startsWith(task));
  }

  @Test
  void absoluteSourceLandsInTheMirror() throws Exception {
    Path dir = tmp.resolve("proj");
    Path src = Tools.write(dir, "src/x.c", "int x = 1;\n");
    Path build = Files.createDirectories(dir.resolve("build"));
    byte[] unit = preprocess(Tools.GCC, build, "-E", "-fdirectives-only", src.toString());
    Path task = taskDir();

    UnitLayout.Layout layout = UnitLayout.write(unit, src.toString(), build.toString(), task);

    Path mirrored = task.resolve("root").resolve(src.toString().substring(1));
    assertEquals(mirrored.toString(), layout.inputPath());
    assertEquals(List.of("int x = 1;"), lines(mirrored));
  }

  @Test
  void sourcePathEscapingTheTaskDirIsRefused() throws Exception {
    Path task = taskDir();
    byte[] unit = "# 1 \"x.c\"\nint x;\n".getBytes(StandardCharsets.ISO_8859_1);
    String escape = "../".repeat(task.getNameCount() + 3) + "etc/x.c";

    InvalidUnitException e =
        assertThrows(InvalidUnitException.class, () -> UnitLayout.write(unit, escape, "/a", task));
    assertEquals("source path leaves the task directory", e.getMessage());
    e =
        assertThrows(
            InvalidUnitException.class,
            () -> UnitLayout.write(unit, "/../../../etc/x.c", "/a", task));
    assertEquals("source path leaves the task directory", e.getMessage());
    e =
        assertThrows(
            InvalidUnitException.class, () -> UnitLayout.write(unit, "x.c", "/../../x", task));
    assertEquals("client working directory leaves the task directory", e.getMessage());
    assertEquals(List.of(), generatedFiles(task), "nothing written for a refused unit");
  }

  @Test
  void relativeClientCwdIsRefused() throws Exception {
    Path task = taskDir();
    byte[] unit = "# 1 \"x.c\"\nint x;\n".getBytes(StandardCharsets.ISO_8859_1);
    InvalidUnitException e =
        assertThrows(
            InvalidUnitException.class, () -> UnitLayout.write(unit, "x.c", "home/me", task));
    assertEquals("client working directory must be an absolute path", e.getMessage());
  }

  @Test
  void missingMainFileMarkerIsRefused() throws Exception {
    Path dir = project();
    byte[] unit = preprocess(Tools.GCC, dir, "-E", "-fdirectives-only", "main.c");
    Path task = taskDir();
    // The client claims another source than the one it preprocessed.
    InvalidUnitException e =
        assertThrows(
            InvalidUnitException.class,
            () -> UnitLayout.write(unit, "other.c", dir.toString(), task));
    assertEquals(
        "preprocessed text has no line marker for the main file 'other.c'", e.getMessage());
  }

  @Test
  void lineDirectiveNamingAnotherFileIsRefused() throws Exception {
    Path dir = tmp.resolve("proj");
    Tools.write(dir, "l.c", "int x;\n#line 50 \"other.c\"\nint y;\n");
    byte[] unit = preprocess(Tools.GCC, dir, "-E", "-fdirectives-only", "l.c");
    InvalidUnitException e =
        assertThrows(
            InvalidUnitException.class,
            () -> UnitLayout.write(unit, "l.c", dir.toString(), taskDir()));
    assertEquals(
        "line marker for 'other.c' inside the main file (#line is not supported)", e.getMessage());
  }

  @Test
  void textEndingInsideAnIncludeIsRefused() throws Exception {
    Path dir = project();
    String full =
        new String(
            preprocess(Tools.GCC, dir, "-E", "-fdirectives-only", "main.c"),
            StandardCharsets.ISO_8859_1);
    // Cut the unit right after the second header was entered.
    int cut = full.indexOf("\n", full.indexOf("/stddef.h\" 1 3 4")) + 1;
    byte[] truncated = full.substring(0, cut).getBytes(StandardCharsets.ISO_8859_1);
    InvalidUnitException e =
        assertThrows(
            InvalidUnitException.class,
            () -> UnitLayout.write(truncated, "main.c", dir.toString(), taskDir()));
    assertEquals("preprocessed text ends inside an included file", e.getMessage());
  }

  /** A line number the text cannot back would make the worker write gigabytes of blank lines. */
  @Test
  void absurdLineNumbersAreRefused() throws Exception {
    String[][] cases = {
      {"# 1 \"x.c\"\nint x;\n# 99999999999 \"x.c\"\nint y;\n", "99999999999"},
      {"# 1 \"x.c\"\n# 2000000000 \"x.c\"\nint y;\n", "2000000000"},
      {"# 1 \"x.c\"\n# 1 \"a.h\" 1\nint a;\n# 99999999999 \"x.c\" 2\nint y;\n", "99999999999"},
    };
    for (String[] c : cases) {
      byte[] unit = c[0].getBytes(StandardCharsets.ISO_8859_1);
      Path task = Files.createTempDirectory(tmp, "task");
      InvalidUnitException e =
          assertThrows(
              InvalidUnitException.class, () -> UnitLayout.write(unit, "x.c", "/src", task), c[0]);
      assertEquals("line number " + c[1] + " in 'x.c' is out of range", e.getMessage());
    }
  }

  @Test
  void absurdLineNumbersInsideAHeaderOnlyCostItsSnippetFile() throws Exception {
    byte[] unit =
        ("# 1 \"x.c\"\n# 1 \"a.h\" 1\n# 2000000000 \"a.h\"\nint a;\n"
                + "# 1 \"b.h\" 1\nint b;\n# 99999999999 \"a.h\" 2\n# 2 \"x.c\" 2\nint y;\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    Path task = taskDir();
    UnitLayout.Layout layout = UnitLayout.write(unit, "x.c", "/src", task);
    assertEquals(
        List.of(include(task.resolve("gen/inc0.h")), "int y;"),
        lines(layout.workDir().resolve("x.c")));
    assertFalse(Files.exists(layout.workDir().resolve("a.h")));
    assertEquals(List.of("int b;"), lines(layout.workDir().resolve("b.h")));
  }

  private static List<Path> generatedFiles(Path task) throws IOException {
    try (Stream<Path> s = Files.walk(task)) {
      List<Path> out = new ArrayList<>();
      s.filter(Files::isRegularFile).forEach(out::add);
      return out;
    }
  }
}
