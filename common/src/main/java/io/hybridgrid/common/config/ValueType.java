package io.hybridgrid.common.config;

import io.hybridgrid.common.grpc.HostPort;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a configuration value may be: {@link #check} returns its canonical spelling or throws an
 * {@link IllegalArgumentException} whose message completes "must be ...".
 */
public interface ValueType {

  /**
   * @return the value in canonical form
   * @throws IllegalArgumentException with a message such as "must be a whole number of seconds"
   */
  String check(String raw);

  /** Yes or no: {@code 1 true yes on} and {@code 0 false no off}, in any case. */
  ValueType BOOL =
      raw -> {
        switch (raw.strip().toLowerCase(Locale.ROOT)) {
          case "1", "true", "yes", "on" -> {
            return "true";
          }
          case "0", "false", "no", "off", "" -> {
            return "false";
          }
          default ->
              throw new IllegalArgumentException("must be 1/0, true/false, yes/no or on/off");
        }
      };

  /** A TCP port, 0 to 65535 (0: any free port). */
  ValueType PORT = integer(0, 65535, "a port number from 0 to 65535");

  /** A count of at least one. */
  ValueType COUNT = integer(1, Integer.MAX_VALUE, "a whole number of at least 1");

  /** Seconds, at least one. */
  ValueType SECONDS = integer(1, Integer.MAX_VALUE, "a whole number of seconds, at least 1");

  /** Seconds where 0 means "never". */
  ValueType SECONDS_OR_ZERO = integer(0, Integer.MAX_VALUE, "a whole number of seconds (0: never)");

  /** A size above zero such as {@code 5G}, {@code 500M}, {@code 64K} or bytes. */
  ValueType SIZE = size(false);

  /** A size where {@code 0} means "none". */
  ValueType SIZE_OR_ZERO = size(true);

  /** {@code host:port}. */
  ValueType HOST_PORT =
      raw -> {
        try {
          return HostPort.parse(raw.strip()).target();
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("must be host:port, e.g. coord.example.org:9000", e);
        }
      };

  /** Any text that is not blank. */
  ValueType TEXT =
      raw -> {
        if (raw.isBlank()) {
          throw new IllegalArgumentException("must not be empty");
        }
        return raw.strip();
      };

  /** One of {@code choices}, in any case. */
  static ValueType oneOf(String... choices) {
    List<String> list = List.of(choices);
    return raw -> {
      String v = raw.strip().toLowerCase(Locale.ROOT);
      if (!list.contains(v)) {
        throw new IllegalArgumentException("must be one of " + String.join(", ", list));
      }
      return v;
    };
  }

  /** A share from 0 to 1, such as {@code 0.05}. */
  ValueType FRACTION =
      raw -> {
        try {
          double v = Double.parseDouble(raw.strip());
          if (!(v >= 0 && v <= 1)) {
            throw new NumberFormatException();
          }
          return Double.toString(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("must be a number from 0 to 1, such as 0.05", e);
        }
      };

  /** A whole number in [min, max]. */
  static ValueType integer(long min, long max, String what) {
    return raw -> {
      try {
        long v = Long.parseLong(raw.strip());
        if (v < min || v > max) {
          throw new NumberFormatException();
        }
        return Long.toString(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be " + what, e);
      }
    };
  }

  /** Sizes as users write them: {@code 5G}, {@code 1.5T}, {@code 500MiB}, {@code 1048576}. */
  static ValueType size(boolean zeroAllowed) {
    return raw -> {
      parseSize(raw, zeroAllowed);
      return raw.strip();
    };
  }

  /** The bytes {@code raw} names (K, M, G, T are powers of 1024). */
  static long parseSize(String raw, boolean zeroAllowed) {
    Matcher m = SizePattern.P.matcher(raw.strip().toUpperCase(Locale.ROOT));
    String must =
        "must be a size such as 5G, 500M, 64K or a number of bytes"
            + (zeroAllowed ? " (0: none)" : ", above 0");
    if (!m.matches()) {
      throw new IllegalArgumentException(must);
    }
    int shift =
        m.group(2) == null
            ? 0
            : switch (m.group(2)) {
              case "K" -> 10;
              case "M" -> 20;
              case "G" -> 30;
              default -> 40;
            };
    double n = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
    if (n >= Long.MAX_VALUE / 2.0 || (n <= 0 && !zeroAllowed) || (n > 0 && n < 1)) {
      throw new IllegalArgumentException(must);
    }
    return (long) n;
  }

  /** Holds the size pattern (interfaces cannot have private constants). */
  final class SizePattern {
    static final Pattern P = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([KMGT])?(?:I?B)?");

    private SizePattern() {}
  }
}
