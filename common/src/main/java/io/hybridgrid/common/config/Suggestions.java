package io.hybridgrid.common.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean ...?" for mistyped keys and commands. */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate nearest to {@code word} (Damerau-Levenshtein distance), if it is within a third
   * of the word's length (at least 1, at most 3 edits).
   */
  public static Optional<String> closest(String word, Collection<String> candidates) {
    int limit = Math.max(1, Math.min(3, word.length() / 3));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(word, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return bestDistance <= limit ? Optional.of(best) : Optional.empty();
  }

  /** Every candidate at the smallest distance from {@code word}, when it is close enough. */
  public static java.util.List<String> closestAll(String word, Collection<String> candidates) {
    Optional<String> best = closest(word, candidates);
    if (best.isEmpty()) {
      return java.util.List.of();
    }
    int d = distance(word, best.get());
    return candidates.stream().filter(c -> distance(word, c) == d).toList();
  }

  /** Optimal-string-alignment distance: insertions, deletions, substitutions, transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
