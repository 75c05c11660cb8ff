package io.hybridgrid.worker.compiler;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which compiler executables on PATH a worker offers ({@code hg-worker serve --compilers}): names
 * such as {@code gcc}, {@code g++} or {@code aarch64-linux-gnu-gcc}, where {@code *} matches any
 * run of characters ({@code aarch64-*}). An empty list offers every compiler found.
 *
 * @param patterns the names or patterns as the user wrote them
 */
public record CompilerFilter(List<String> patterns) {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.+*-]+");

  /** Offers every compiler found. */
  public static final CompilerFilter ALL = new CompilerFilter(List.of());

  public CompilerFilter {
    patterns = List.copyOf(patterns);
    for (String p : patterns) {
      if (!VALID.matcher(p).matches()) {
        throw new IllegalArgumentException(
            "--compilers: '"
                + p
                + "' is not a compiler name (letters, digits, . _ + - and * only, no paths)");
      }
    }
  }

  /** Parses {@code gcc,g++,aarch64-linux-gnu-gcc}; null or blank means {@link #ALL}. */
  public static CompilerFilter parse(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return ALL;
    }
    return new CompilerFilter(
        java.util.Arrays.stream(commaSeparated.split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList());
  }

  /** Whether the executable named {@code fileName} may be offered. */
  public boolean accepts(String fileName) {
    if (patterns.isEmpty()) {
      return true;
    }
    for (String p : patterns) {
      if (glob(p).matcher(fileName).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern glob(String p) {
    StringBuilder re = new StringBuilder();
    for (String part : p.split("\\*", -1)) {
      if (re.length() > 0) {
        re.append(".*");
      }
      re.append(Pattern.quote(part));
    }
    return Pattern.compile(re.toString());
  }
}
