package io.hybridgrid.cli.action;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One compile as the grid runs it: the exact command over the client's own files (docs/design.md,
 * "Remote compiles"). A plain record: the gRPC client maps it onto the wire.
 *
 * @param argv the command exactly as the client would run it, argv[0] as typed
 * @param cwd the client's absolute working directory
 * @param env the carried environment ({@link ActionEnvironment})
 * @param inputs every file the compile reads, with links and bare directories
 * @param outputPaths the absolute paths the command writes
 * @param compiler the compiler's identity, for placement and for picking the worker's compiler
 * @param compilerPath the absolute path argv[0] resolved to here
 * @param toolchain the compiler as files for workers without it, or null to ship none
 */
public record RemoteAction(
    List<String> argv,
    String cwd,
    Map<String, String> env,
    InputRoot inputs,
    List<String> outputPaths,
    CompilerIdentity compiler,
    String compilerPath,
    ShippedToolchain toolchain) {

  public RemoteAction {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    outputPaths = List.copyOf(outputPaths);
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(compiler, "compiler");
    Objects.requireNonNull(compilerPath, "compilerPath");
  }

  /** An action that ships no toolchain. */
  public RemoteAction(
      List<String> argv,
      String cwd,
      Map<String, String> env,
      InputRoot inputs,
      List<String> outputPaths,
      CompilerIdentity compiler,
      String compilerPath) {
    this(argv, cwd, env, inputs, outputPaths, compiler, compilerPath, null);
  }
}
