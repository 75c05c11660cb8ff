package io.hybridgrid.worker.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.common.compiler.Language;
import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.worker.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that sends tasks which fail by its own fault (-fsyntax-only, an over-long file name, too
 * many arguments, an argument that suppresses the object) must not open the worker's circuit
 * breaker: each is refused as the client's fault, and the worker keeps serving real compiles.
 */
class ClientFaultBreakerTest {
  @TempDir Path workRoot;

  @Test
  void clientFaultsNeverOpenTheBreaker() throws Exception {
    Assumptions.assumeTrue(Tools.installed(Tools.GCC), "gcc is not installed");
    CompilerIdentity gcc = CompilerProbe.probe(Tools.GCC).orElseThrow();
    CircuitBreaker breaker = GuardedCompiler.defaultBreaker();
    GuardedCompiler worker =
        new GuardedCompiler(
            new SandboxCompiler(
                new InstalledCompilers(Map.of(gcc, Tools.GCC)), workRoot, Duration.ofMinutes(1)),
            breaker);
    byte[] unit = "# 1 \"a.c\"\nint f(void) { return 1; }\n".getBytes(StandardCharsets.UTF_8);
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      tooMany.add("-DX" + i);
    }
    List<CompileJob> faults =
        List.of(
            job(gcc, List.of("-fsyntax-only"), "a.c", unit),
            job(gcc, List.of("--syntax-only"), "a.c", unit),
            job(gcc, List.of("-O2"), "x".repeat(300) + ".c", unit),
            job(gcc, List.of("-O2"), "d/".repeat(2100) + "a.c", unit),
            job(gcc, tooMany, "a.c", unit),
            job(gcc, List.of("-D" + "y".repeat(200_000)), "a.c", unit),
            job(gcc, List.of("--pref", "/tmp/"), "a.c", unit));
    // Three rounds: far more than the breaker's minimum of 5 calls at a 50 % failure threshold.
    for (int round = 0; round < 3; round++) {
      for (CompileJob job : faults) {
        TaskRefusedException e =
            assertThrows(TaskRefusedException.class, () -> worker.compile(job));
        assertTrue(
            e.reason() == Rejection.INVALID_TASK || e.reason() == Rejection.FORBIDDEN_ARGUMENT,
            job.args().size()
                + " args, "
                + job.sourcePath().length()
                + ": "
                + e.reason()
                + " "
                + e.getMessage());
      }
    }
    assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
    assertEquals(0, breaker.getMetrics().getNumberOfFailedCalls());
    assertEquals(0, worker.compile(job(gcc, List.of("-O2"), "a.c", unit)).exitCode());
  }

  private static CompileJob job(
      CompilerIdentity gcc, List<String> args, String source, byte[] unit) {
    return new CompileJob(gcc, Language.C, args, source, "/home/dev/p", unit, Map.of());
  }
}
