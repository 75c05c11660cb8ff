package io.hybridgrid.cli.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.cli.scan.Directives.Include;
import io.hybridgrid.cli.scan.Directives.Kind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectivesTest {

  private static Directives parse(String text) {
    return Directives.parse(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static Include quote(String name) {
    return new Include(Kind.QUOTE, name, false, true);
  }

  private static Include angle(String name) {
    return new Include(Kind.ANGLE, name, false, true);
  }

  @Test
  void everySpellingOfAnIncludeIsFound() {
    Directives d =
        parse(
            """
            #include "a.h"
              #  include <b.h>
            /* lead */ #include "c.h"
            %:include "d.h"
            #inc\\
            lude "e.h"
            #include_next <f.h>
            #import "g.h"
            #embed "data.bin"
            #define X 1 // #include "not-me.h"
            """);
    assertEquals(
        List.of(
            quote("a.h"),
            angle("b.h"),
            quote("c.h"),
            quote("d.h"),
            quote("e.h"),
            new Include(Kind.ANGLE, "f.h", true, true),
            quote("g.h"),
            new Include(Kind.QUOTE, "data.bin", false, false)),
        d.includes());
    assertFalse(d.unsure());
  }

  @Test
  void aCommentOrStringOpenerInsideALiteralHidesNothing() {
    Directives d =
        parse(
            """
            const char *s = "/*";
            char c = '"';
            int big = 1'000'000; /* a comment */
            #include "after.h"
            """);
    assertEquals(List.of(quote("after.h")), d.includes());
    assertFalse(d.unsure());
  }

  @Test
  void directivesInsideCommentsAndRawStringsAreNotDirectives() {
    Directives d =
        parse(
            """
            /*
            #include "commented.h"
            */
            auto s = R"x(
            #include "in-raw.h"
            )x";
            #include "real.h"
            """);
    assertEquals(List.of(quote("real.h")), d.includes());
    assertFalse(d.unsure());
  }

  @Test
  void hasIncludeOperandsCount() {
    Directives d =
        parse(
            """
            #if __has_include(<x.h>) && defined(__has_include)
            #elif __has_include_next ( "y.h" )
            #endif
            """);
    assertEquals(List.of(angle("x.h"), new Include(Kind.QUOTE, "y.h", true, true)), d.includes());
  }

  @Test
  void computedIncludesNameTheirMacroAndFunctionLikeOnesCannotBeResolved() {
    Directives d =
        parse(
            """
            #define HEADER "config.h"
            #define PICK(x) #x
            #include HEADER
            #include PICK(foo.h)
            """);
    assertEquals(
        List.of(
            new Include(Kind.MACRO, "HEADER", false, true),
            new Include(Kind.UNRESOLVABLE, "PICK(foo.h)", false, true)),
        d.includes());
    assertEquals(List.of("\"config.h\""), d.objectMacros().get("HEADER"));
    assertTrue(d.functionMacros().contains("PICK"));
  }

  @Test
  void anUnterminatedCommentOrRawStringMakesTheFileUnsure() {
    assertTrue(parse("#include \"a.h\"\n/* never closed\n#include \"b.h\"\n").unsure());
    assertTrue(parse("auto s = R\"(never closed\n#include \"b.h\"\n").unsure());
  }
}
