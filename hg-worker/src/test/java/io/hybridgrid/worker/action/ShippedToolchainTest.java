package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hybridgrid.common.task.Rejection;
import io.hybridgrid.common.toolchain.ToolchainLayout;
import io.hybridgrid.common.toolchain.ToolchainProbe;
import io.hybridgrid.worker.Tools;
import io.hybridgrid.worker.cas.BlobDigest;
import io.hybridgrid.worker.cas.CasFetcher;
import io.hybridgrid.worker.cas.FakeCasClient;
import io.hybridgrid.worker.cas.LocalCas;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import io.hybridgrid.worker.compiler.TaskRefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker with no compiler installed runs the client's shipped toolchain in the sandbox and gets
 * the local bytes; {@code --toolchains own} and {@code shipped} refuse what they do not run.
 */
class ShippedToolchainTest {
  private static final Path GCC11 = Path.of("/usr/bin/gcc-11");

  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final FakeCasClient store = new FakeCasClient();
  private LocalCas cas;

  @BeforeEach
  void setUp() throws Exception {
    ActionExecutorTest.assumeSandbox();
    assumeTrue(Files.isExecutable(GCC11), "gcc-11 is not installed (Debian package gcc-11)");
    Files.setPosixFilePermissions(
        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    cas = LocalCas.open(tmp.resolve("cas"), 1L << 31);
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  private ActionExecutor executor(ToolchainMode mode) {
    boolean root = BwrapSandbox.currentId("Uid:") == 0;
    return new ActionExecutor(
        new InstalledCompilers(Map.of()), // nothing installed
        new CasFetcher(cas, pool),
        SandboxSettings.defaults(tmp.resolve("work"), root),
        null,
        io.hybridgrid.worker.metrics.TaskMeter.NONE,
        mode);
  }

  /** gcc-11's files as the client ships them, each blob in the fake coordinator store. */
  private ActionSpec.Toolchain shipped() throws Exception {
    ToolchainLayout layout = new ToolchainProbe("/usr/bin:/bin").probe(GCC11, "gcc");
    List<ActionSpec.InputFile> files = new ArrayList<>();
    for (Path f : layout.files()) {
      BlobDigest d = store.add(Files.readAllBytes(f));
      files.add(new ActionSpec.InputFile(f.toString(), d, Files.isExecutable(f)));
    }
    List<ActionSpec.Symlink> links = new ArrayList<>();
    layout.symlinks().forEach((p, t) -> links.add(new ActionSpec.Symlink(p.toString(), t)));
    return new ActionSpec.Toolchain(files, links, layout.hostArch());
  }

  private ActionSpec action(ActionSpec.Toolchain toolchain) throws Exception {
    Path p = tmp.resolve("proj");
    Tools.write(
        p,
        "main.c",
        "#include <stdio.h>\n#include <stdarg.h>\n"
            + "int main(void) { printf(\"%s\\n\", __VERSION__); return 0; }\n");
    ActionSpec plain =
        ClientSide.action(
            GCC11, p, List.of(GCC11.toString(), "-O2", "-c", "main.c"), List.of("main.o"), store);
    return new ActionSpec(
        plain.argv(),
        plain.cwd(),
        plain.env(),
        plain.inputs(),
        plain.symlinks(),
        plain.directories(),
        plain.outputPaths(),
        plain.compiler(),
        plain.compilerPath(),
        toolchain);
  }

  @Test
  void aWorkerWithoutCompilersRunsTheShippedToolchainAndGetsTheLocalBytes() throws Exception {
    ActionSpec a = action(shipped());
    Path cwd = Path.of(a.cwd());
    Tools.Result local = ActionExecutorTest.runLocally(cwd, a.argv());
    assertEquals(0, local.exitCode(), local.stderrText());
    byte[] expected = Files.readAllBytes(cwd.resolve("main.o"));
    Files.delete(cwd.resolve("main.o"));

    ActionExecutor executor = executor(ToolchainMode.SHIPPED);
    ActionOutcome out = executor.execute(a, Duration.ofSeconds(120), store);
    assertEquals(0, out.exitCode(), () -> new String(out.stderr()));
    assertArrayEquals(expected, out.outputs().get(0).contents());
    assertEquals(1, executor.toolchainsHeld());
    // This machine has gcc-11's files at the same paths: they were taken from it, not fetched.
    for (ActionSpec.InputFile f : a.toolchain().files()) {
      for (List<BlobDigest> batch : store.batches) {
        assertTrue(!batch.contains(f.digest()) || isInput(a, f.digest()), f.path() + " fetched");
      }
    }
  }

  /**
   * The sandbox of a shipped toolchain shows its files and the inputs, nothing of this machine's
   * compilers: a source that fails when gcc 12's own header or driver is visible compiles there,
   * and fails here (so the check itself works).
   */
  @Test
  void theSandboxShowsOnlyTheShippedToolchainNotThisMachinesCompilers() throws Exception {
    Path gcc12 = Path.of("/usr/bin/gcc-12");
    assumeTrue(Files.isExecutable(gcc12), "gcc-12 is not installed");
    Tools.Result printed =
        Tools.run(tmp, List.of(gcc12.toString(), "-print-file-name=include/stddef.h"));
    String header = new String(printed.stdout(), java.nio.charset.StandardCharsets.UTF_8).strip();
    assumeTrue(header.startsWith("/") && Files.exists(Path.of(header)), header);
    Path p = tmp.resolve("probe");
    Tools.write(
        p,
        "seen.c",
        "#if __has_include(\""
            + header
            + "\") || __has_include(\"/usr/bin/gcc-12\")\n#error this machine's gcc 12 is visible\n#endif\n"
            + "int x;\n");
    List<String> argv = List.of(GCC11.toString(), "-c", "seen.c");
    assertTrue(ActionExecutorTest.runLocally(p, argv).exitCode() != 0, "the check must fail here");
    ActionSpec plain = ClientSide.action(GCC11, p, argv, List.of("seen.o"), store);
    ActionSpec a =
        new ActionSpec(
            plain.argv(),
            plain.cwd(),
            plain.env(),
            plain.inputs(),
            plain.symlinks(),
            plain.directories(),
            plain.outputPaths(),
            plain.compiler(),
            plain.compilerPath(),
            shipped());
    ActionOutcome out = executor(ToolchainMode.BOTH).execute(a, Duration.ofSeconds(120), store);
    assertEquals(0, out.exitCode(), () -> new String(out.stderr()));
  }

  private static boolean isInput(ActionSpec a, BlobDigest d) {
    return a.inputs().stream().anyMatch(i -> i.digest().equals(d));
  }

  @Test
  void ownRefusesAShippedToolchainItLacksWithTheReason() throws Exception {
    ActionSpec a = action(shipped());
    TaskRefusedException e =
        assertThrows(
            TaskRefusedException.class,
            () -> executor(ToolchainMode.OWN).execute(a, Duration.ofSeconds(60), store));
    assertEquals(Rejection.UNKNOWN_COMPILER, e.reason());
    assertTrue(e.getMessage().contains("--toolchains own"), e.getMessage());
    assertTrue(e.getMessage().contains("refuses shipped toolchains"), e.getMessage());
  }

  @Test
  void shippedRefusesAnActionWithoutToolchain() throws Exception {
    ActionSpec a = action(ActionSpec.Toolchain.NONE);
    TaskRefusedException e =
        assertThrows(
            TaskRefusedException.class,
            () -> executor(ToolchainMode.SHIPPED).execute(a, Duration.ofSeconds(60), store));
    assertTrue(e.getMessage().contains("--toolchains shipped"), e.getMessage());
  }
}
