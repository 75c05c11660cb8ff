package io.hybridgrid.cli.compile;

import io.hybridgrid.cli.action.FileDigests;
import io.hybridgrid.cli.cache.CacheRegistry;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.cli.scan.IncludeScanner;
import io.hybridgrid.common.concurrent.DaemonThreads;
import io.hybridgrid.common.toolchain.ToolchainProbe;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What every {@link CompileFlow} of one process shares: the process runner (bounded parallelism),
 * the compiler-probe and file-hash memos, the open caches and the clock. Built once per process
 * (the one-shot CLI or the daemon) and passed to each flow. All parts are thread-safe.
 *
 * @param runner starts compilers
 * @param probes remembers compiler identities
 * @param fileHashes remembers source and header digests (the local cache's XXH3)
 * @param fileDigests remembers input files' SHA-256 digests (the grid's content addresses)
 * @param caches the open cache directories
 * @param clock the time of compiles and cache hits
 * @param toolchains remembers the compilers' toolchains (shipped with each action)
 * @param includes finds an action's inputs without running the preprocessor
 */
public record CompileServices(
    ProcessRunner runner,
    CompilerProbes probes,
    FileHashes fileHashes,
    FileDigests fileDigests,
    CacheRegistry caches,
    Clock clock,
    ToolchainCatalog toolchains,
    IncludeScanner includes) {

  public CompileServices {
    Objects.requireNonNull(runner, "runner");
    Objects.requireNonNull(probes, "probes");
    Objects.requireNonNull(fileHashes, "fileHashes");
    Objects.requireNonNull(fileDigests, "fileDigests");
    Objects.requireNonNull(caches, "caches");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(toolchains, "toolchains");
    Objects.requireNonNull(includes, "includes");
  }

  /**
   * The services for a process.
   *
   * @param maxParallel how many compiler processes may run at once
   * @param inheritStdin whether local compiles read this process's stdin (the one-shot CLI)
   */
  public static CompileServices create(int maxParallel, boolean inheritStdin) {
    Clock clock = Clock.systemUTC();
    ExecutorService readers = Executors.newCachedThreadPool(DaemonThreads.named("hgbuild-stderr"));
    FileHashes fileHashes = new FileHashes(clock);
    FileDigests fileDigests = new FileDigests(fileHashes, clock);
    ProcessRunner runner = new ProcessRunner(maxParallel, readers, inheritStdin);
    return new CompileServices(
        runner,
        new CompilerProbes(),
        fileHashes,
        fileDigests,
        new CacheRegistry(clock),
        clock,
        new ToolchainCatalog(
            (compiler, family, path) -> new ToolchainProbe(path).probe(compiler, family),
            fileHashes,
            fileDigests,
            clock),
        new IncludeScanner(
            fileHashes,
            clock,
            (compiler, args, cwd, env) -> {
              ProcessRunner.Captured c = runner.capture(compiler, args, cwd, env);
              return c.exitCode() == 0
                  ? Optional.of(new String(c.stderr(), StandardCharsets.UTF_8))
                  : Optional.empty();
            }));
  }
}
