package io.hybridgrid.common.grpc;

/**
 * Bounds on what a peer may send outside an action (whose own bounds are hg-coord's ActionLimits
 * and hg-worker's ActionChecks): identifiers, names, free text. A message over a bound is refused
 * with an error naming the field and the bound; text that is only recorded (event reasons,
 * rejection messages) is cut to its bound.
 */
public final class FieldLimits {
  /** Worker ids, task ids. */
  public static final int MAX_ID = 128;

  /** Host names, token names, certificate names. */
  public static final int MAX_NAME = 255;

  /** Versions, architectures, compiler targets and similar short labels. */
  public static final int MAX_LABEL = 128;

  /** Free text that is logged or recorded: rejection messages, drain reasons, event reasons. */
  public static final int MAX_TEXT = 2048;

  /** Compilers one worker offers. */
  public static final int MAX_ENTRIES = 64;

  private FieldLimits() {}

  /**
   * Checks a string field.
   *
   * @throws IllegalArgumentException naming the field and the bound
   */
  public static String check(String field, String value, int max) {
    if (value.length() > max) {
      throw new IllegalArgumentException(
          field + " is " + value.length() + " characters; the limit is " + max);
    }
    return value;
  }

  /** Checks an id: non-empty, bounded, printable ASCII without spaces or slashes. */
  public static String checkId(String field, String value) {
    check(field, value, MAX_ID);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(field + " is empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c > '~' || c == '/' || c == '\\') {
        throw new IllegalArgumentException(
            field + " may hold printable ASCII only, without spaces or slashes");
      }
    }
    return value;
  }

  /** Text cut to {@code max} characters, for recording what a peer said. */
  public static String cut(String value, int max) {
    return value.length() <= max ? value : value.substring(0, max) + "…";
  }
}
