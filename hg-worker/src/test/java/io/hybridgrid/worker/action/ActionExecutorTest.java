package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.worker.Tools;
import io.hybridgrid.worker.cas.CasFetcher;
import io.hybridgrid.worker.cas.FakeCasClient;
import io.hybridgrid.worker.cas.LocalCas;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real compiles replayed in the bubblewrap sandbox give the same bytes as the same command run
 * locally at the same path.
 */
class ActionExecutorTest {
  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final FakeCasClient store = new FakeCasClient();
  private ActionExecutor executor;

  static void assumeSandbox() {
    if (!Files.isExecutable(Path.of("/usr/bin/bwrap"))) {
      System.out.println("SKIPPED: bubblewrap (/usr/bin/bwrap) is not installed");
    }
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
  }

  @BeforeEach
  void setUp() throws Exception {
    assumeSandbox();
    Map<io.hybridgrid.common.compiler.CompilerIdentity, Path> compilers = new HashMap<>();
    for (String c : List.of("/usr/bin/gcc", "/usr/bin/g++", "/usr/bin/clang")) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        compilers.put(CompilerProbe.probe(p).orElseThrow(), p);
      }
    }
    boolean root = BwrapSandbox.currentId("Uid:") == 0;
    // JUnit makes its directory 0700; the sandbox user must traverse it, as on a real worker.
    Files.setPosixFilePermissions(
        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    executor =
        new ActionExecutor(
            new InstalledCompilers(compilers),
            new CasFetcher(LocalCas.open(tmp.resolve("cas"), 1L << 30), pool),
            SandboxSettings.defaults(tmp.resolve("work"), root));
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  /** Compiles locally, then through the sandbox, and compares every output and the diagnostics. */
  private void sameAsLocal(Path compiler, Path cwd, List<String> args, List<String> outputs)
      throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(compiler.getFileName().toString());
    argv.addAll(args);
    Tools.Result local = Tools.run(cwd, withPath(compiler, argv));
    Map<String, byte[]> expected = new HashMap<>();
    for (String o : outputs) {
      Path p = cwd.resolve(o);
      expected.put(p.toString(), Files.readAllBytes(p));
      Files.delete(p);
    }
    ActionSpec action = ClientSide.action(compiler, cwd, argv, outputs, store);
    ActionOutcome out = executor.execute(action, Duration.ofSeconds(60), store);
    assertEquals(
        local.exitCode(), out.exitCode(), () -> "remote stderr: " + new String(out.stderr()));
    assertEquals(local.stderrText(), new String(out.stderr()));
    assertEquals(outputs.size(), out.outputs().size(), "every output came back");
    for (ActionOutcome.Output o : out.outputs()) {
      assertNotNull(o.contents());
      assertArrayEquals(expected.get(o.path()), o.contents(), o.path() + " differs from local");
    }
  }

  /** argv[0] by name, found on PATH as the client would. */
  private static List<String> withPath(Path compiler, List<String> argv) {
    List<String> cmd = new ArrayList<>(argv);
    cmd.set(0, compiler.toString());
    return cmd;
  }

  private Path project() throws Exception {
    Path p = tmp.resolve("proj");
    Tools.write(p, "inc/config.h", "#pragma once\n#define ANSWER 42\n");
    Tools.write(
        p,
        "src/main.c",
        "#include <stdio.h>\n#include <stddef.h>\n#include \"config.h\"\n"
            + "int main(void) { printf(\"%d %s\\n\", ANSWER, __FILE__); return (int) sizeof(size_t); }\n");
    return p;
  }

  @Test
  void gccObjectAndDepFileIdentical() throws Exception {
    Path p = project();
    sameAsLocal(
        Tools.GCC,
        p,
        List.of("-Iinc/../inc", "-O2", "-c", "src/main.c", "-o", "main.o", "-MMD", "-MF", "main.d"),
        List.of("main.o", "main.d"));
  }
}
