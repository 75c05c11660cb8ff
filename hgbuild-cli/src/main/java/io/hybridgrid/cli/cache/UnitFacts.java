package io.hybridgrid.cli.cache;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the cache needs from a preprocessed unit ({@code gcc -E -fdirectives-only} or {@code clang
 * -E -frewrite-includes}): every file its line markers ({@code # N "path" flags}) name, in order of
 * first appearance, without {@code <built-in>} and {@code <command-line>}, and the time macros it
 * mentions.
 *
 * @param files the file names as the markers spell them (relative to the working directory or
 *     absolute), the main source included
 * @param macros the time macros anywhere in the text
 */
public record UnitFacts(List<String> files, TimeMacros macros) {

  public UnitFacts {
    files = List.copyOf(files);
  }

  /** Scans {@code unit[0, len)}. */
  public static UnitFacts scan(byte[] unit, int len) {
    Set<String> files = new LinkedHashSet<>();
    int i = 0;
    while (i < len) {
      int eol = i;
      while (eol < len && unit[eol] != '\n') {
        eol++;
      }
      if (eol - i > 4 && unit[i] == '#') {
        String name = markerFile(unit, i, eol);
        // "<built-in>", "<command-line>"; and "/cwd//", gcc's working-directory marker under -g
        if (name != null && !name.startsWith("<") && !name.endsWith("//")) {
          files.add(name);
        }
      }
      i = eol + 1;
    }
    return new UnitFacts(new ArrayList<>(files), TimeMacros.scan(unit, len));
  }

  /** The quoted file of a {@code # N "file" ...} or {@code #line N "file"} line, or null. */
  private static String markerFile(byte[] b, int from, int to) {
    int p = from + 1;
    if (p + 4 < to && b[p] == 'l' && b[p + 1] == 'i' && b[p + 2] == 'n' && b[p + 3] == 'e') {
      p += 4;
    }
    if (p >= to || b[p] != ' ') {
      return null;
    }
    p++;
    int digits = p;
    while (p < to && b[p] >= '0' && b[p] <= '9') {
      p++;
    }
    if (p == digits || p + 1 >= to || b[p] != ' ' || b[p + 1] != '"') {
      return null;
    }
    p += 2;
    ByteArrayOutputStream name = new ByteArrayOutputStream();
    while (p < to && b[p] != '"') {
      if (b[p] == '\\' && p + 1 < to) {
        p++;
        if (b[p] >= '0' && b[p] <= '7') {
          int v = 0;
          int k = 0;
          while (k < 3 && p < to && b[p] >= '0' && b[p] <= '7') {
            v = v * 8 + (b[p] - '0');
            p++;
            k++;
          }
          name.write(v);
          continue;
        }
      }
      name.write(b[p]);
      p++;
    }
    return p < to ? name.toString(StandardCharsets.UTF_8) : null;
  }
}
