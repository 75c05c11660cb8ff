package io.hybridgrid.cli.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.cli.action.InputRoot;
import io.hybridgrid.cli.action.RemoteAction;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The include structures real projects use, compiled through {@link CompileFlow} and replayed in a
 * sandbox that shows only the toolchain and the action's input root ({@link SandboxReplay}):
 * objects, dependency files, split-DWARF files and stderr must be byte-identical to a local compile
 * at the same path. A header the input discovery missed, a link it did not record or a directory it
 * left out makes the replay fail or differ.
 */
class ActionReplayTest {
  private static final String FLAGS =
      "-std=c11 -pedantic -Wall -g -MMD -iquote quote -isystem sys -isystem sys2 -I./x/../y"
          + " -Ilinkinc -include forced.h";

  @TempDir Path tmp;

  private Path proj;
  private final CompileServices services = CompileServices.create(2, false);

  @BeforeEach
  void project() throws Exception {
    Assumptions.assumeTrue(SandboxReplay.available(), "bubblewrap cannot sandbox here");
    proj = tmp.toRealPath().resolve("proj");
    for (String d :
        List.of("src/lib", "quote", "sys", "sys2", "deep/xt", "deep/y", "y", "real_inc", "obj")) {
      Files.createDirectories(proj.resolve(d));
    }
    // -I./x/../y: x is a link, so x/.. is deep/, not proj/; the lexical proj/y is a decoy.
    Files.createSymbolicLink(proj.resolve("x"), Path.of("deep/xt"));
    // A symlinked include directory.
    Files.createSymbolicLink(proj.resolve("linkinc"), Path.of("real_inc"));
    write(
        "src/main.c",
        "#include \"config.h\"",
        "#include <wrap.h>",
        "#include \"plain.h\"",
        "#include \"lib/part.c\"",
        "#define HDR <computed.h>",
        "#include HDR",
        "#include \"once.h\"",
        "#include \"once.h\"",
        "#if __has_include(<absent.h>)",
        "#error absent.h is not there",
        "#endif",
        "#if __has_include(\"config.h\")",
        "int has_config = 1;",
        "#endif",
        "const char *file = __FILE__;",
        "int line = __LINE__;",
        "int c1 = __COUNTER__;",
        "int c2 = __COUNTER__;",
        "#ifdef WARN",
        "static int unused_fn(int a) { return a; }",
        "#endif",
        "int main_fn(void) { return FORCED + CONFIG + WRAP + PLAIN + COMPUTED + ONCE + part(); }");
    write("forced.h", "#define FORCED 1");
    write("quote/config.h", "#define CONFIG 2");
    write("sys/wrap.h", "#include_next <wrap.h>", "#define WRAP (WRAP_NEXT + 1)");
    write("sys2/wrap.h", "#define WRAP_NEXT 3");
    write("deep/y/plain.h", "#define PLAIN 4");
    write("y/plain.h", "#error the lexical y/plain.h must not be used");
    write("real_inc/computed.h", "#define COMPUTED 5");
    write("src/once.h", "#pragma once", "static const int once_guard = 1;", "#define ONCE 6");
    write(
        "src/lib/part.c",
        "#include \"../once.h\"",
        "static int part(void) { return __LINE__ + once_guard; }",
        "const char *part_file = __FILE__;");
  }

  private void write(String path, String... lines) throws Exception {
    Files.writeString(proj.resolve(path), String.join("\n", lines) + "\n");
  }

  private record Local(int exit, byte[] stderr) {}

  private Local local(String compiler, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler);
    cmd.addAll(args);
    Path err = tmp.resolve("local.err");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(proj.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile());
    pb.environment().clear();
    pb.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C"));
    Process p = pb.start();
    return new Local(p.waitFor(), Files.readAllBytes(err));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "gcc   | -Werror                  | ",
        "gcc   | -Werror -g3              | ",
        "gcc   | -Werror -gsplit-dwarf    | obj/main.dwo",
        "gcc   | -DWARN                   | ",
        "clang | -Werror                  | ",
        "clang | -Werror -gsplit-dwarf    | obj/main.dwo",
        "clang | -DWARN                   | "
      })
  void replayedCompileIsIdenticalToLocal(String compiler, String extra, String dwo)
      throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/" + compiler)), compiler);
    List<String> args = new ArrayList<>(List.of((FLAGS + " " + extra).trim().split(" +")));
    args.addAll(List.of("-c", "src/main.c", "-o", "obj/main.o"));
    Local expected = local(compiler, args);
    assertEquals(0, expected.exit(), new String(expected.stderr(), StandardCharsets.UTF_8));
    byte[] object = Files.readAllBytes(proj.resolve("obj/main.o"));
    byte[] deps = Files.readAllBytes(proj.resolve("obj/main.d"));
    byte[] split = dwo == null ? null : Files.readAllBytes(proj.resolve(dwo));
    for (String f : List.of("obj/main.o", "obj/main.d")) {
      Files.delete(proj.resolve(f));
    }
    if (dwo != null) {
      Files.delete(proj.resolve(dwo));
    }

    SandboxReplay grid = new SandboxReplay(tmp);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        new CompileFlow(
                ClientRequest.resolve(
                    new ClientSettings(
                        HostPort.parse("127.0.0.1:1"), true, false, Duration.ofSeconds(60)),
                    Map.of(
                        "PATH", "/usr/bin:/bin",
                        "LC_ALL", "C",
                        "HG_CACHE_DIR", tmp.resolve("cache").toString()),
                    proj),
                grid,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                services)
            .run(compiler, args);

    assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
    assertEquals(1, grid.actions.size(), "compiled on the (sandboxed) grid, not locally");
    assertArrayEquals(expected.stderr(), err.toByteArray(), "stderr identical");
    assertArrayEquals(object, Files.readAllBytes(proj.resolve("obj/main.o")), "object identical");
    assertArrayEquals(deps, Files.readAllBytes(proj.resolve("obj/main.d")), ".d identical");
    if (dwo != null) {
      assertArrayEquals(split, Files.readAllBytes(proj.resolve(dwo)), ".dwo identical");
    }
    if (extra.contains("WARN")) {
      assertTrue(expected.stderr().length > 0, "the variant that warns does warn");
    }
    RemoteAction action = grid.actions.get(0);
    List<String> links = action.inputs().symlinks().stream().map(InputRoot.Symlink::path).toList();
    assertEquals(List.of(proj + "/linkinc", proj + "/x"), links);
    List<String> files = action.inputs().files().stream().map(InputRoot.File::path).toList();
    assertTrue(files.contains(proj + "/deep/y/plain.h"), files::toString);
    assertTrue(files.contains(proj + "/sys2/wrap.h"), "#include_next target: " + files);
    assertTrue(!files.contains(proj + "/y/plain.h"), "the decoy is not an input");
  }
}
