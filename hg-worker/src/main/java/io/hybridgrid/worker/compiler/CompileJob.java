package io.hybridgrid.worker.compiler;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.Language;
import java.util.List;
import java.util.Map;

/**
 * One compile as the worker receives it, independent of the wire format.
 *
 * @param compiler the compiler identity the client resolved
 * @param language the source language
 * @param args compile arguments (no inputs, outputs, include paths or dependency options)
 * @param sourcePath the main source as the user wrote it
 * @param clientCwd the client's absolute working directory
 * @param preprocessed the client's preprocessed text
 * @param env environment variables that change the output
 */
public record CompileJob(
    CompilerIdentity compiler,
    Language language,
    List<String> args,
    String sourcePath,
    String clientCwd,
    byte[] preprocessed,
    Map<String, String> env) {
  public CompileJob {
    args = List.copyOf(args);
    env = Map.copyOf(env);
  }
}
