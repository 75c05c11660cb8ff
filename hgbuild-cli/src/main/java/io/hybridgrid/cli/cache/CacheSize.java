package io.hybridgrid.cli.cache;

import java.util.Locale;

/** Sizes as users write them: {@code 5G}, {@code 500M}, {@code 64K}, {@code 1048576}. */
public final class CacheSize {

  /** 5 GiB, the default limit. */
  public static final long DEFAULT = 5L << 30;

  private CacheSize() {}

  /**
   * Parses a size with an optional binary suffix K, M, G or T (also KB/KiB ...).
   *
   * @param what the variable or option being parsed, named in the error
   * @throws IllegalArgumentException naming {@code what} and the value when it is not a size
   */
  public static long parse(String what, String value) {
    String v = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
    for (String suffix : new String[] {"IB", "B"}) {
      if (v.length() > suffix.length() && v.endsWith(suffix)) {
        v = v.substring(0, v.length() - suffix.length());
        break;
      }
    }
    int shift = 0;
    if (!v.isEmpty()) {
      switch (v.charAt(v.length() - 1)) {
        case 'K' -> shift = 10;
        case 'M' -> shift = 20;
        case 'G' -> shift = 30;
        case 'T' -> shift = 40;
        default -> shift = 0;
      }
      if (shift != 0) {
        v = v.substring(0, v.length() - 1);
      }
    }
    try {
      double n = Double.parseDouble(v);
      if (v.isEmpty() || !(n > 0) || n * Math.pow(2, shift) > Long.MAX_VALUE / 2 || !isPlain(v)) {
        throw new NumberFormatException();
      }
      return (long) (n * (1L << shift));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          what + " must be a size such as 5G, 500M, 64K or a number of bytes, not '" + value + "'",
          e);
    }
  }

  private static boolean isPlain(String v) {
    return v.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
  }

  /** A size for people: {@code 4.9 GiB}, {@code 312.0 KiB}, {@code 17 B}. */
  public static String format(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
