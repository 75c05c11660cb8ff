package io.hybridgrid.worker.action;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the worker checks on an action before fetching or running anything. The sandbox is the wall;
 * these checks give a malformed or oversized action a clear, early refusal.
 */
final class ActionChecks {
  /**
   * Environment variables an action may set. Anything else is refused: these are what compilers
   * read for output, language and diagnostics; variables that load code or redirect files are not
   * among them.
   */
  static final Set<String> ENV =
      Set.of(
          "PATH",
          "PWD",
          "LANG",
          "LANGUAGE",
          "SOURCE_DATE_EPOCH",
          "COLUMNS",
          "TZ",
          "TERM",
          "GCC_COLORS",
          "GCC_URLS",
          "CPATH",
          "C_INCLUDE_PATH",
          "CPLUS_INCLUDE_PATH",
          "OBJC_INCLUDE_PATH",
          "ZERO_AR_DATE");

  private static final int MAX_PATH = 4096;

  /** Longest file name (one path component), as the kernel's NAME_MAX. */
  private static final int MAX_NAME = 255;

  /** Arguments and their length: the coordinator's bounds (ActionLimits), checked again here. */
  static final int MAX_ARGS = 4096;

  static final int MAX_ARG_LENGTH = 16 * 1024;

  private ActionChecks() {}

  static boolean envAllowed(String key) {
    return ENV.contains(key) || key.startsWith("LC_");
  }

  /**
   * Refuses an action that no worker should run: empty command, relative or invalid paths,
   * environment outside {@link #ENV}, an input root past this worker's bounds.
   */
  static void check(ActionSpec a, SandboxSettings s) throws InvalidActionException {
    if (a.argv().isEmpty() || a.argv().get(0).isEmpty()) {
      throw new InvalidActionException("the action has no command (argv is empty)");
    }
    if (a.argv().size() > MAX_ARGS) {
      throw new InvalidActionException(
          "the command has "
              + a.argv().size()
              + " arguments; at most "
              + MAX_ARGS
              + " are accepted");
    }
    for (String arg : a.argv()) {
      if (arg.indexOf('\0') >= 0) {
        throw new InvalidActionException("an argument contains a NUL byte");
      }
      if (arg.length() > MAX_ARG_LENGTH) {
        throw new InvalidActionException(
            "an argument has "
                + arg.length()
                + " characters; at most "
                + MAX_ARG_LENGTH
                + " are accepted ('"
                + arg.substring(0, 40)
                + "...')");
      }
    }
    path("cwd", a.cwd());
    for (Map.Entry<String, String> e : a.env().entrySet()) {
      if (!envAllowed(e.getKey())) {
        throw new InvalidActionException(
            "environment variable "
                + e.getKey()
                + " is not accepted; allowed: "
                + new java.util.TreeSet<>(ENV)
                + " and LC_*");
      }
      if (e.getValue().indexOf('\0') >= 0) {
        throw new InvalidActionException("environment variable " + e.getKey() + " contains NUL");
      }
    }
    List<ActionSpec.InputFile> files = a.inputs();
    int count = files.size() + a.toolchain().files().size();
    if (count > s.maxInputFiles()) {
      throw new InvalidActionException(
          "the input root has "
              + count
              + " files; this worker accepts at most "
              + s.maxInputFiles()
              + " per action");
    }
    long bytes = 0;
    for (ActionSpec.InputFile f : files) {
      path("input", f.path());
      bytes += f.digest().size();
    }
    for (ActionSpec.InputFile f : a.toolchain().files()) {
      path("toolchain file", f.path());
      bytes += f.digest().size();
    }
    if (bytes > s.maxInputBytes()) {
      throw new InvalidActionException(
          "the input root holds "
              + bytes
              + " bytes; this worker accepts at most "
              + s.maxInputBytes()
              + " bytes per action (--max-input-bytes)");
    }
    for (ActionSpec.Symlink l : a.symlinks()) {
      path("symlink", l.path());
    }
    for (String d : a.directories()) {
      path("directory", d);
    }
    if (a.outputPaths().isEmpty()) {
      throw new InvalidActionException("the action declares no output path");
    }
    Set<String> seen = new HashSet<>();
    for (String o : a.outputPaths()) {
      path("output", o);
      if (!seen.add(o)) {
        throw new InvalidActionException("output path " + o + " is declared twice");
      }
      String name = o.substring(o.lastIndexOf('/') + 1);
      if (name.isEmpty() || name.equals(".") || name.equals("..")) {
        throw new InvalidActionException("output path " + o + " does not name a file");
      }
    }
    if (!a.toolchain().shipped()
        && (a.compilerPath() == null || !a.compilerPath().startsWith("/"))) {
      throw new InvalidActionException(
          "compiler_path must be the absolute path argv[0] resolved to on the client, not '"
              + a.compilerPath()
              + "'");
    }
  }

  private static void path(String what, String p) throws InvalidActionException {
    if (p == null || !p.startsWith("/") || p.length() > MAX_PATH || p.indexOf('\0') >= 0) {
      throw new InvalidActionException(
          what
              + " path must be absolute, at most "
              + MAX_PATH
              + " bytes, without NUL: '"
              + (p == null || p.length() <= 200 ? p : p.substring(0, 200) + "...")
              + "'");
    }
    // A longer name fails when the input root is laid out (ENAMETOOLONG), which would count as
    // this machine's failure: it is the action's.
    for (String name : p.split("/")) {
      if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME) {
        throw new InvalidActionException(
            what + " path has a file name longer than " + MAX_NAME + " bytes: '" + name + "'");
      }
    }
  }
}
