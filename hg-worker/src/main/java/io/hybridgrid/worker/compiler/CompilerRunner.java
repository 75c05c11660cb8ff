package io.hybridgrid.worker.compiler;

/** Runs one compile job. Implementations are thread-safe. */
public interface CompilerRunner {
  /**
   * Compiles {@code job}. A genuine compile error is a normal result with a non-zero exit code.
   *
   * @throws TaskRefusedException when the job cannot or must not run here
   */
  CompileOutput compile(CompileJob job) throws TaskRefusedException;
}
