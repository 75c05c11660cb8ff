package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.common.task.Rejection;
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

  private final List<Path> outsideTmp = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    pool.shutdownNow();
    for (Path p : outsideTmp) {
      io.hybridgrid.common.fs.TempTrees.delete(p);
    }
  }

  /**
   * A directory for a project outside /tmp (removed after the test): the sandbox's own /tmp is
   * writable and so removed whole after each action, which would hide what a reused tree keeps.
   */
  private Path outsideTmp(String prefix) throws Exception {
    Path base = Files.createTempDirectory(Path.of("/var/tmp"), prefix);
    outsideTmp.add(base);
    Files.setPosixFilePermissions(
        base, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    return base;
  }

  /** Compiles locally, then through the sandbox, and compares every output and the diagnostics. */
  private void sameAsLocal(Path compiler, Path cwd, List<String> args, List<String> outputs)
      throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(compiler.getFileName().toString());
    argv.addAll(args);
    Tools.Result local = runLocally(cwd, withPath(compiler, argv));
    Map<String, byte[]> expected = new HashMap<>();
    for (String o : outputs) {
      Path p = cwd.resolve(o);
      if (Files.exists(p)) {
        expected.put(p.toString(), Files.readAllBytes(p));
        Files.delete(p);
      }
    }
    ActionSpec action = ClientSide.action(compiler, cwd, argv, outputs, store);
    ActionOutcome out = executor.execute(action, Duration.ofSeconds(60), store);
    assertEquals(
        local.exitCode(), out.exitCode(), () -> "remote stderr: " + new String(out.stderr()));
    assertEquals(local.stderrText(), new String(out.stderr()));
    assertEquals(expected.size(), out.outputs().size(), "every output written came back");
    for (ActionOutcome.Output o : out.outputs()) {
      assertNotNull(o.contents());
      assertArrayEquals(expected.get(o.path()), o.contents(), o.path() + " differs from local");
    }
  }

  /** Runs {@code cmd} in {@code cwd} with exactly the environment actions carry. */
  static Tools.Result runLocally(Path cwd, List<String> cmd) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(cwd.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(ClientSide.ENV);
    Path err = Files.createTempFile("hg-local", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    byte[] errBytes = Files.readAllBytes(err);
    Files.delete(err);
    return new Tools.Result(exit, out, errBytes);
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

  @Test
  void consecutiveActionsReuseOneTaskDirectoryAndSeeOnlyTheirOwnTree() throws Exception {
    Path base = outsideTmp("hg-reuse-");
    Path p = base.resolve("proj");
    Tools.write(p, "inc/config.h", "#pragma once\n#define ANSWER 42\n");
    Tools.write(p, "src/main.c", "#include \"config.h\"\nint answer = ANSWER;\n");
    Files.createDirectories(p.resolve("build"));
    // Only build/ is writable: inc/ and src/ are emptied and kept for the next action.
    sameAsLocal(
        Tools.GCC,
        p,
        List.of("-g", "-Iinc", "-c", "src/main.c", "-o", "build/main.o", "-MMD"),
        List.of("build/main.o", "build/main.d"));
    // The next action names the first one's include directory but does not ship it: gcc must
    // find it absent, as on a fresh tree, not an empty directory left by the last action.
    Path q = base.resolve("other");
    Tools.write(q, "probe.c", "int probe;\n");
    List<String> argv = List.of("gcc", "-v", "-I" + p.resolve("inc"), "-c", "probe.c");
    ActionOutcome probe =
        executor.execute(
            ClientSide.action(Tools.GCC, q, argv, List.of("probe.o"), store),
            Duration.ofSeconds(60),
            store);
    String stderr = new String(probe.stderr(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, probe.exitCode(), stderr);
    assertTrue(
        stderr.contains("ignoring nonexistent directory \"" + p.resolve("inc") + "\""), stderr);
    // A third action over the first project again: identical to local.
    sameAsLocal(
        Tools.GCC,
        p,
        List.of("-O2", "-Iinc", "-c", "src/main.c", "-o", "build/main.o"),
        List.of("build/main.o"));
    try (var dirs = Files.newDirectoryStream(tmp.resolve("work"), "task-*")) {
      int n = 0;
      for (Path d : dirs) {
        n++;
        try (var left = Files.walk(d.resolve("root"))) {
          List<Path> written =
              left.filter(f -> f.toString().endsWith(".o") || f.toString().endsWith(".d")).toList();
          assertEquals(List.of(), written, "what the commands wrote is not kept");
        }
        assertFalse(Files.exists(d.resolve("root/tmp")), "nor the sandbox's /tmp");
      }
      assertEquals(1, n, "one task directory, reused by all three actions");
    }
  }

  @Test
  void aLayoutThatFailsLeavesNothingTheNextActionCouldClaim() throws Exception {
    Path q = outsideTmp("hg-failed-layout-").resolve("second");
    Tools.write(q, "inc/only-here.h", "#define ONLY 1\n");
    Tools.write(q, "b.c", "#include \"only-here.h\"\nint b = ONLY;\n");
    Tools.write(q, "c.c", "#include \"only-here.h\"\nint c = ONLY;\n");
    Files.createDirectories(q.resolve("out"));
    List<String> compileC = List.of("-Iinc", "-c", "c.c", "-o", "out/c.o");
    // The header's blob reaches the store, then an unrelated action reuses the tree (the header,
    // unclaimed, is removed from it), then the blob is removed behind the store's back.
    sameAsLocal(Tools.GCC, q, List.of("-Iinc", "-c", "b.c", "-o", "out/b.o"), List.of("out/b.o"));
    Path p = project();
    sameAsLocal(
        Tools.GCC, p, List.of("-Iinc", "-c", "src/main.c", "-o", "main.o"), List.of("main.o"));
    String hash =
        BlobDigest.of("#define ONLY 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)).hash();
    Files.delete(tmp.resolve("cas").resolve(hash.substring(0, 2)).resolve(hash));

    // Linking the header fails, and with it the layout, after the tree recorded the header.
    List<String> argv = new ArrayList<>(List.of("gcc"));
    argv.addAll(compileC);
    ActionSpec c = ClientSide.action(Tools.GCC, q, argv, List.of("out/c.o"), store);
    TaskRefusedException refused =
        assertThrows(
            TaskRefusedException.class, () -> executor.execute(c, Duration.ofSeconds(60), store));
    assertTrue(refused.getMessage().contains("only-here.h"), refused.getMessage());

    // That tree was removed, not kept with a header it never held: the same action fetches the
    // blob again and compiles as locally.
    sameAsLocal(Tools.GCC, q, compileC, List.of("out/c.o"));
  }

  @Test
  void gccDebugInfoIdentical() throws Exception {
    Path p = project();
    sameAsLocal(
        Tools.GCC,
        p,
        List.of("-g", "-Iinc/.", "-c", "src/main.c", "-o", "main.o"),
        List.of("main.o"));
  }

  @Test
  void gccG3Identical() throws Exception {
    Path p = project();
    sameAsLocal(
        Tools.GCC,
        p,
        List.of("-g3", "-O1", "-I" + p + "/./inc", "-c", "src/main.c", "-o", "main.o"),
        List.of("main.o"));
  }

  @Test
  void gccSplitDwarfIdenticalDwoIncluded() throws Exception {
    Path p = project();
    sameAsLocal(
        Tools.GCC,
        p,
        List.of("-g", "-gsplit-dwarf", "-Iinc", "-c", "src/main.c", "-o", "main.o"),
        List.of("main.o", "main.dwo"));
  }

  @Test
  void gxxDebugInfoIdentical() throws Exception {
    Path gxx = Path.of("/usr/bin/g++");
    assumeTrue(Files.isExecutable(gxx), "g++ is not installed");
    Path p = tmp.resolve("cxx");
    Tools.write(
        p, "a.cc", "#include <vector>\n#include <string>\nstd::vector<std::string> v{\"x\"};\n");
    sameAsLocal(
        gxx, p, List.of("-g", "-O1", "-c", "a.cc", "-o", "a.o", "-MMD"), List.of("a.o", "a.d"));
  }

  @Test
  void clangDebugInfoIdentical() throws Exception {
    assumeTrue(Tools.installed(Tools.CLANG), "clang is not installed");
    Path p = project();
    sameAsLocal(
        Tools.CLANG,
        p,
        List.of("-g", "-Iinc", "-c", "src/main.c", "-o", "main.o", "-MMD", "-MF", "main.d"),
        List.of("main.o", "main.d"));
  }

  @Test
  void compileErrorsComeBackAsLocally() throws Exception {
    Path p = tmp.resolve("bad");
    Tools.write(p, "bad.c", "int f(void) { return undefined_thing; }\n");
    sameAsLocal(Tools.GCC, p, List.of("-Wall", "-c", "bad.c", "-o", "bad.o"), List.of("bad.o"));
  }

  @Test
  void theSandboxWorksHere() {
    assertEquals(java.util.Optional.empty(), executor.selfCheck());
  }

  @Test
  void aBrokenSandboxIsReportedAndOpensTheBreaker() throws Exception {
    boolean root = BwrapSandbox.currentId("Uid:") == 0;
    SandboxSettings d = SandboxSettings.defaults(tmp.resolve("work2"), root);
    SandboxSettings broken =
        new SandboxSettings(
            d.workRoot(),
            Path.of("/bin/false"), // "bubblewrap" that never starts anything
            d.exec(),
            d.user(),
            d.timeout(),
            d.memoryBytes(),
            d.fileBytes(),
            d.maxInputBytes(),
            d.maxInputFiles(),
            d.inlineOutputBytes());
    io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
            "test",
            io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                .slidingWindowSize(2)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(50)
                .build());
    Path gcc = Tools.GCC;
    ActionExecutor bad =
        new ActionExecutor(
            new InstalledCompilers(Map.of(CompilerProbe.probe(gcc).orElseThrow(), gcc)),
            new CasFetcher(LocalCas.open(tmp.resolve("cas2"), 1L << 30), pool),
            broken,
            breaker);
    assertTrue(bad.selfCheck().isPresent());
    Path p = project();
    ActionSpec a =
        ClientSide.action(
            gcc,
            p,
            List.of("gcc", "-c", "src/main.c", "-o", "m.o", "-Iinc"),
            List.of("m.o"),
            store);
    for (int i = 0; i < 2; i++) {
      TaskRefusedException e =
          assertThrows(TaskRefusedException.class, () -> bad.execute(a, Duration.ZERO, store));
      assertEquals(Rejection.INFRASTRUCTURE, e.reason(), e.getMessage());
      assertTrue(e.getMessage().contains("could not be set up"), e.getMessage());
    }
    TaskRefusedException open =
        assertThrows(TaskRefusedException.class, () -> bad.execute(a, Duration.ZERO, store));
    assertEquals(Rejection.UNAVAILABLE, open.reason(), open.getMessage());
  }

  /**
   * Include structures real projects use: a .c including a .c, -I through a symlinked directory and
   * with ./ and ../ after it, -iquote, -isystem, -include, a computed include, #include_next,
   * #pragma once, __FILE__, __LINE__, __COUNTER__, __has_include.
   */
  private Path includeProject() throws Exception {
    Path p = tmp.resolve("inc");
    Tools.write(
        p,
        "main.c",
        String.join(
            "\n",
            "#include \"other.c\"",
            "#include \"cfg.h\"",
            "#include \"q.h\"",
            "#include <sys1.h>",
            "#define NEXT \"nx.h\"",
            "#include NEXT",
            "#include \"once.h\"",
            "#include \"once.h\"",
            "#include \"two.h\"",
            "#if __has_include(\"nothere.h\")",
            "#error \"nothere.h must not exist\"",
            "#endif",
            "#if __has_include(\"q.h\")",
            "int has_q = 1;",
            "#endif",
            "const char *f = __FILE__;",
            "int l = __LINE__;",
            "int c1 = __COUNTER__;",
            "int c2 = __COUNTER__;",
            "int main(void) { return other() + CFG + Q + SYS1 + NX + ONCE + TWO + PRE; }",
            ""));
    Tools.write(p, "other.c", "static int other(void) { return 1; }\n");
    Tools.write(p, "real/inc/cfg.h", "#define CFG 2\n");
    Tools.write(p, "quote/q.h", "#define Q 3\n");
    Tools.write(p, "sysa/sys1.h", "#include_next <sys1.h>\n");
    Tools.write(p, "sysb/sys1.h", "#define SYS1 4\n");
    Tools.write(p, "sysa/nx.h", "#include_next <nx.h>\n");
    Tools.write(p, "sysb/nx.h", "#define NX 5\n");
    Tools.write(p, "once.h", "#pragma once\nstatic const int ONCE = 6;\n");
    Tools.write(p, "real/inc2/two.h", "#define TWO 7\n");
    Tools.write(p, "pre.h", "#define PRE 8\n");
    Files.createSymbolicLink(p.resolve("lnk"), Path.of("real/inc"));
    return p;
  }

  private static final List<String> INCLUDE_FLAGS =
      List.of(
          "-std=c11",
          "-pedantic",
          "-Werror",
          "-Wall",
          "-g",
          "-MMD",
          "-I./lnk",
          "-Ilnk/../inc2",
          "-iquote",
          "quote",
          "-isystem",
          "sysa",
          "-isystem",
          "sysb",
          "-include",
          "pre.h",
          "-c",
          "main.c",
          "-o",
          "main.o");

  @Test
  void includeStructuresIdenticalWithGcc() throws Exception {
    sameAsLocal(Tools.GCC, includeProject(), INCLUDE_FLAGS, List.of("main.o", "main.d"));
  }

  @Test
  void includeStructuresIdenticalWithClang() throws Exception {
    assumeTrue(Tools.installed(Tools.CLANG), "clang is not installed");
    sameAsLocal(Tools.CLANG, includeProject(), INCLUDE_FLAGS, List.of("main.o", "main.d"));
  }
}
