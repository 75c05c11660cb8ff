package io.hybridgrid.cli.action;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the make rule that {@code gcc -M -MT <target>} (and clang) print: {@code target: dep dep
 * \}{@code \n dep}. The compilers escape a space as {@code \ }, {@code #} as {@code \#} and {@code
 * $} as {@code $$}; a backslash before a newline continues the line.
 */
public final class DependencyRule {
  private DependencyRule() {}

  /**
   * The prerequisites of the rule for {@code target}, in order, as the compiler spelled them.
   *
   * @throws IllegalArgumentException when the text is not one rule for {@code target}
   */
  public static List<String> prerequisites(byte[] text, String target) {
    String s = new String(text, StandardCharsets.UTF_8);
    String head = target + ":";
    if (!s.startsWith(head)) {
      throw new IllegalArgumentException(
          "dependency scan printed no rule for '" + target + "': " + abbreviate(s));
    }
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int i = head.length();
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < n) {
        char d = s.charAt(i + 1);
        if (d == '\n') {
          flush(cur, out);
          i += 2;
          continue;
        }
        if (d == '\r' && i + 2 < n && s.charAt(i + 2) == '\n') {
          flush(cur, out);
          i += 3;
          continue;
        }
        if (d == ' ' || d == '#' || d == '\t') {
          cur.append(d);
          i += 2;
          continue;
        }
        cur.append(c);
        i++;
        continue;
      }
      if (c == '$' && i + 1 < n && s.charAt(i + 1) == '$') {
        cur.append('$');
        i += 2;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        flush(cur, out);
        if (c == '\n' && i + 1 < n && s.charAt(i + 1) != ' ' && s.charAt(i + 1) != '\t') {
          // a second rule (e.g. -MP phony targets) would start here; -M prints one rule
          break;
        }
        i++;
        continue;
      }
      cur.append(c);
      i++;
    }
    flush(cur, out);
    return out;
  }

  private static void flush(StringBuilder cur, List<String> out) {
    if (cur.length() > 0) {
      out.add(cur.toString());
      cur.setLength(0);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
