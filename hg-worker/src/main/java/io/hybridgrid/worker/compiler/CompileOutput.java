package io.hybridgrid.worker.compiler;

/**
 * What the compiler produced.
 *
 * @param exitCode the compiler's exit status
 * @param object the object file (empty unless exitCode is 0)
 * @param stdout standard output, with sandbox paths mapped back to the client's
 * @param stderr standard error, likewise
 * @param micros wall time of the compiler process
 */
public record CompileOutput(
    int exitCode, byte[] object, byte[] stdout, byte[] stderr, long micros) {}
