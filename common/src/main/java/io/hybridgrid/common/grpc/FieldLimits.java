package io.hybridgrid.common.grpc;

import java.util.List;
import java.util.Map;

/**
 * Every bound on what a peer may send, in one place: identifiers, names, free text, paths, argument
 * lists and environments. A message over a bound is refused with an error naming the field and the
 * bound; text that is only recorded (event reasons, rejection messages) is cut to its bound.
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

  /** File paths (source path, working directory). */
  public static final int MAX_PATH = 4096;

  /** Arguments of one compile. Linux's own limit on one argument is 128 KiB. */
  public static final int MAX_ARGS = 4096;

  /** Bytes of one argument. */
  public static final int MAX_ARG_LENGTH = 128 * 1024;

  /** Bytes of all arguments together (Linux's ARG_MAX is 2 MiB with the environment). */
  public static final int MAX_ARGS_TOTAL = 2 * 1024 * 1024;

  /** Environment variables sent with one compile, and compilers one worker offers. */
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

  /** Checks a compile's argument list: count, each argument's length, and the total. */
  public static void checkArgs(List<String> args) {
    if (args.size() > MAX_ARGS) {
      throw new IllegalArgumentException(
          args.size() + " arguments; the limit is " + MAX_ARGS + " (a client fault)");
    }
    long total = 0;
    for (String a : args) {
      if (a.length() > MAX_ARG_LENGTH) {
        throw new IllegalArgumentException(
            "an argument of " + a.length() + " characters; the limit is " + MAX_ARG_LENGTH);
      }
      total += a.length();
    }
    if (total > MAX_ARGS_TOTAL) {
      throw new IllegalArgumentException(
          "arguments total " + total + " characters; the limit is " + MAX_ARGS_TOTAL);
    }
  }

  /** Longest file name component (Linux NAME_MAX). */
  public static final int MAX_NAME_COMPONENT = 255;

  /**
   * Checks a file path: at most {@link #MAX_PATH} characters, no component longer than {@link
   * #MAX_NAME_COMPONENT} bytes, no NUL. A longer one cannot be created on the worker, which would
   * otherwise look like the worker's fault.
   */
  public static String checkPath(String field, String path) {
    check(field, path, MAX_PATH);
    if (path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(field + " contains a NUL character");
    }
    for (String part : path.split("/")) {
      if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_COMPONENT) {
        throw new IllegalArgumentException(
            field + " has a name longer than " + MAX_NAME_COMPONENT + " bytes");
      }
    }
    return path;
  }

  /** Checks an environment map: entry count and each key and value. */
  public static void checkEnv(Map<String, String> env) {
    if (env.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          env.size() + " environment variables; the limit is " + MAX_ENTRIES);
    }
    env.forEach(
        (k, v) -> {
          check("environment variable name", k, MAX_LABEL);
          check("environment variable " + k, v, MAX_TEXT);
        });
  }

  /** Text cut to {@code max} characters, for recording what a peer said. */
  public static String cut(String value, int max) {
    return value.length() <= max ? value : value.substring(0, max) + "…";
  }
}
