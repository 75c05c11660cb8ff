package io.hybridgrid.cli.action;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The part of the client's environment an action carries: what changes the compiler's output or
 * diagnostics and is safe to reproduce on a worker. Everything else is left out, so the worker's
 * run does not depend on the client's shell (docs/design.md, "Remote compiles", lists the choice).
 */
public final class ActionEnvironment {

  /**
   * Sent as is. PATH (the driver finds {@code as} on it, and argv[0] may be a bare name); the
   * locale (message language and quotes); {@code SOURCE_DATE_EPOCH} and {@code TZ} ({@code
   * __DATE__}/{@code __TIME__}); the diagnostics' width, colours, URLs and extra output; the
   * include-path variables (whose directories the input root carries).
   */
  public static final List<String> CARRIED =
      List.of(
          "PATH",
          "LANG",
          "LANGUAGE",
          "SOURCE_DATE_EPOCH",
          "TZ",
          "COLUMNS",
          "GCC_COLORS",
          "GCC_URLS",
          "TERM_URLS",
          "GCC_EXTRA_DIAGNOSTIC_OUTPUT",
          "CPATH",
          "C_INCLUDE_PATH",
          "CPLUS_INCLUDE_PATH",
          "OBJC_INCLUDE_PATH",
          "OBJCPLUS_INCLUDE_PATH");

  /** Variables that make gcc run other programs or write files an action does not bring back. */
  private static final List<String> LOCAL_ONLY =
      List.of(
          "GCC_EXEC_PREFIX",
          "COMPILER_PATH",
          "DEPENDENCIES_OUTPUT",
          "SUNPRO_DEPENDENCIES",
          "GCC_COMPARE_DEBUG",
          "CCC_OVERRIDE_OPTIONS");

  /** The include-path variables: their directories must exist on the worker. */
  public static final List<String> INCLUDE_PATH_VARIABLES =
      List.of(
          "CPATH",
          "C_INCLUDE_PATH",
          "CPLUS_INCLUDE_PATH",
          "OBJC_INCLUDE_PATH",
          "OBJCPLUS_INCLUDE_PATH");

  private ActionEnvironment() {}

  /** Why this environment keeps compiles local, or empty. */
  public static Optional<String> localReason(Map<String, String> env) {
    for (String k : LOCAL_ONLY) {
      String v = env.get(k);
      if (v != null && !v.isEmpty()) {
        return Optional.of("environment variable " + k + " is set");
      }
    }
    return Optional.empty();
  }

  /** The carried variables that are set, plus every {@code LC_*}, sorted. */
  public static Map<String, String> carried(Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    for (String k : CARRIED) {
      String v = env.get(k);
      if (v != null) {
        out.put(k, v);
      }
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith("LC_")) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }
}
