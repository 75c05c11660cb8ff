package io.hybridgrid.cli.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.proto.v1.CompileRequest;
import io.hybridgrid.proto.v1.CompileResponse;
import io.hybridgrid.proto.v1.CompileResult;
import io.hybridgrid.proto.v1.CompileTask;
import io.hybridgrid.proto.v1.Language;
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

  /** A grid that answers every request with one response, or fails, and records what it got. */
  private static final class FakeRemote implements RemoteCompiler {
    final List<CompileRequest> requests = new ArrayList<>();
    final CompileResponse response;
    final GridUnavailableException failure;

    FakeRemote(CompileResult result) {
      this.response = CompileResponse.newBuilder().setResult(result).setAttempts(1).build();
      this.failure = null;
    }

    FakeRemote(GridUnavailableException failure) {
      this.response = null;
      this.failure = failure;
    }

    @Override
    public CompileResponse compile(CompileRequest request) throws GridUnavailableException {
      requests.add(request);
      if (failure != null) {
        throw failure;
      }
      return response;
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

  private static ClientSettings settings(boolean noFallback, boolean verbose) {
    return new ClientSettings(
        HostPort.parse(COORDINATOR), noFallback, verbose, Duration.ofSeconds(60));
  }

  private int run(FakeRemote remote, boolean noFallback, boolean verbose, List<String> args)
      throws Exception {
    return run(remote, noFallback, verbose, "gcc", args);
  }

  private int run(
      FakeRemote remote, boolean noFallback, boolean verbose, String compiler, List<String> args)
      throws Exception {
    CompileFlow flow =
        new CompileFlow(
            settings(noFallback, verbose),
            remote,
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
            cwd,
            out,
            err,
            CompileServices.create(2, false));
    return flow.run(compiler, args);
  }

  private String errText() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  private static CompileResult ok() {
    return CompileResult.newBuilder()
        .setExitCode(0)
        .setObject(ByteString.copyFrom(OBJECT))
        .setStdout(ByteString.copyFromUtf8("remote stdout\n"))
        .setStderr(ByteString.copyFromUtf8("src/main.c:3:1: warning: from the worker\n"))
        .setWorkerId("worker-7")
        .build();
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
    List<String> args = new ArrayList<>(List.of("-O2", "-Iinclude"));
    args.addAll(List.of(depArgs.split(" ")));
    args.addAll(List.of("-c", "src/main.c", "-o", "obj/main.o"));
    String expectedDeps = localDepFile(args, depFile, "obj/main.o");
    FakeRemote remote = new FakeRemote(ok());

    int exit = run(remote, false, false, args);

    assertEquals(0, exit, errText());
    assertArrayEquals(OBJECT, Files.readAllBytes(cwd.resolve("obj/main.o")));
    assertEquals(expectedDeps, Files.readString(cwd.resolve(depFile)));
    assertEquals("remote stdout\n", outBytes.toString(StandardCharsets.UTF_8));
    assertEquals("src/main.c:3:1: warning: from the worker\n", errText());
    String dir = depFile.substring(0, depFile.indexOf('/'));
    List<String> expectedFiles =
        dir.equals("obj") ? List.of("main.d", "main.o") : List.of("main.d");
    assertEquals(expectedFiles, dirContents(dir), "no temporary files left behind");

    assertEquals(1, remote.requests.size());
    CompileTask task = remote.requests.get(0).getTask();
    assertEquals("gcc", task.getCompiler().getFamily());
    assertEquals(Language.LANGUAGE_C, task.getLanguage());
    assertEquals(List.of("-O2"), task.getArgsList());
    assertEquals("src/main.c", task.getSourcePath());
    assertEquals(cwd.toString(), task.getClientCwd());
    assertEquals(Map.of("LC_ALL", "C"), task.getEnvMap());
    assertEquals("tester", remote.requests.get(0).getClientId());
    String unit = task.getPreprocessed().toString(StandardCharsets.ISO_8859_1);
    assertTrue(unit.contains("\n# 1 \"src/main.c\"\n"), "gcc -fdirectives-only output");
    assertTrue(unit.contains("\n# 1 \"include/util.h\" 1\n"), "with -Iinclude applied");
  }

  @Test
  void withoutOutputOptionTheObjectAndDepsGoWhereGccPutsThem() throws Exception {
    List<String> args = List.of("-Iinclude", "-MMD", "-c", "src/main.c");
    String expectedDeps = localDepFile(args, "main.d", "main.o");
    assertTrue(expectedDeps.startsWith("main.o: src/main.c"), expectedDeps);

    int exit = run(new FakeRemote(ok()), false, false, args);

    assertEquals(0, exit);
    assertArrayEquals(OBJECT, Files.readAllBytes(cwd.resolve("main.o")));
    assertEquals(expectedDeps, Files.readString(cwd.resolve("main.d")));
  }

  @Test
  void remoteCompileErrorWritesNoObjectAndReturnsTheExitCode() throws Exception {
    List<String> args =
        List.of("-Iinclude", "-MMD", "-MF", "deps/main.d", "-c", "src/main.c", "-o", "obj/main.o");
    String expectedDeps = localDepFile(args, "deps/main.d", "obj/main.o");
    FakeRemote remote =
        new FakeRemote(
            CompileResult.newBuilder()
                .setExitCode(1)
                .setStderr(ByteString.copyFromUtf8("src/main.c:3:5: error: bad\n"))
                .setStdout(ByteString.copyFromUtf8("partial\n"))
                .setWorkerId("worker-7")
                .build());

    int exit = run(remote, false, true, args);

    assertEquals(1, exit);
    assertFalse(Files.exists(cwd.resolve("obj/main.o")));
    assertEquals(List.of(), dirContents("obj"));
    // gcc writes the dependency file even when the compile fails; so does hgbuild.
    assertEquals(expectedDeps, Files.readString(cwd.resolve("deps/main.d")));
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
    assertEquals(List.of(), dirContents("deps"), "the preprocessing run's .d is removed");
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
  void preprocessingFailureCompilesLocallyWithoutTheGrid() throws Exception {
    Files.writeString(cwd.resolve("src/broken.c"), "#include \"missing.h\"\nint x;\n");
    FakeRemote remote = new FakeRemote(ok());
    int exit = run(remote, false, true, List.of("-c", "src/broken.c", "-o", "obj/broken.o"));
    assertEquals(1, exit, "gcc's own exit code for the missing header");
    assertEquals(0, remote.requests.size());
    assertTrue(
        errText().startsWith("hgbuild: src/broken.c [local preprocessing failed]\n"), errText());
    assertTrue(errText().contains("missing.h: No such file or directory"), "gcc's own message");
    assertEquals(List.of(), dirContents("obj"));
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
