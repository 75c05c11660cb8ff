package io.hybridgrid.common.compiler;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a gcc/clang argument vector into {@link Arg}s by the spellings in {@link OptionTable}, so
 * that an option's value is never taken for an input file and every alias of an option has that
 * option's canonical name. Unknown options are kept as flags, unchanged.
 */
public final class ArgParser {

  private ArgParser() {}

  /** Parses {@code tokens} (the arguments after the compiler name). */
  public static List<Arg> parse(List<String> tokens) {
    List<Arg> out = new ArrayList<>(tokens.size());
    int i = 0;
    while (i < tokens.size()) {
      String t = tokens.get(i);
      i++;
      if (t.startsWith("@")) {
        // A response file: the driver splices its contents in here. Not an input file.
        out.add(Arg.flag(t));
        continue;
      }
      if (t.equals("-") || !t.startsWith("-")) {
        out.add(Arg.input(t));
        continue;
      }
      if (t.startsWith("--") && t.length() > 2) {
        i = parseLong(tokens, i, t, out);
        continue;
      }
      String name = null;
      String attached = null;
      if (t.equals("-undef")) {
        // Starts like "-u SYMBOL" but is a preprocessor flag of its own.
        name = null;
      } else if (t.length() >= 2 && OptionTable.SHORT_WITH_VALUE.contains(t.substring(0, 2))) {
        name = t.substring(0, 2);
        attached = t.length() > 2 ? t.substring(2) : null;
      } else if (t.length() >= 3 && OptionTable.DEP_WITH_VALUE.contains(t.substring(0, 3))) {
        name = t.substring(0, 3);
        attached = t.length() > 3 ? t.substring(3) : null;
      } else {
        for (String w : OptionTable.WORD_WITH_VALUE) {
          if (t.startsWith(w)) {
            name = w;
            attached = t.length() > w.length() ? t.substring(w.length()) : null;
            break;
          }
        }
        if (name == null) {
          int eq = t.indexOf('=');
          String head = eq > 0 ? t.substring(0, eq) : t;
          if (OptionTable.EQUALS_OR_SEPARATE.contains(head)) {
            name = head;
            attached = eq > 0 ? t.substring(eq + 1) : null;
          }
        }
      }
      if (name == null) {
        out.add(Arg.flag(t));
      } else if (attached != null) {
        out.add(new Arg(name, attached, List.of(t), false));
      } else if (i < tokens.size()) {
        out.add(new Arg(name, tokens.get(i), List.of(t, tokens.get(i)), false));
        i++;
      } else {
        // A trailing option with its value missing: the compiler will report it.
        out.add(new Arg(name, null, List.of(t), false));
      }
    }
    return out;
  }

  /** Parses the long option {@code t}; returns the index of the next token. */
  private static int parseLong(List<String> tokens, int i, String t, List<Arg> out) {
    int eq = t.indexOf('=');
    String head = eq > 0 ? t.substring(0, eq) : t;
    String attached = eq > 0 ? t.substring(eq + 1) : null;
    OptionTable.Resolution r = OptionTable.resolveLong(head);
    OptionTable.LongOption o = r.option();
    if (o == null) {
      // gcc reads an unknown --name as -fname (--plugin=x.so loads a plugin); an ambiguous
      // abbreviation is refused by gcc and kept here as written, marked.
      String name = r.ambiguous() ? t : "-f" + t.substring(2);
      out.add(new Arg(name, null, List.of(t), false, r.abbreviated()));
      return i;
    }
    switch (o.kind()) {
      case FLAG -> {
        out.add(new Arg(o.canonical(), null, List.of(t), false, r.abbreviated()));
        return i;
      }
      case SUFFIX_FLAG -> {
        String rest = r.suffix() + (attached != null ? "=" + attached : "");
        out.add(new Arg(o.canonical() + rest, null, List.of(t), false, false));
        return i;
      }
      default -> {
        List<String> spelled = new ArrayList<>(List.of(t));
        String value = attached;
        if (value == null && !o.valueOptional() && i < tokens.size()) {
          value = tokens.get(i);
          spelled.add(value);
          i++;
        }
        if (o.kind() == OptionTable.LongKind.OPTION) {
          out.add(new Arg(o.canonical(), value, spelled, false, r.abbreviated()));
        } else {
          String canonical = o.canonical();
          String text =
              value != null
                  ? canonical + value
                  : canonical.endsWith("=")
                      ? canonical.substring(0, canonical.length() - 1)
                      : canonical;
          out.add(new Arg(text, null, spelled, false, r.abbreviated()));
        }
        return i;
      }
    }
  }
}
