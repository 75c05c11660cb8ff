package io.hybridgrid.common.compiler;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which arguments keep a compile local when it is sent as an action (hermetic replay: the worker
 * runs the exact command over the client's own files, see docs/design.md, "Remote compiles").
 *
 * <p>Starts from {@link RemotePolicy} (the worker's wall against arguments that read or write files
 * of the worker's choosing) and lets through what replay makes safe: include paths, forced includes
 * and sysroots name files the dependency scan finds and the input root carries; the object,
 * dependency file, {@code .dwo} and {@code .su} are declared outputs the client gets back; linker
 * options are ignored with {@code -c}. Everything that reads a file the scan does not report
 * (specs, plugins, profiles, response files) or writes a file outside the declared outputs (dumps,
 * coverage notes, listings, {@code -save-temps}) stays local.
 */
public final class ActionPolicy {

  /** Options (by parsed name) that RemotePolicy forbids but an action carries safely. */
  private static final Set<String> REPLAYED_OPTIONS =
      Set.of(
          "-o",
          "-x",
          "-I",
          "-L",
          "-l",
          "-T",
          "-Xlinker",
          "-include",
          "-imacros",
          "-isystem",
          "-idirafter",
          "-iquote",
          "-isysroot",
          "--sysroot",
          "-imultiarch",
          "-iframework",
          "-MF",
          "-MT",
          "-MQ");

  /** Flags (whole token) that RemotePolicy forbids but an action carries safely. */
  private static final Set<String> REPLAYED_FLAGS =
      Set.of(
          "-c", "-MD", "-MMD", "-MP", "-MG", "-nostdinc", "-nostdinc++", "-fstack-usage", "-pipe");

  /**
   * {@code -Wp,} parts (besides {@code -D}, {@code -U}) that take a value and only name the
   * dependency file or its target ({@code -Wp,-MF} is not among them: its file is not derived).
   */
  private static final Set<String> WP_DEPENDENCY_PARTS = Set.of("-MD", "-MMD", "-MT", "-MQ");

  private ActionPolicy() {}

  /** Why {@code arg} keeps the compile local, or empty when an action can carry it. */
  public static Optional<String> localReason(Arg arg) {
    if (arg.input()) {
      return Optional.empty();
    }
    String token = arg.tokens().get(0);
    if (REPLAYED_OPTIONS.contains(arg.name()) || REPLAYED_FLAGS.contains(token)) {
      return Optional.empty();
    }
    if (token.startsWith("-Wl,") || token.startsWith("-fuse-ld")) {
      return Optional.empty(); // the driver ignores linker options with -c
    }
    if (token.startsWith("-Wp,")) {
      return wpReason(token);
    }
    return RemotePolicy.forbiddenReason(arg);
  }

  /** The first argument that keeps the compile local, with its reason. */
  public static Optional<String> firstLocalReason(List<Arg> args) {
    for (Arg arg : args) {
      Optional<String> reason = localReason(arg);
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> wpReason(String token) {
    String[] parts = token.substring(4).split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (WP_DEPENDENCY_PARTS.contains(p)) {
        i++; // its file or target
      } else if (!(p.startsWith("-D") || p.startsWith("-U") || p.equals("-MP"))) {
        return Optional.of(token + " passes '" + p + "' to the preprocessor");
      }
    }
    return Optional.empty();
  }
}
