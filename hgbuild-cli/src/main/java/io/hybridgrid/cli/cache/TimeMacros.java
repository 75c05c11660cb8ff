package io.hybridgrid.cli.cache;

/**
 * Which of {@code __DATE__}, {@code __TIME__} and {@code __TIMESTAMP__} a text mentions as whole
 * identifiers. With {@code -fdirectives-only} the preprocessed unit still holds them unexpanded, so
 * the cache key must stand in for their values. A mention in a comment counts too (the safe side).
 *
 * @param date {@code __DATE__}: expands to today's date (or {@code SOURCE_DATE_EPOCH}'s)
 * @param time {@code __TIME__}: expands to the time of the compile (or {@code SOURCE_DATE_EPOCH}'s)
 * @param timestamp {@code __TIMESTAMP__}: the modification time of the file it appears in
 */
public record TimeMacros(boolean date, boolean time, boolean timestamp) {

  /** None of them. */
  public static final TimeMacros NONE = new TimeMacros(false, false, false);

  /** Whether any is present. */
  public boolean any() {
    return date || time || timestamp;
  }

  /** The union of both. */
  public TimeMacros or(TimeMacros o) {
    return new TimeMacros(date || o.date, time || o.time, timestamp || o.timestamp);
  }

  /** Scans {@code bytes[0, len)}. */
  public static TimeMacros scan(byte[] buf, int len) {
    boolean date = false;
    boolean time = false;
    boolean stamp = false;
    for (int i = 0; i + 8 <= len; i++) {
      if (buf[i] != '_' || buf[i + 1] != '_' || (i > 0 && isIdent(buf[i - 1]))) {
        continue;
      }
      if (matches(buf, i, len, "__DATE__")) {
        date = true;
      } else if (matches(buf, i, len, "__TIME__")) {
        time = true;
      } else if (matches(buf, i, len, "__TIMESTAMP__")) {
        stamp = true;
      }
    }
    return new TimeMacros(date, time, stamp);
  }

  private static boolean matches(byte[] buf, int at, int end, String name) {
    int n = name.length();
    if (at + n > end) {
      return false;
    }
    for (int k = 2; k < n; k++) {
      if (buf[at + k] != name.charAt(k)) {
        return false;
      }
    }
    return at + n == end || !isIdent(buf[at + n]);
  }

  private static boolean isIdent(byte b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || b == '_'
        || b == '$'
        || b < 0;
  }
}
