package io.hybridgrid.cli.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiagnosticsMergerTest {

  /** gcc 12: a macro redefinition, as both the preprocessing run and the compile print it. */
  private static final String REDEFINED =
      "a.c:5: warning: \"X\" redefined\n"
          + "    5 | #define X 2\n"
          + "      | \n"
          + "a.c:1: note: this is the location of the previous definition\n"
          + "    1 | #define X 1\n"
          + "      | \n";

  private static final String UNDECLARED =
      "a.c: In function 'f':\n"
          + "a.c:3:10: error: 'undefined_y' undeclared (first use in this function)\n"
          + "    3 |   return undefined_y;\n"
          + "      |          ^~~~~~~~~~~\n"
          + "a.c:3:10: note: each undeclared identifier is reported only once for each function"
          + " it appears in\n";

  private static final String CHAIN =
      "In file included from b.h:1,\n" + "                 from a2.c:2:\n";

  private static final String Z_REDEFINED =
      "c.h:1: warning: \"Z\" redefined\n"
          + "    1 | #define Z 2\n"
          + "      | \n"
          + "a2.c:1: note: this is the location of the previous definition\n"
          + "    1 | #define Z 1\n"
          + "      | \n";

  private static final String INT_CONVERSION =
      "c.h:2:9: warning: initialization of 'int' from 'char *' makes integer from pointer"
          + " without a cast [-Wint-conversion]\n"
          + "    2 | int q = \"s\";\n"
          + "      |         ^~~\n";

  @TempDir Path tmp;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String merge(String local, String remote) {
    return new String(DiagnosticsMerger.merge(b(local), b(remote)), StandardCharsets.ISO_8859_1);
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void remoteDiagnosticAlsoPrintedLocallyAppearsOnce() {
    String merged = merge(REDEFINED, REDEFINED + UNDECLARED);
    assertEquals(REDEFINED + UNDECLARED, merged);
    assertEquals(1, count(merged, "warning: \"X\" redefined"));
    assertEquals(1, count(merged, "note: this is the location of the previous definition"));
  }

  @Test
  void duplicatesAreDroppedOneForOne() {
    // Printed twice remotely, once locally: the second one is a diagnostic of its own.
    String merged = merge(REDEFINED, REDEFINED + REDEFINED);
    assertEquals(2, count(merged, "warning: \"X\" redefined"));
    assertEquals(REDEFINED + REDEFINED, merged);
  }

  @Test
  void mergedTextFollowsTheCompilersOrder() {
    // gcc -c prints the error on line 3 before the redefinition on line 5, with a context line.
    String remote = UNDECLARED + "a.c: At top level:\n" + REDEFINED;
    assertEquals(remote, merge(REDEFINED, remote));
  }

  @Test
  void includeChainIsPartOfTheBlock() {
    List<String> blocks = DiagnosticsMerger.blocks(CHAIN + Z_REDEFINED);
    assertEquals(
        List.of(
            CHAIN + "c.h:1: warning: \"Z\" redefined\n" + "    1 | #define Z 2\n" + "      | \n",
            "a2.c:1: note: this is the location of the previous definition\n"
                + "    1 | #define Z 1\n"
                + "      | \n"),
        blocks);
    String remote = CHAIN + Z_REDEFINED + INT_CONVERSION;
    assertEquals(remote, merge(CHAIN + Z_REDEFINED, remote));
  }

  @Test
  void sameIncludeChainWithAnotherMessageIsKeptWhole() {
    String local = CHAIN + Z_REDEFINED;
    String remote = CHAIN + INT_CONVERSION;
    String merged = merge(local, remote);
    assertEquals(local + remote, merged);
    assertEquals(2, count(merged, "In file included from b.h:1,\n"));
    assertEquals(2, count(merged, "                 from a2.c:2:\n"));
  }

  @Test
  void localOnlyDiagnosticsComeFirst() {
    // gcc -fdirectives-only consumes #warning: only the preprocessing run reports it.
    String warning =
        "w.c:1:2: warning: #warning hello there [-Wcpp]\n"
            + "    1 | #warning hello there\n"
            + "      |  ^~~~~~~\n";
    assertEquals(warning + UNDECLARED, merge(warning, UNDECLARED));
  }

  @Test
  void emptySides() {
    assertEquals(REDEFINED, merge("", REDEFINED));
    assertEquals(REDEFINED, merge(REDEFINED, ""));
    assertEquals("", merge("", ""));
    byte[] local = b(REDEFINED);
    assertEquals(local, DiagnosticsMerger.merge(local, new byte[0]), "returned as is");
  }

  @Test
  void clangSummaryOfTheLocalRunIsCoveredByTheRemoteOne() {
    String local =
        "a.c:5:9: warning: 'X' macro redefined [-Wmacro-redefined]\n"
            + "#define X 2\n"
            + "        ^\n"
            + "a.c:1:9: note: previous definition is here\n"
            + "#define X 1\n"
            + "        ^\n"
            + "1 warning generated.\n";
    String remote =
        "a.c:3:10: error: use of undeclared identifier 'undefined_y'\n"
            + "  return undefined_y;\n"
            + "         ^\n"
            + local.replace("1 warning generated.\n", "1 warning and 1 error generated.\n");
    assertEquals(remote, merge(local, remote));
  }

  /**
   * With real compilers: the worker prints what a local compile prints, so merging the
   * preprocessing run's diagnostics into it must give exactly the local compile's stderr.
   */
  @Test
  void realPreprocessingDiagnosticsMergeIntoTheCompilersOutput() throws Exception {
    Files.writeString(
        tmp.resolve("a.c"),
        "#define X 1\nint f(void) {\n  return undefined_y;\n}\n#define X 2\nint x = X;\n");
    Files.writeString(tmp.resolve("a2.c"), "#define Z 1\n#include \"b.h\"\nint k;\n");
    Files.writeString(tmp.resolve("b.h"), "#include \"c.h\"\n");
    Files.writeString(tmp.resolve("c.h"), "#define Z 2\nint q = \"s\";\n");
    int checked = 0;
    for (String[] compiler :
        new String[][] {
          {"/usr/bin/gcc", "-fdirectives-only"}, {"/usr/bin/clang", "-frewrite-includes"}
        }) {
      if (!Files.isExecutable(Path.of(compiler[0]))) {
        continue;
      }
      for (String source : List.of("a.c", "a2.c")) {
        String pp = run(compiler[0], "-E", compiler[1], source, "-o", "unit.i");
        String compile = run(compiler[0], "-c", source, "-o", "x.o");
        assertEquals(true, pp.contains("redefined"), pp);
        assertEquals(compile, merge(pp, compile), compiler[0] + " " + source);
        checked++;
      }
    }
    Assumptions.assumeTrue(checked > 0, "neither gcc nor clang is installed");
  }

  private String run(String... cmd) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(tmp.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    String path = pb.environment().get("PATH");
    pb.environment().clear();
    pb.environment().put("PATH", path == null ? "/usr/bin:/bin" : path);
    Process p = pb.start();
    byte[] err = p.getErrorStream().readAllBytes();
    p.waitFor();
    return new String(err, StandardCharsets.ISO_8859_1);
  }
}
