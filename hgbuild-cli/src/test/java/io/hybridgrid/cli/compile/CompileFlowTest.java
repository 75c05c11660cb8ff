package io.hybridgrid.cli.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.cli.action.Digest;
import io.hybridgrid.cli.action.MissingInputException;
import io.hybridgrid.cli.action.RemoteAction;
import io.hybridgrid.cli.action.RemoteResult;
import io.hybridgrid.common.grpc.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompileFlowTest {

  private static final Path GCC = Path.of("/usr/bin/gcc");
  private static final String COORDINATOR = "coord.example:9000";
  private static final byte[] OBJECT = {0x7f, 'E', 'L', 'F', 1, 2, 3, 0, (byte) 0xff};

  @TempDir Path tmp;

  private Path cwd;
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  /** What a fake grid answers: exit code, output streams, and the object bytes (if any). */
  private record Answer(int exitCode, String stdout, String stderr, byte[] object) {}

  /** A grid that answers every action with one answer, or fails, and records what it got. */
  private static class FakeRemote implements RemoteCompiler {
    final List<RemoteAction> requests = new ArrayList<>();
    final Answer answer;
    final Exception failure;

    FakeRemote(Answer answer) {
      this.answer = answer;
      this.failure = null;
    }

    FakeRemote(Exception failure) {
      this.answer = null;
      this.failure = failure;
    }

    @Override
    public RemoteResult execute(RemoteAction action, String clientId, boolean batch)
        throws GridUnavailableException, MissingInputException {
      requests.add(action);
      if (failure instanceof GridUnavailableException g) {
        throw g;
      }
      if (failure instanceof MissingInputException m) {
        throw m;
      }
      List<RemoteResult.Output> outputs =
          answer.object() == null
              ? List.of()
              : List.of(
                  new RemoteResult.Output(
                      action.outputPaths().get(0),
                      Digest.of(answer.object()),
                      false,
                      answer.object()));
      return new RemoteResult(
          answer.exitCode(),
          answer.stdout().getBytes(StandardCharsets.UTF_8),
          answer.stderr().getBytes(StandardCharsets.UTF_8),
          "worker-7",
          outputs);
    }
  }

  @BeforeEach
  void project() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(GCC), "gcc is not installed");
    cwd = tmp.toRealPath().resolve("proj");
    Files.createDirectories(cwd.resolve("include"));
    Files.createDirectories(cwd.resolve("src"));
    Files.createDirectories(cwd.resolve("obj"));
    Files.createDirectories(cwd.resolve("deps"));
    Files.writeString(cwd.resolve("include/util.h"), "int twice(int x);\n");
    Files.writeString(
        cwd.resolve("src/main.c"),
        "#include <stddef.h>\n#include \"util.h\"\nint main(void) { return twice(1); }\n");
    Files.writeString(cwd.resolve("src/util.c"), "int twice(int x) { return 2 * x; }\n");
  }

  /** Whether the flow uses the built-in include scan ({@code scan = builtin}, the default). */
  private boolean builtinScan = true;

  private ClientSettings settings(boolean noFallback, boolean verbose) {
    return new ClientSettings(
        HostPort.parse(COORDINATOR),
        noFallback,
        verbose,
        Duration.ofSeconds(60),
        false,
        false,
        builtinScan,
        List.of());
  }

  private int run(RemoteCompiler remote, boolean noFallback, boolean verbose, List<String> args)
      throws Exception {
    return run(remote, noFallback, verbose, "gcc", args);
  }

  private int run(
      RemoteCompiler remote,
      boolean noFallback,
      boolean verbose,
      String compiler,
      List<String> args)
      throws Exception {
    CompileFlow flow =
        new CompileFlow(
            ClientRequest.resolve(
                settings(noFallback, verbose),
                Map.of(
                    "PATH",
                    "/usr/bin:/bin",
                    "USER",
                    "tester",
                    "LC_ALL",
                    "C",
                    "HOME",
                    "/nowhere",
                    "HG_CACHE_DIR",
                    tmp.resolve("cache").toString()),
                cwd),
            remote,
            out,
            err,
            CompileServices.create(2, false));
    return flow.run(compiler, args);
  }

  private String errText() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private static Answer ok() {
    return new Answer(0, "remote stdout\n", "src/main.c:3:1: warning: from the worker\n", OBJECT);
  }

  /** Runs gcc here as the build would, returning the object it wrote (and removing it). */
  private byte[] localObject(List<String> args, String object) throws Exception {
    assertEquals(0, gcc(args));
    byte[] bytes = Files.readAllBytes(cwd.resolve(object));
    Files.delete(cwd.resolve(object));
    return bytes;
  }

  /** Runs gcc here as the build would, returning its exit code. */
  private int gcc(List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(GCC.toString());
    cmd.addAll(args);
    return new ProcessBuilder(cmd)
        .directory(cwd.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor();
  }

  /** The dependency file a local gcc writes for {@code args}; removes it and the object. */
  private String localDepFile(List<String> args, String depFile, String object) throws Exception {
    assertEquals(0, gcc(args));
    String text = Files.readString(cwd.resolve(depFile));
    Files.delete(cwd.resolve(depFile));
    Files.delete(cwd.resolve(object));
    return text;
  }

  private List<String> dirContents(String dir) throws Exception {
    try (Stream<Path> s = Files.list(cwd.resolve(dir))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "-MMD -MF deps/main.d | deps/main.d",
        "-MD -MP -MF deps/main.d | deps/main.d",
        "-MMD | obj/main.d",
        "-MMD -MT custom-target | obj/main.d",
        "-Wp,-MMD,deps/main.d | deps/main.d"
      })
  void remoteSuccessWritesTheObjectAndTheDependencyFile(String depArgs, String depFile)
      throws Exception {
    Assumptions.assumeTrue(SandboxReplay.available(), "bubblewrap cannot sandbox here");
    List<String> args = new ArrayList<>(List.of("-O2", "-g", "-Iinclude"));
    args.addAll(List.of(depArgs.split(" ")));
    args.addAll(List.of("-c", "src/main.c", "-o", "obj/main.o"));
    String expectedDeps = localDepFile(args, depFile, "obj/main.o");
    byte[] expectedObject = localObject(args, "obj/main.o");
    Files.deleteIfExists(cwd.resolve(depFile));
    SandboxReplay remote = new SandboxReplay(tmp);

    int exit = run(remote, false, false, args);

    assertEquals(0, exit, errText());
    assertArrayEquals(expectedObject, Files.readAllBytes(cwd.resolve("obj/main.o")));
    assertEquals(expectedDeps, Files.readString(cwd.resolve(depFile)));
    assertEquals("", errText());
    String dir = depFile.substring(0, depFile.indexOf('/'));
    List<String> expectedFiles =
        dir.equals("obj") ? List.of("main.d", "main.o") : List.of("main.d");
    assertEquals(expectedFiles, dirContents(dir), "no temporary files left behind");

    assertEquals(1, remote.actions.size());
    RemoteAction action = remote.actions.get(0);
    List<String> argv = new ArrayList<>(List.of("gcc"));
    argv.addAll(args);
    assertEquals(argv, action.argv(), "the exact command, argv[0] as typed");
    assertEquals(cwd.toString(), action.cwd());
    assertEquals(Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C"), action.env());
    assertEquals("gcc", action.compiler().family());
    assertEquals(GCC.toString(), action.compilerPath());
    assertEquals(List.of(cwd + "/obj/main.o", cwd + "/" + depFile), action.outputPaths());
    List<String> inputs = action.inputs().files().stream().map(f -> f.path()).toList();
    assertTrue(inputs.contains(cwd + "/src/main.c"), inputs::toString);
    assertTrue(inputs.contains(cwd + "/include/util.h"), inputs::toString);
    assertTrue(
        inputs.stream().anyMatch(p -> p.startsWith("/usr/lib/gcc/") && p.endsWith("/stddef.h")),
        "the compiler's own headers are inputs too: " + inputs);
    assertTrue(inputs.contains("/usr/include/stdc-predef.h"), inputs::toString);
  }

  @Test
  void withoutOutputOptionTheObjectAndDepsGoWhereGccPutsThem() throws Exception {
    Assumptions.assumeTrue(SandboxReplay.available(), "bubblewrap cannot sandbox here");
    List<String> args = List.of("-Iinclude", "-MMD", "-c", "src/main.c");
    String expectedDeps = localDepFile(args, "main.d", "main.o");
    assertTrue(expectedDeps.startsWith("main.o: src/main.c"), expectedDeps);
    byte[] expectedObject = localObject(args, "main.o");
    Files.delete(cwd.resolve("main.d"));

    int exit = run(new SandboxReplay(tmp), false, false, args);

    assertEquals(0, exit, errText());
    assertArrayEquals(expectedObject, Files.readAllBytes(cwd.resolve("main.o")));
    assertEquals(expectedDeps, Files.readString(cwd.resolve("main.d")));
  }

  @Test
  void remoteCompileErrorWritesNoObjectAndReturnsTheExitCode() throws Exception {
    List<String> args =
        List.of("-Iinclude", "-MMD", "-MF", "deps/main.d", "-c", "src/main.c", "-o", "obj/main.o");
    FakeRemote remote =
        new FakeRemote(new Answer(1, "partial\n", "src/main.c:3:5: error: bad\n", null));

    int exit = run(remote, false, true, args);

    assertEquals(1, exit);
    assertFalse(Files.exists(cwd.resolve("obj/main.o")));
    assertEquals(List.of(), dirContents("obj"));
    assertEquals(List.of(), dirContents("deps"), "the scan writes no dependency file");
    assertEquals("partial\n", outBytes.toString(StandardCharsets.UTF_8));
    assertEquals("src/main.c:3:5: error: bad\nhgbuild: src/main.c [remote worker-7]\n", errText());
  }

  @Test
  void gridUnavailableFallsBackToALocalCompile() throws Exception {
    List<String> args = List.of("-O2", "-Iinclude", "-MMD", "-c", "src/main.c", "-o", "obj/main.o");
    assertEquals(0, gcc(args));
    byte[] expectedObject = Files.readAllBytes(cwd.resolve("obj/main.o"));
    String expectedDeps = Files.readString(cwd.resolve("obj/main.d"));
    Files.delete(cwd.resolve("obj/main.o"));
    Files.delete(cwd.resolve("obj/main.d"));
    FakeRemote remote = new FakeRemote(new GridUnavailableException("connection refused", null));

    int exit = run(remote, false, false, args);

    assertEquals(0, exit);
    assertEquals(1, remote.requests.size());
    assertArrayEquals(expectedObject, Files.readAllBytes(cwd.resolve("obj/main.o")));
    assertEquals(expectedDeps, Files.readString(cwd.resolve("obj/main.d")));
    assertEquals(List.of("main.d", "main.o"), dirContents("obj"));
    assertEquals(
        "hgbuild: warning: grid at "
            + COORDINATOR
            + " unavailable (connection refused); compiling src/main.c locally\n",
        errText());
  }

  /**
   * The daemon interrupts a compile whose launcher hung up; gRPC then cancels the call, which
   * surfaces as "grid unavailable". That must not turn into a local compile writing an object for a
   * build that was stopped.
   */
  @Test
  void anInterruptedRemoteCallNeitherFallsBackNorWrites() throws Exception {
    List<String> args = List.of("-O2", "-Iinclude", "-MMD", "-c", "src/main.c", "-o", "obj/main.o");
    FakeRemote remote =
        new FakeRemote(new GridUnavailableException("CANCELLED: Thread interrupted", null)) {
          @Override
          public RemoteResult execute(RemoteAction action, String clientId, boolean batch)
              throws GridUnavailableException, MissingInputException {
            Thread.currentThread().interrupt(); // as the daemon's hangup watch does
            return super.execute(action, clientId, batch);
          }
        };

    try {
      assertThrows(InterruptedException.class, () -> run(remote, false, false, args));
    } finally {
      Thread.interrupted();
    }

    assertEquals(1, remote.requests.size());
    assertFalse(Files.exists(cwd.resolve("obj/main.o")), "no object after the cancel");
    assertFalse(Files.exists(cwd.resolve("obj/main.d")));
    assertFalse(errText().contains("locally"), errText());
  }

  @Test
  void noFallbackFailsWithAClearError() throws Exception {
    List<String> args =
        List.of("-Iinclude", "-MMD", "-MF", "deps/main.d", "-c", "src/main.c", "-o", "obj/main.o");
    FakeRemote remote = new FakeRemote(new GridUnavailableException("no capable worker", null));

    int exit = run(remote, true, false, args);

    assertEquals(1, exit);
    assertEquals(
        "hgbuild: error: cannot compile src/main.c on the grid at "
            + COORDINATOR
            + ": no capable worker (--no-fallback is set, so not compiling locally)\n",
        errText());
    assertEquals(List.of(), dirContents("obj"));
    assertEquals(List.of(), dirContents("deps"), "the scan writes no dependency file");
  }

  @Test
  void linkStepRunsLocallyWithoutTheGrid() throws Exception {
    FakeRemote remote = new FakeRemote(ok());
    int exit =
        run(remote, false, true, List.of("-Iinclude", "src/main.c", "src/util.c", "-o", "app"));
    assertEquals(0, exit);
    assertEquals(0, remote.requests.size());
    assertTrue(Files.isExecutable(cwd.resolve("app")));
    assertEquals("hgbuild: src/main.c [local link step]\n", errText());
  }

  @Test
  void preprocessOnlyRunsLocallyWithoutTheGrid() throws Exception {
    FakeRemote remote = new FakeRemote(ok());
    int exit = run(remote, false, true, List.of("-Iinclude", "-E", "src/main.c", "-o", "main.i"));
    assertEquals(0, exit);
    assertEquals(0, remote.requests.size());
    assertTrue(Files.readString(cwd.resolve("main.i")).contains("int twice(int x);"));
    assertEquals("hgbuild: src/main.c [local preprocess only (-E)]\n", errText());
  }

  @Test
  void verboseNamesTheWorker() throws Exception {
    FakeRemote remote = new FakeRemote(ok());
    int exit =
        run(remote, false, true, List.of("-Iinclude", "-c", "src/main.c", "-o", "obj/main.o"));
    assertEquals(0, exit);
    assertEquals(
        "src/main.c:3:1: warning: from the worker\nhgbuild: src/main.c [remote worker-7]\n",
        errText());
  }

  @Test
  void verboseFallbackNamesTheReason() throws Exception {
    FakeRemote remote = new FakeRemote(new GridUnavailableException("deadline exceeded", null));
    int exit =
        run(remote, false, true, List.of("-Iinclude", "-c", "src/main.c", "-o", "obj/main.o"));
    assertEquals(0, exit);
    assertEquals(
        "hgbuild: warning: grid at "
            + COORDINATOR
            + " unavailable (deadline exceeded); compiling src/main.c locally\n"
            + "hgbuild: src/main.c [local grid unavailable]\n",
        errText());
    assertTrue(Files.size(cwd.resolve("obj/main.o")) > 0);
  }

  @Test
  void withTheCompilersScanAPreprocessingFailureCompilesLocallyWithoutTheGrid() throws Exception {
    builtinScan = false;
    Files.writeString(cwd.resolve("src/broken.c"), "#include \"missing.h\"\nint x;\n");
    FakeRemote remote = new FakeRemote(ok());
    int exit = run(remote, false, true, List.of("-c", "src/broken.c", "-o", "obj/broken.o"));
    assertEquals(1, exit, "gcc's own exit code for the missing header");
    assertEquals(0, remote.requests.size());
    assertTrue(
        errText().startsWith("hgbuild: src/broken.c [local dependency scan exited with 1]\n"),
        errText());
    assertTrue(errText().contains("missing.h: No such file or directory"), "gcc's own message");
    assertEquals(List.of(), dirContents("obj"));
  }

  @Test
  void aRemoteFailureTheCompilersScanDoesNotConfirmIsCompiledHere() throws Exception {
    // The built-in scan ignores an include it cannot find (it may sit in a dead branch); the
    // worker then fails on it, and since gcc's own scan fails too, gcc here has the last word.
    Files.writeString(cwd.resolve("src/broken.c"), "#include \"missing.h\"\nint x;\n");
    FakeRemote remote =
        new FakeRemote(
            new Answer(
                1, "", "src/broken.c:1:10: fatal error: missing.h: from the worker\n", null));
    int exit = run(remote, false, true, List.of("-c", "src/broken.c", "-o", "obj/broken.o"));
    assertEquals(1, exit, "gcc's own exit code for the missing header");
    assertEquals(1, remote.requests.size());
    assertTrue(
        errText()
            .startsWith(
                "hgbuild: src/broken.c [local the grid's compile failed; compiling here]\n"),
        errText());
    assertTrue(errText().contains("missing.h: No such file or directory"), "gcc's own message");
    assertFalse(errText().contains("from the worker"), errText());
    assertEquals(List.of(), dirContents("obj"));
  }

  @Test
  void aRemoteCompileErrorOverTheCompleteInputsStands() throws Exception {
    // gcc's own scan names no file the built-in one left out: the worker's diagnostics are the
    // compile's, and nothing runs here.
    Files.writeString(cwd.resolve("src/typo.c"), "#include \"util.h\"\nint x = ;\n");
    FakeRemote remote =
        new FakeRemote(new Answer(1, "", "src/typo.c:2:9: error: from the worker\n", null));
    int exit =
        run(remote, false, true, List.of("-Iinclude", "-c", "src/typo.c", "-o", "obj/typo.o"));
    assertEquals(1, exit);
    assertEquals(
        "src/typo.c:2:9: error: from the worker\nhgbuild: src/typo.c [remote worker-7]\n",
        errText());
  }

  @Test
  void anOutputThatDoesNotMatchItsDigestIsRefusedAndCompiledLocally() throws Exception {
    List<String> args = List.of("-Iinclude", "-c", "src/main.c", "-o", "obj/main.o");
    byte[] expected = localObject(args, "obj/main.o");
    RemoteCompiler lying =
        (action, clientId, batch) ->
            new RemoteResult(
                0,
                new byte[0],
                new byte[0],
                "worker-7",
                List.of(
                    new RemoteResult.Output(
                        action.outputPaths().get(0), Digest.of(new byte[] {1}), false, OBJECT)));

    int exit = run(lying, false, false, args);

    assertEquals(0, exit);
    assertArrayEquals(expected, Files.readAllBytes(cwd.resolve("obj/main.o")));
    assertTrue(
        errText()
            .startsWith(
                "hgbuild: warning: output " + cwd + "/obj/main.o does not match its digest"),
        errText());
    assertTrue(errText().endsWith("; compiling src/main.c locally\n"), errText());
  }

  @Test
  void anOutputOutsideTheDeclaredPathsIsNeverWritten() throws Exception {
    Path evil = tmp.resolve("evil.o");
    RemoteCompiler hostile =
        (action, clientId, batch) ->
            new RemoteResult(
                0,
                new byte[0],
                new byte[0],
                "worker-7",
                List.of(
                    new RemoteResult.Output(evil.toString(), Digest.of(OBJECT), false, OBJECT)));

    int exit =
        run(hostile, false, false, List.of("-Iinclude", "-c", "src/main.c", "-o", "obj/main.o"));

    assertEquals(0, exit, "compiled locally instead");
    assertFalse(Files.exists(evil));
    assertTrue(errText().contains("which is not an output of this compile"), errText());
    assertTrue(Files.size(cwd.resolve("obj/main.o")) > 0);
  }

  @Test
  void anInputThatVanishedIsNamedAndTheCompileRunsLocally() throws Exception {
    FakeRemote remote =
        new FakeRemote(
            new MissingInputException(
                cwd + "/include/util.h", "changed after the dependency scan"));

    int exit =
        run(remote, false, false, List.of("-Iinclude", "-c", "src/main.c", "-o", "obj/main.o"));

    assertEquals(0, exit);
    assertEquals(
        "hgbuild: warning: input "
            + cwd
            + "/include/util.h: changed after the dependency scan; compiling src/main.c locally\n",
        errText());
    assertTrue(Files.size(cwd.resolve("obj/main.o")) > 0);
  }

  @Test
  void missingCompilerExits127() throws Exception {
    FakeRemote remote = new FakeRemote(ok());
    int exit = run(remote, false, false, "no-such-cc", List.of("-c", "src/main.c"));
    assertEquals(127, exit);
    assertEquals("hgbuild: error: compiler 'no-such-cc' not found on PATH\n", errText());
    assertEquals(0, remote.requests.size());
  }
}
