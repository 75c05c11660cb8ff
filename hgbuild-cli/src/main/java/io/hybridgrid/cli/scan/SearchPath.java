package io.hybridgrid.cli.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The include search chain of one compiler configuration, as the compiler itself prints it with
 * {@code -E -v}: the directories of {@code #include "..."} after the including file's own, then
 * those of {@code #include <...>}, in order, after the compiler dropped duplicates. Directories it
 * ignored because they did not exist are kept apart: when one appears later, the chain is stale.
 *
 * @param quoteDirs searched for {@code "..."} only, before {@code bracketDirs}
 * @param bracketDirs searched for both forms
 * @param missingDirs named by the configuration but absent when it was probed
 */
public record SearchPath(
    List<String> quoteDirs, List<String> bracketDirs, List<String> missingDirs) {

  public SearchPath {
    quoteDirs = List.copyOf(quoteDirs);
    bracketDirs = List.copyOf(bracketDirs);
    missingDirs = List.copyOf(missingDirs);
  }

  /**
   * Reads the chain from a gcc or clang {@code -v} report; empty when the report has no complete
   * chain or lists a framework directory (a macOS search rule this scan does not model).
   */
  public static Optional<SearchPath> parse(String verbose) {
    List<String> quote = new ArrayList<>();
    List<String> bracket = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> into = null;
    boolean complete = false;
    for (String raw : verbose.split("\n", -1)) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.startsWith("ignoring nonexistent directory \"") && line.endsWith("\"")) {
        missing.add(
            line.substring("ignoring nonexistent directory \"".length(), line.length() - 1));
      } else if (line.equals("#include \"...\" search starts here:")) {
        into = quote;
      } else if (line.equals("#include <...> search starts here:")) {
        into = bracket;
      } else if (line.equals("End of search list.")) {
        complete = into == bracket;
        break;
      } else if (into != null && line.startsWith(" ")) {
        String dir = line.substring(1);
        if (dir.endsWith(" (framework directory)") || dir.endsWith(" (headermap)")) {
          return Optional.empty();
        }
        into.add(dir);
      }
    }
    return complete ? Optional.of(new SearchPath(quote, bracket, missing)) : Optional.empty();
  }
}
