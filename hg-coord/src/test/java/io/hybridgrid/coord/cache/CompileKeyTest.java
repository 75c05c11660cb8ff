package io.hybridgrid.coord.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.Language;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompileKeyTest {
  private static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  /** One field of a compile; each variant differs from {@link #BASE} in exactly one place. */
  private record Unit(
      CompilerIdentity compiler,
      Language language,
      List<String> args,
      String source,
      String cwd,
      String text,
      Map<String, String> env) {
    CacheKey key() {
      return CompileKey.of(
          compiler,
          language,
          args,
          source,
          cwd,
          ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)),
          env);
    }
  }

  private static final Unit BASE =
      new Unit(
          GCC,
          Language.C,
          List.of("-O2", "-Wall"),
          "src/a.c",
          "/home/dev/p",
          "int f(void) { return 1; }\n",
          Map.of("SOURCE_DATE_EPOCH", "0"));

  @Test
  void sameInputSameKeyAndTheDigestIsSha256() {
    assertEquals(BASE.key(), BASE.key());
    assertEquals(64, BASE.key().hex().length());
    assertEquals(BASE.key(), CacheKey.parse(BASE.key().hex()));
  }

  @Test
  void everyFieldThatAffectsTheOutputChangesTheKey() {
    List<Unit> variants =
        List.of(
            new Unit(
                new CompilerIdentity("gcc", "12.3.0", "x86_64-linux-gnu", false),
                BASE.language(),
                BASE.args(),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                BASE.env()),
            new Unit(
                new CompilerIdentity("clang", "12.2.0", "x86_64-linux-gnu", false),
                BASE.language(),
                BASE.args(),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                BASE.env()),
            new Unit(
                new CompilerIdentity("gcc", "12.2.0", "aarch64-linux-gnu", false),
                BASE.language(),
                BASE.args(),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                BASE.env()),
            new Unit(
                new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", true),
                BASE.language(),
                BASE.args(),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                BASE.env()),
            new Unit(
                GCC, Language.CXX, BASE.args(), BASE.source(), BASE.cwd(), BASE.text(), BASE.env()),
            new Unit(
                GCC,
                BASE.language(),
                List.of("-O3", "-Wall"),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                BASE.env()),
            new Unit(
                GCC,
                BASE.language(),
                List.of("-Wall", "-O2"),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                BASE.env()),
            new Unit(
                GCC,
                BASE.language(),
                List.of("-O2-Wall"),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                BASE.env()),
            new Unit(
                GCC, BASE.language(), BASE.args(), "src/b.c", BASE.cwd(), BASE.text(), BASE.env()),
            new Unit(
                GCC,
                BASE.language(),
                BASE.args(),
                BASE.source(),
                BASE.cwd(),
                "int f(void) { return 2; }\n",
                BASE.env()),
            new Unit(
                GCC,
                BASE.language(),
                BASE.args(),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                Map.of("SOURCE_DATE_EPOCH", "1")),
            new Unit(
                GCC,
                BASE.language(),
                BASE.args(),
                BASE.source(),
                BASE.cwd(),
                BASE.text(),
                Map.of()));
    Set<CacheKey> keys = new HashSet<>();
    keys.add(BASE.key());
    for (Unit u : variants) {
      assertTrue(keys.add(u.key()), () -> "collides: " + u);
    }
  }

  @Test
  void oneByteOfThePreprocessedUnitChangesTheKey() {
    byte[] unit = BASE.text().getBytes(StandardCharsets.UTF_8);
    CacheKey before = keyOf(unit);
    unit[unit.length - 3] ^= 1;
    assertNotEquals(before, keyOf(unit));
  }

  private static CacheKey keyOf(byte[] unit) {
    return CompileKey.of(
        GCC, Language.C, BASE.args(), BASE.source(), BASE.cwd(), ByteBuffer.wrap(unit), BASE.env());
  }

  @Test
  void workingDirectoryCountsOnlyWhenTheObjectRecordsIt() {
    Unit elsewhere =
        new Unit(
            GCC, Language.C, BASE.args(), BASE.source(), "/tmp/other", BASE.text(), BASE.env());
    assertEquals(BASE.key(), elsewhere.key(), "no -g: two checkouts share the entry");

    List<String> debug = List.of("-O2", "-g");
    Unit g = new Unit(GCC, Language.C, debug, BASE.source(), BASE.cwd(), BASE.text(), BASE.env());
    Unit gElsewhere =
        new Unit(GCC, Language.C, debug, BASE.source(), "/tmp/other", BASE.text(), BASE.env());
    assertNotEquals(g.key(), gElsewhere.key(), "-g records DW_AT_comp_dir");

    assertTrue(CompileKey.dependsOnWorkingDirectory(List.of("-ggdb3")));
    assertTrue(CompileKey.dependsOnWorkingDirectory(List.of("--coverage")));
    assertTrue(CompileKey.dependsOnWorkingDirectory(List.of("-fprofile-arcs")));
    assertFalse(CompileKey.dependsOnWorkingDirectory(List.of("-g0", "-O2")));
  }

  @Test
  void environmentOrderDoesNotMatter() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("A", "1");
    ab.put("B", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("B", "2");
    ba.put("A", "1");
    Unit x = new Unit(GCC, Language.C, BASE.args(), BASE.source(), BASE.cwd(), BASE.text(), ab);
    Unit y = new Unit(GCC, Language.C, BASE.args(), BASE.source(), BASE.cwd(), BASE.text(), ba);
    assertEquals(x.key(), y.key());
  }

  @Test
  void readingTheUnitDoesNotConsumeTheCallersBuffer() {
    ByteBuffer b = ByteBuffer.wrap(BASE.text().getBytes(StandardCharsets.UTF_8));
    CompileKey.of(GCC, Language.C, BASE.args(), BASE.source(), BASE.cwd(), b, BASE.env());
    assertEquals(0, b.position());
  }
}
