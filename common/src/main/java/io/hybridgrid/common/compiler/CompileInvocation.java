package io.hybridgrid.common.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A classified compiler invocation: whether it can run on the grid, and if so how to preprocess it
 * locally and what to send.
 *
 * @param args the parsed arguments, as the user gave them
 * @param localReason why this invocation must run locally, or empty when it can be distributed
 * @param source the single source file as written (null when there is none)
 * @param language the source language
 * @param objectPath the object file as the compiler would name it ({@code -o} or the default)
 * @param explicitOutput whether {@code -o} was given
 * @param dependencyFile where a {@code .d} file goes, or null when none is requested
 * @param remoteArgs the arguments a worker needs (already checked against {@link RemotePolicy})
 */
public record CompileInvocation(
    List<Arg> args,
    Optional<String> localReason,
    String source,
    Language language,
    String objectPath,
    boolean explicitOutput,
    String dependencyFile,
    List<String> remoteArgs) {

  public CompileInvocation {
    args = List.copyOf(args);
    remoteArgs = List.copyOf(remoteArgs);
  }

  /** Whether this invocation may be compiled on a worker. */
  public boolean distributable() {
    return localReason.isEmpty();
  }

  /**
   * The arguments for the local preprocessing run: the user's arguments with {@code -c -o OBJ}
   * replaced by {@code -E <modeFlags> -o preprocessedPath}. A dependency file, if requested, is
   * written to {@code dependencyTemp} (so the caller can move it into place atomically) with the
   * same target the compiler would have used.
   */
  public List<String> preprocessArgs(
      List<String> modeFlags, String preprocessedPath, String dependencyTemp) {
    List<String> out = new ArrayList<>();
    boolean driverDeps = false;
    boolean hasDepFile = false;
    boolean hasTarget = false;
    for (Arg arg : args) {
      if (arg.is("-c") || arg.is("-o")) {
        continue;
      }
      if (arg.is("-MD") || arg.is("-MMD")) {
        driverDeps = true;
      }
      if (arg.is("-MT") || arg.is("-MQ")) {
        hasTarget = true;
      }
      if (arg.is("-MF") && dependencyTemp != null) {
        hasDepFile = true;
        out.add("-MF");
        out.add(dependencyTemp);
        continue;
      }
      if (!arg.input() && arg.name().startsWith("-Wp,") && dependencyTemp != null) {
        out.add(DependencyOptions.redirectWpDependency(arg.name(), dependencyTemp));
        continue;
      }
      out.addAll(arg.tokens());
    }
    if (driverDeps && !hasDepFile && dependencyTemp != null) {
      out.add("-MF");
      out.add(dependencyTemp);
    }
    if (driverDeps && !hasTarget && explicitOutput) {
      // With -c the driver names the object as the target (make-quoted); with -E it would not.
      out.add("-MQ");
      out.add(objectPath);
    }
    out.add("-E");
    out.addAll(modeFlags);
    out.add("-o");
    out.add(preprocessedPath);
    return out;
  }

  /** The user's arguments, unchanged, as tokens (for a local compile). */
  public List<String> tokens() {
    List<String> out = new ArrayList<>();
    for (Arg arg : args) {
      out.addAll(arg.tokens());
    }
    return out;
  }
}
