package io.hybridgrid.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DependencyRuleTest {
  private static List<String> parse(String text) {
    return DependencyRule.prerequisites(text.getBytes(StandardCharsets.UTF_8), "hg");
  }

  @Test
  void readsAContinuedRuleAsGccPrintsIt() {
    assertEquals(
        List.of("src/main.c", "/usr/include/stdc-predef.h", "x/../y/plain.h", "lib/part.c"),
        parse("hg: src/main.c /usr/include/stdc-predef.h \\\n x/../y/plain.h \\\n lib/part.c\n"));
  }

  @Test
  void unescapesSpacesHashesAndDollars() {
    assertEquals(
        List.of("my dir/a b.h", "#odd.h", "cost$.h"),
        parse("hg: my\\ dir/a\\ b.h \\#odd.h cost$$.h\n"));
  }

  @Test
  void stopsAtASecondRule() {
    assertEquals(List.of("a.c", "b.h"), parse("hg: a.c b.h\n\nb.h:\n"));
  }

  @Test
  void aRuleForAnotherTargetIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> parse("other.o: a.c\n"));
    assertEquals("dependency scan printed no rule for 'hg': other.o: a.c\n", e.getMessage());
  }
}
