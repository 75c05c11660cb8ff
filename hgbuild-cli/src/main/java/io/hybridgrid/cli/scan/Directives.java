package io.hybridgrid.cli.scan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The preprocessor directives of one file that decide which other files a compile may read: every
 * {@code #include}, {@code #include_next}, {@code #import} and {@code #embed}, every {@code
 * __has_include} operand, and the object-like macros a computed include may name. Conditionals are
 * not evaluated: a file's directives are those of all its branches, so the set they lead to is a
 * superset of what any one compile reads.
 *
 * <p>{@link #unsure()} is set when the text could not be read with confidence (a comment or raw
 * string left open at the end of the file); the caller then asks the compiler instead.
 *
 * @param includes the files named, in order of appearance
 * @param objectMacros replacement texts of object-like macros by name (all definitions)
 * @param functionMacros names defined as function-like macros
 * @param unsure whether the scan of this file cannot be trusted
 */
public record Directives(
    List<Include> includes,
    Map<String, List<String>> objectMacros,
    Set<String> functionMacros,
    boolean unsure) {

  /** How a directive names a file. */
  public enum Kind {
    /** {@code "name"}: the including file's directory first, then the quote and bracket chains. */
    QUOTE,
    /** {@code <name>}: the bracket chain. */
    ANGLE,
    /** A macro that expands to one of the above; {@code name} is the macro. */
    MACRO,
    /** Something no scan of this kind can resolve (a function-like macro, pasting). */
    UNRESOLVABLE
  }

  /**
   * One file named by a directive.
   *
   * @param kind how it is named
   * @param name the name between the quotes or brackets, or the macro
   * @param next whether it is an {@code _next} form (search continues after the current directory)
   * @param follow whether the named file is itself C text to scan ({@code #embed} data is not)
   */
  public record Include(Kind kind, String name, boolean next, boolean follow) {}

  /** Directives of an empty file. */
  public static final Directives NONE = new Directives(List.of(), Map.of(), Set.of(), false);

  /** Parses {@code text}; never fails (text it cannot read sets {@link #unsure()}). */
  public static Directives parse(byte[] text) {
    return new Parser(new String(text, StandardCharsets.ISO_8859_1)).run();
  }

  /** A line-oriented reader that tracks only what can hide a directive: comments and strings. */
  private static final class Parser {
    private final String src;
    private final List<Include> includes = new ArrayList<>();
    private final Map<String, List<String>> objectMacros = new HashMap<>();
    private final Set<String> functionMacros = new HashSet<>();
    private boolean inComment;
    private String rawEnd; // the closing ")delim\"" while inside a raw string
    private final StringBuilder line = new StringBuilder();

    Parser(String src) {
      this.src = src;
    }

    Directives run() {
      int i = 0;
      int n = src.length();
      while (i < n) {
        // One logical line: physical lines joined where a backslash ends them.
        line.setLength(0);
        while (i < n) {
          char c = src.charAt(i);
          if (c == '\\') {
            int j = i + 1;
            if (j < n && src.charAt(j) == '\r') {
              j++;
            }
            if (j < n && src.charAt(j) == '\n') {
              i = j + 1;
              continue;
            }
          }
          if (c == '\n') {
            i++;
            break;
          }
          line.append(c);
          i++;
        }
        logicalLine(clean(line));
      }
      boolean unsure = inComment || rawEnd != null;
      return new Directives(List.copyOf(includes), objectMacros, functionMacros, unsure);
    }

    /**
     * The line with comments replaced by a space and raw-string bodies blanked, carrying an open
     * block comment or raw string over to the next line. Ordinary string and character literals end
     * at the end of the line at the latest, so a mistake in one stays on its line.
     */
    private String clean(CharSequence l) {
      StringBuilder out = new StringBuilder(l.length());
      int n = l.length();
      int i = 0;
      while (i < n) {
        if (rawEnd != null) {
          int end = indexOf(l, rawEnd, i);
          if (end < 0) {
            return out.toString();
          }
          i = end + rawEnd.length();
          rawEnd = null;
          out.append("\"\"");
          continue;
        }
        if (inComment) {
          int end = indexOf(l, "*/", i);
          if (end < 0) {
            return out.toString();
          }
          i = end + 2;
          inComment = false;
          out.append(' ');
          continue;
        }
        char c = l.charAt(i);
        if (c == '/' && i + 1 < n && l.charAt(i + 1) == '*') {
          inComment = true;
          i += 2;
        } else if (c == '/' && i + 1 < n && l.charAt(i + 1) == '/') {
          return out.toString();
        } else if (c == '"') {
          int rawOpen = rawStringOpen(l, i);
          if (rawOpen > 0) {
            rawEnd = ")" + l.subSequence(i + 1, rawOpen) + "\"";
            i = rawOpen + 1;
          } else {
            i = literal(l, i, '"', out);
          }
        } else if (c == '\'' && !(i > 0 && isIdentifierChar(l.charAt(i - 1)))) {
          // A quote after a digit or letter is a C++14 digit separator or a prefix; both stay
          // on this line, so treating them as plain text is safe.
          i = literal(l, i, '\'', out);
        } else {
          out.append(c);
          i++;
        }
      }
      return out.toString();
    }

    /** Copies the literal starting at {@code i} (to its closing quote or the line's end). */
    private static int literal(CharSequence l, int i, char quote, StringBuilder out) {
      int n = l.length();
      out.append(quote);
      int j = i + 1;
      while (j < n) {
        char c = l.charAt(j);
        out.append(c);
        j++;
        if (c == '\\' && j < n) {
          out.append(l.charAt(j));
          j++;
        } else if (c == quote) {
          break;
        }
      }
      return j;
    }

    /**
     * When the quote at {@code q} opens a raw string ({@code R"delim(}, after {@code R}, {@code
     * LR}, {@code uR}, {@code UR} or {@code u8R} that start an identifier), the index of its
     * opening parenthesis; else -1.
     */
    private static int rawStringOpen(CharSequence l, int q) {
      if (q == 0 || l.charAt(q - 1) != 'R') {
        return -1;
      }
      int start = q - 1;
      while (start > 0 && isIdentifierChar(l.charAt(start - 1))) {
        start--;
      }
      String prefix = l.subSequence(start, q).toString();
      if (!(prefix.equals("R")
          || prefix.equals("LR")
          || prefix.equals("uR")
          || prefix.equals("UR")
          || prefix.equals("u8R"))) {
        return -1;
      }
      for (int j = q + 1; j < l.length() && j <= q + 17; j++) {
        char c = l.charAt(j);
        if (c == '(') {
          return j;
        }
        if (c == ')' || c == '\\' || c == '"' || Character.isWhitespace(c)) {
          return -1;
        }
      }
      return -1;
    }

    private void logicalLine(String l) {
      int i = skipSpace(l, 0);
      if (i < l.length() && l.charAt(i) == '#') {
        i++;
      } else if (l.startsWith("%:", i)) {
        i += 2;
      } else {
        return;
      }
      i = skipSpace(l, i);
      int nameEnd = identifierEnd(l, i);
      String directive = l.substring(i, nameEnd);
      String rest = l.substring(nameEnd);
      switch (directive) {
        case "include", "import" -> include(rest, false, true);
        case "include_next" -> include(rest, true, true);
        case "embed" -> include(rest, false, false);
        case "if", "elif" -> hasInclude(rest);
        case "define" -> define(rest);
        default -> {
          // other directives name no file
        }
      }
    }

    private void include(String rest, boolean next, boolean follow) {
      Include inc = named(rest, skipSpace(rest, 0), next, follow);
      if (inc != null) {
        includes.add(inc);
      }
    }

    /** The file named at {@code i} of {@code s}: {@code "x"}, {@code <x>} or a macro. */
    private static Include named(String s, int i, boolean next, boolean follow) {
      if (i >= s.length()) {
        return null;
      }
      char c = s.charAt(i);
      if (c == '"' || c == '<') {
        int end = s.indexOf(c == '"' ? '"' : '>', i + 1);
        if (end < 0) {
          return null; // the compiler rejects it too
        }
        return new Include(
            c == '"' ? Kind.QUOTE : Kind.ANGLE, s.substring(i + 1, end), next, follow);
      }
      int end = identifierEnd(s, i);
      if (end == i) {
        return new Include(Kind.UNRESOLVABLE, s.substring(i).trim(), next, follow);
      }
      int after = skipSpace(s, end);
      if (after < s.length() && s.charAt(after) == '(') {
        return new Include(Kind.UNRESOLVABLE, s.substring(i).trim(), next, follow);
      }
      return new Include(Kind.MACRO, s.substring(i, end), next, follow);
    }

    private void hasInclude(String rest) {
      int from = 0;
      while (true) {
        int at = rest.indexOf("__has_include", from);
        if (at < 0) {
          return;
        }
        int end = identifierEnd(rest, at);
        String op = rest.substring(at, end);
        from = end;
        if (!op.equals("__has_include") && !op.equals("__has_include_next")) {
          continue;
        }
        int open = skipSpace(rest, end);
        if (open >= rest.length() || rest.charAt(open) != '(') {
          continue; // "defined __has_include" and the like
        }
        Include inc = named(rest, skipSpace(rest, open + 1), op.endsWith("_next"), true);
        if (inc != null) {
          includes.add(inc);
        }
      }
    }

    private void define(String rest) {
      int i = skipSpace(rest, 0);
      int end = identifierEnd(rest, i);
      if (end == i) {
        return;
      }
      String name = rest.substring(i, end);
      if (end < rest.length() && rest.charAt(end) == '(') {
        functionMacros.add(name);
        return;
      }
      objectMacros.computeIfAbsent(name, k -> new ArrayList<>()).add(rest.substring(end).trim());
    }

    private static int skipSpace(String s, int i) {
      while (i < s.length()
          && (s.charAt(i) == ' '
              || s.charAt(i) == '\t'
              || s.charAt(i) == '\f'
              || s.charAt(i) == '\u000b'
              || s.charAt(i) == '\r')) {
        i++;
      }
      return i;
    }

    private static int identifierEnd(String s, int i) {
      while (i < s.length() && isIdentifierChar(s.charAt(i))) {
        i++;
      }
      return i;
    }

    private static boolean isIdentifierChar(char c) {
      return c == '_'
          || (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '$'
          || c > 127;
    }

    private static int indexOf(CharSequence l, String s, int from) {
      int n = l.length() - s.length();
      outer:
      for (int i = from; i <= n; i++) {
        for (int k = 0; k < s.length(); k++) {
          if (l.charAt(i + k) != s.charAt(k)) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}
