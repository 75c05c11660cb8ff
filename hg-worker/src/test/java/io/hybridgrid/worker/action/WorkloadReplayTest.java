package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.worker.Tools;
import io.hybridgrid.worker.cas.CasFetcher;
import io.hybridgrid.worker.cas.FakeCasClient;
import io.hybridgrid.worker.cas.LocalCas;
import io.hybridgrid.worker.compiler.InstalledCompilers;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every C file of Lua 5.4.4 (a project nobody here wrote) replayed in the sandbox with gcc -g and
 * clang -g, compared with the local object. Slow, so it runs only when asked: {@code
 * -Dhg.lua=/path/to/lua-5.4.4.tar.gz}.
 */
class WorkloadReplayTest {
  @TempDir Path tmp;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void luaWithDebugInfoIsIdentical() throws Exception {
    String tarball = System.getProperty("hg.lua");
    assumeTrue(tarball != null, "set -Dhg.lua=/path/to/lua-5.4.4.tar.gz to run");
    ActionExecutorTest.assumeSandbox();
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    Tools.ok(tmp, Path.of("/bin/tar"), "xzf", tarball);
    Path src = tmp.resolve("lua-5.4.4/src");
    List<String> files = new ArrayList<>();
    try (DirectoryStream<Path> d = Files.newDirectoryStream(src, "*.c")) {
      d.forEach(p -> files.add(p.getFileName().toString()));
    }
    files.sort(null);
    Map<io.hybridgrid.common.compiler.CompilerIdentity, Path> compilers = new HashMap<>();
    List<Path> drivers = new ArrayList<>(List.of(Tools.GCC));
    if (Tools.installed(Tools.CLANG)) {
      drivers.add(Tools.CLANG);
    }
    for (Path c : drivers) {
      compilers.put(CompilerProbe.probe(c).orElseThrow(), c);
    }
    ActionExecutor executor =
        new ActionExecutor(
            new InstalledCompilers(compilers),
            new CasFetcher(LocalCas.open(tmp.resolve("cas"), 1L << 30), pool),
            SandboxSettings.defaults(tmp.resolve("work"), BwrapSandbox.currentId("Uid:") == 0));
    FakeCasClient store = new FakeCasClient();
    int compared = 0;
    for (Path compiler : drivers) {
      for (String f : files) {
        String obj = f.replace(".c", ".o");
        List<String> argv =
            new ArrayList<>(
                List.of(
                    compiler.getFileName().toString(),
                    "-std=gnu99",
                    "-O2",
                    "-g",
                    "-Wall",
                    "-DLUA_COMPAT_5_3",
                    "-DLUA_USE_LINUX",
                    "-c",
                    f,
                    "-o",
                    obj,
                    "-MMD"));
        List<String> local = new ArrayList<>(argv);
        local.set(0, compiler.toString());
        Tools.Result l = ActionExecutorTest.runLocally(src, local);
        assertEquals(0, l.exitCode(), l.stderrText());
        byte[] expectedObj = Files.readAllBytes(src.resolve(obj));
        byte[] expectedDep = Files.readAllBytes(src.resolve(obj.replace(".o", ".d")));
        Files.delete(src.resolve(obj));
        Files.delete(src.resolve(obj.replace(".o", ".d")));
        ActionSpec a =
            ClientSide.action(compiler, src, argv, List.of(obj, obj.replace(".o", ".d")), store);
        ActionOutcome out = executor.execute(a, Duration.ofSeconds(120), store);
        assertEquals(0, out.exitCode(), new String(out.stderr()));
        assertEquals(l.stderrText(), new String(out.stderr()), f);
        assertArrayEquals(expectedObj, out.outputs().get(0).contents(), compiler + " " + f);
        assertArrayEquals(expectedDep, out.outputs().get(1).contents(), compiler + " " + f + " .d");
        compared++;
      }
    }
    System.out.println("lua: " + compared + " compiles replayed, objects and .d files identical");
  }
}
