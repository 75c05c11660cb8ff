package io.hybridgrid.cli.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.cli.action.Digest;
import io.hybridgrid.cli.action.RemoteAction;
import io.hybridgrid.cli.action.RemoteResult;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.cli.cache.LocalCache;
import io.hybridgrid.cli.cache.StatsDelta;
import io.hybridgrid.common.grpc.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local cache inside {@link CompileFlow}, with real gcc and clang. The grid is down in these
 * tests, so every miss compiles locally (the fallback path, whose results are cached too); every
 * object is compared with what a plain compile of the same files gives.
 *
 * <p>Longer than 500 lines on purpose: it is the cache-correctness suite the issue asks for (one
 * test per key part, each shown to fail when that part is left out of the key), and its helpers
 * (plain compiles, settling timestamps) are shared by all of them.
 */
class CompileCacheTest {

  private static final Path GCC = Path.of("/usr/bin/gcc");
  private static final Path CLANG = Path.of("/usr/bin/clang");

  @TempDir Path tmp;

  private Path cache;
  private Path proj;
  private final CompileServices services = CompileServices.create(2, false);

  /** A grid that is never there; counts how often it was asked. */
  private static final class DownGrid implements RemoteCompiler {
    int calls;
    Runnable onCall = () -> {};

    @Override
    public RemoteResult execute(RemoteAction action, String clientId, boolean batch)
        throws GridUnavailableException {
      calls++;
      onCall.run();
      throw new GridUnavailableException("test grid is down", null);
    }
  }

  /**
   * One hgbuild run.
   *
   * @param exit its exit code
   * @param out its stdout
   * @param err its stderr
   * @param mode "direct", "depend" or "miss"
   */
  private record Run(int exit, String out, String err, String mode) {}

  @BeforeEach
  void project() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(GCC), "gcc is not installed");
    cache = tmp.toRealPath().resolve("cache");
    proj = tmp.toRealPath().resolve("proj");
    Files.createDirectories(proj.resolve("include"));
    Files.createDirectories(proj.resolve("src"));
    Files.createDirectories(proj.resolve("obj"));
    Files.writeString(proj.resolve("include/value.h"), "#define VALUE 1\nint twice(int);\n");
    Files.writeString(
        proj.resolve("src/main.c"),
        "#include \"value.h\"\nint value(void) { return twice(VALUE) + LEVEL; }\n");
  }

  private Map<String, String> env(String... extra) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/bin:/bin");
    env.put("LC_ALL", "C");
    env.put("HG_CACHE_DIR", cache.toString());
    for (int i = 0; i < extra.length; i += 2) {
      env.put(extra[i], extra[i + 1]);
    }
    return env;
  }

  private Run hgbuild(Path cwd, Map<String, String> env, String compiler, List<String> args)
      throws Exception {
    return hgbuild(cwd, env, new DownGrid(), compiler, args);
  }

  private Run hgbuild(
      Path cwd, Map<String, String> env, DownGrid grid, String compiler, List<String> args)
      throws Exception {
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    CompileFlow flow =
        new CompileFlow(
            ClientRequest.resolve(
                new ClientSettings(
                    HostPort.parse("127.0.0.1:1"), false, true, Duration.ofSeconds(30)),
                env,
                cwd),
            grid,
            new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8),
            services);
    int exit = flow.run(compiler, args);
    String err = errBytes.toString(StandardCharsets.UTF_8);
    String mode =
        err.contains("[cache hit direct]")
            ? "direct"
            : err.contains("[cache hit depend]") ? "depend" : "miss";
    if (!mode.equals("miss")) {
      assertEquals(0, grid.calls, "a hit never reaches the grid");
    }
    return new Run(exit, outBytes.toString(StandardCharsets.UTF_8), err, mode);
  }

  /**
   * Compiles with the real compiler in {@code cwd}, writing the object next to where {@code args}
   * put it (so hgbuild's output is left alone), and returns the object file's bytes.
   */
  private static byte[] plain(Path cwd, Map<String, String> env, Path compiler, List<String> args)
      throws Exception {
    List<String> moved = new ArrayList<>(args);
    int o = moved.indexOf("-o") + 1;
    moved.set(o, moved.get(o) + ".plain.o");
    return plainExact(cwd, env, compiler, moved);
  }

  /** Compiles with the real compiler in {@code cwd} exactly as {@code args} say. */
  private static byte[] plainExact(
      Path cwd, Map<String, String> env, Path compiler, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(compiler.toString());
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(cwd.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "plain compile of " + args);
    String object = args.get(args.indexOf("-o") + 1);
    Path o = cwd.resolve(object);
    byte[] bytes = Files.readAllBytes(o);
    Files.delete(o);
    return bytes;
  }

  /**
   * Waits (bounded) until every file under {@code dir} was last changed longer ago than the cache's
   * safety margin, so the next compile may cache what it reads: a file changed just before a
   * compile counts as changed during it.
   */
  private static void settle(Path dir) throws Exception {
    Instant newest = Instant.EPOCH;
    FileHashes hashes = new FileHashes(Clock.systemUTC());
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Instant t = hashes.stamp(p).orElseThrow().lastChange();
        newest = t.isAfter(newest) ? t : newest;
      }
    }
    Instant ready = newest.plus(FileHashes.SETTLE).plusMillis(20);
    Instant deadline = Instant.now().plusSeconds(5);
    while (Instant.now().isBefore(ready)) {
      assertTrue(Instant.now().isBefore(deadline), "clock did not advance");
      Thread.sleep(5);
    }
  }

  private Map<String, Long> counters() throws Exception {
    return new LocalCache(cache, Clock.systemUTC()).counters();
  }

  private long counter(String name) throws Exception {
    return counters().getOrDefault(name, 0L);
  }

  private long resultEntries() throws Exception {
    if (!Files.isDirectory(cache)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(cache)) {
      return s.filter(p -> p.toString().endsWith(".r")).count();
    }
  }

  private static List<String> args(String... a) {
    return List.of(a);
  }

  @ParameterizedTest(name = "HG_NO_DIRECT={0}")
  @ValueSource(strings = {"0", "1"})
  void editingAHeaderMisses(String noDirect) throws Exception {
    Map<String, String> env = env("HG_NO_DIRECT", noDirect);
    List<String> a = args("-Iinclude", "-DLEVEL=3", "-O2", "-c", "src/main.c", "-o", "obj/m.o");
    String hitMode = noDirect.equals("1") ? "depend" : "direct";
    settle(proj);

    Run first = hgbuild(proj, env, "gcc", a);
    assertEquals("miss", first.mode(), first.err());
    Run second = hgbuild(proj, env, "gcc", a);
    assertEquals(hitMode, second.mode(), second.err());
    assertArrayEquals(plain(proj, env, GCC, a), Files.readAllBytes(proj.resolve("obj/m.o")));

    // Same size, new content: only the content can tell.
    Files.writeString(proj.resolve("include/value.h"), "#define VALUE 7\nint twice(int);\n");
    settle(proj);
    Run third = hgbuild(proj, env, "gcc", a);
    assertEquals("miss", third.mode(), "a stale hit after editing the header: " + third.err());
    byte[] expected = plain(proj, env, GCC, a);
    assertArrayEquals(expected, Files.readAllBytes(proj.resolve("obj/m.o")));
    Run fourth = hgbuild(proj, env, "gcc", a);
    assertEquals(hitMode, fourth.mode(), fourth.err());
    assertArrayEquals(expected, Files.readAllBytes(proj.resolve("obj/m.o")));
    assertEquals(noDirect.equals("1") ? 0 : 2, counter(StatsDelta.HITS_DIRECT));
    assertEquals(noDirect.equals("1") ? 2 : 0, counter(StatsDelta.HITS_PREPROCESSED));
    assertEquals(2, counter(StatsDelta.MISSES));
    assertEquals(2, counter(StatsDelta.FALLBACKS));
  }

  @ParameterizedTest(name = "HG_NO_DIRECT={0}")
  @ValueSource(strings = {"0", "1"})
  void editingTheSourceMisses(String noDirect) throws Exception {
    Map<String, String> env = env("HG_NO_DIRECT", noDirect);
    List<String> a = args("-Iinclude", "-DLEVEL=3", "-c", "src/main.c", "-o", "obj/m.o");
    settle(proj);
    assertEquals("miss", hgbuild(proj, env, "gcc", a).mode());

    Files.writeString(
        proj.resolve("src/main.c"),
        "#include \"value.h\"\nint value(void) { return twice(VALUE) - LEVEL; }\n");
    settle(proj);
    Run edited = hgbuild(proj, env, "gcc", a);

    assertEquals("miss", edited.mode(), "a stale hit after editing the source: " + edited.err());
    assertArrayEquals(plain(proj, env, GCC, a), Files.readAllBytes(proj.resolve("obj/m.o")));
  }

  /** The same arguments find another header when CPATH changes: the environment is in the key. */
  @ParameterizedTest(name = "HG_NO_DIRECT={0}")
  @ValueSource(strings = {"0", "1"})
  void changingTheIncludePathVariableMisses(String noDirect) throws Exception {
    Files.createDirectories(proj.resolve("alt"));
    Files.writeString(proj.resolve("alt/value.h"), "#define VALUE 5\nint twice(int);\n");
    List<String> a = args("-DLEVEL=3", "-c", "src/main.c", "-o", "obj/m.o");
    Map<String, String> inc =
        env("HG_NO_DIRECT", noDirect, "CPATH", proj.resolve("include").toString());
    Map<String, String> alt =
        env("HG_NO_DIRECT", noDirect, "CPATH", proj.resolve("alt").toString());
    settle(proj);
    assertEquals("miss", hgbuild(proj, inc, "gcc", a).mode());

    Run other = hgbuild(proj, alt, "gcc", a);

    assertEquals("miss", other.mode(), other.err());
    assertArrayEquals(plain(proj, alt, GCC, a), Files.readAllBytes(proj.resolve("obj/m.o")));
    assertEquals(noDirect.equals("1") ? "depend" : "direct", hgbuild(proj, inc, "gcc", a).mode());
    assertArrayEquals(plain(proj, inc, GCC, a), Files.readAllBytes(proj.resolve("obj/m.o")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"define", "optimisation", "compiler"})
  void changingAnOptionOrTheCompilerMisses(String what) throws Exception {
    Map<String, String> env = env();
    List<String> base = args("-Iinclude", "-DLEVEL=3", "-O2", "-c", "src/main.c", "-o", "obj/m.o");
    String compiler = "gcc";
    Path compilerPath = GCC;
    List<String> changed =
        switch (what) {
          case "define" ->
              args("-Iinclude", "-DLEVEL=4", "-O2", "-c", "src/main.c", "-o", "obj/m.o");
          case "optimisation" ->
              args("-Iinclude", "-DLEVEL=3", "-O0", "-c", "src/main.c", "-o", "obj/m.o");
          default -> base;
        };
    if (what.equals("compiler")) {
      Assumptions.assumeTrue(Files.isExecutable(CLANG), "clang is not installed");
      compiler = "clang";
      compilerPath = CLANG;
    }
    settle(proj);
    assertEquals("miss", hgbuild(proj, env, "gcc", base).mode());
    assertEquals("direct", hgbuild(proj, env, "gcc", base).mode());

    Run other = hgbuild(proj, env, compiler, changed);
    assertEquals("miss", other.mode(), other.err());
    assertArrayEquals(
        plain(proj, env, compilerPath, changed), Files.readAllBytes(proj.resolve("obj/m.o")));
    // And the same holds without direct mode: the preprocessed key differs too.
    Run pre = hgbuild(proj, env("HG_NO_DIRECT", "1"), compiler, changed);
    assertEquals("depend", pre.mode(), pre.err());
    assertArrayEquals(
        plain(proj, env, compilerPath, changed), Files.readAllBytes(proj.resolve("obj/m.o")));
    Run back = hgbuild(proj, env("HG_NO_DIRECT", "1"), "gcc", base);
    assertEquals("depend", back.mode(), back.err());
    assertArrayEquals(plain(proj, env, GCC, base), Files.readAllBytes(proj.resolve("obj/m.o")));
  }

  @Test
  void sourceDateEpochChangesTheDateMacroAndMisses() throws Exception {
    Files.writeString(proj.resolve("src/date.c"), "const char *built = __DATE__;\n");
    List<String> a = args("-c", "src/date.c", "-o", "obj/d.o");
    settle(proj);

    Run first = hgbuild(proj, env("SOURCE_DATE_EPOCH", "0"), "gcc", a);
    assertEquals("miss", first.mode(), first.err());
    assertTrue(contains(proj.resolve("obj/d.o"), "Jan  1 1970"));
    assertEquals("direct", hgbuild(proj, env("SOURCE_DATE_EPOCH", "0"), "gcc", a).mode());
    Run nodirect = hgbuild(proj, env("SOURCE_DATE_EPOCH", "0", "HG_NO_DIRECT", "1"), "gcc", a);
    assertEquals("depend", nodirect.mode(), nodirect.err());

    Run year = hgbuild(proj, env("SOURCE_DATE_EPOCH", "31536000"), "gcc", a);
    assertEquals("miss", year.mode(), "stale __DATE__: " + year.err());
    assertTrue(contains(proj.resolve("obj/d.o"), "Jan  1 1971"));
    Run pre = hgbuild(proj, env("SOURCE_DATE_EPOCH", "86400", "HG_NO_DIRECT", "1"), "gcc", a);
    assertEquals("miss", pre.mode(), "stale __DATE__ in preprocessed mode: " + pre.err());
    assertTrue(contains(proj.resolve("obj/d.o"), "Jan  2 1970"));
  }

  @Test
  void timeMacroIsNotCachedUnlessSourceDateEpochFixesIt() throws Exception {
    Files.writeString(proj.resolve("src/time.c"), "const char *at = __TIME__;\n");
    List<String> a = args("-c", "src/time.c", "-o", "obj/t.o");
    settle(proj);

    assertEquals("miss", hgbuild(proj, env(), "gcc", a).mode());
    assertEquals("miss", hgbuild(proj, env(), "gcc", a).mode());
    assertEquals(2, counter(StatsDelta.UNCACHEABLE + "time_macro"));
    assertEquals(0, resultEntries());

    assertEquals("miss", hgbuild(proj, env("SOURCE_DATE_EPOCH", "0"), "gcc", a).mode());
    Run again = hgbuild(proj, env("SOURCE_DATE_EPOCH", "0"), "gcc", a);
    assertEquals("depend", again.mode(), "direct mode stays off with __TIME__");
    assertTrue(contains(proj.resolve("obj/t.o"), "00:00:00"));
    Run other = hgbuild(proj, env("SOURCE_DATE_EPOCH", "61"), "gcc", a);
    assertEquals("miss", other.mode());
    assertTrue(contains(proj.resolve("obj/t.o"), "00:01:01"));
  }

  @ParameterizedTest(name = "HG_NO_DIRECT={0}")
  @ValueSource(strings = {"0", "1"})
  void fileMacroInTwoDirectoriesGivesEachItsOwnObject(String noDirect) throws Exception {
    // The same tree in two places; the header is found through CPATH, by absolute path, so
    // __FILE__ in it names a different directory in each tree while arguments stay the same.
    Map<Path, byte[]> expected = new HashMap<>();
    List<String> a = args("-O1", "-c", "src/where.c", "-o", "obj/where.o");
    for (String name : List.of("one", "two")) {
      Path root = tmp.toRealPath().resolve(name);
      Files.createDirectories(root.resolve("src"));
      Files.createDirectories(root.resolve("obj"));
      Files.createDirectories(root.resolve("inc"));
      Files.writeString(root.resolve("inc/where.h"), "static const char *hdr = __FILE__;\n");
      Files.writeString(
          root.resolve("src/where.c"),
          "#include \"where.h\"\nconst char *file(void) { return __FILE__; }\n"
              + "const char *header(void) { return hdr; }\n");
      expected.put(root, plain(root, treeEnv(root, noDirect), GCC, a));
    }
    assertFalse(
        java.util.Arrays.equals(
            expected.get(tmp.toRealPath().resolve("one")),
            expected.get(tmp.toRealPath().resolve("two"))),
        "the header's __FILE__ differs between the trees");
    settle(tmp.toRealPath());
    for (int round = 0; round < 2; round++) {
      for (Map.Entry<Path, byte[]> e : expected.entrySet()) {
        Run r = hgbuild(e.getKey(), treeEnv(e.getKey(), noDirect), "gcc", a);
        assertEquals(0, r.exit(), r.err());
        assertEquals(round == 0 ? "miss" : noDirect.equals("1") ? "depend" : "direct", r.mode());
        assertArrayEquals(
            e.getValue(),
            Files.readAllBytes(e.getKey().resolve("obj/where.o")),
            "object in " + e.getKey() + " round " + round);
      }
    }
  }

  private Map<String, String> treeEnv(Path root, String noDirect) {
    return env("CPATH", root.resolve("inc").toString(), "HG_NO_DIRECT", noDirect);
  }

  /**
   * With {@code -fno-working-directory} gcc leaves the directory out of the preprocessed text but
   * still records it in the object: then only the key's working directory tells the trees apart.
   */
  @ParameterizedTest(name = "HG_NO_DIRECT={0} {1}")
  @CsvSource({"0, -g", "1, -g", "1, -fno-working-directory"})
  void debugBuildsInTwoDirectoriesNameTheirOwnDirectory(String noDirect, String flag)
      throws Exception {
    List<String> a =
        args("-g", flag, "-O1", "-Iinclude", "-DLEVEL=1", "-c", "src/main.c", "-o", "obj/m.o");
    Path one = tmp.toRealPath().resolve("one");
    Path two = tmp.toRealPath().resolve("two");
    for (Path root : List.of(one, two)) {
      copyTree(proj, root);
    }
    settle(tmp.toRealPath());
    Map<String, String> env = env("HG_NO_DIRECT", noDirect);
    for (int round = 0; round < 2; round++) {
      for (Path root : List.of(one, two)) {
        Run r = hgbuild(root, env, "gcc", a);
        assertEquals(
            round == 0 ? "miss" : noDirect.equals("1") ? "depend" : "direct",
            r.mode(),
            root + " round " + round + " " + counters() + r.err());
        byte[] object = Files.readAllBytes(root.resolve("obj/m.o"));
        assertTrue(contains(root.resolve("obj/m.o"), root.toString()), "DW_AT_comp_dir " + root);
        Path other = root.equals(one) ? two : one;
        assertFalse(contains(root.resolve("obj/m.o"), other.toString()), "names " + other);
        assertArrayEquals(plain(root, env, GCC, a), object);
      }
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static boolean contains(Path file, String text) throws Exception {
    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"flip", "truncate"})
  void aCorruptedEntryIsRebuiltAndNeverServed(String damage) throws Exception {
    Map<String, String> env = env();
    List<String> a = args("-Iinclude", "-DLEVEL=2", "-c", "src/main.c", "-o", "obj/m.o");
    settle(proj);
    assertEquals("miss", hgbuild(proj, env, "gcc", a).mode());
    byte[] expected = plain(proj, env, GCC, a);
    Path entry;
    try (Stream<Path> s = Files.walk(cache)) {
      entry = s.filter(p -> p.toString().endsWith(".r")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(entry);
    if (damage.equals("flip")) {
      bytes[bytes.length / 2] ^= 0x40; // inside the object
    } else {
      bytes = java.util.Arrays.copyOf(bytes, bytes.length - 100);
    }
    Files.write(entry, bytes);

    Run r = hgbuild(proj, env, "gcc", a);
    assertEquals("miss", r.mode(), r.err());
    assertEquals(0, r.exit());
    assertArrayEquals(expected, Files.readAllBytes(proj.resolve("obj/m.o")));
    assertEquals(1, counter(StatsDelta.CORRUPT));
    Run again = hgbuild(proj, env, "gcc", a);
    assertEquals("direct", again.mode(), "rebuilt and stored afresh");
    assertArrayEquals(expected, Files.readAllBytes(proj.resolve("obj/m.o")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"-MMD", "-MD -MP", "-MMD -MF obj/deps.d"})
  void aHitForAnotherObjectPathRewritesTheDependencyTarget(String depArgs) throws Exception {
    Map<String, String> env = env();
    List<String> first = new ArrayList<>(List.of(depArgs.split(" ")));
    first.addAll(args("-Iinclude", "-DLEVEL=2", "-c", "src/main.c", "-o", "obj/first.o"));
    List<String> second = new ArrayList<>(List.of(depArgs.split(" ")));
    second.addAll(args("-Iinclude", "-DLEVEL=2", "-c", "src/main.c", "-o", "obj/my second$.o"));
    String depOf2 = depArgs.contains("-MF") ? "obj/deps.d" : "obj/my second$.d";
    byte[] object = plainExact(proj, env, GCC, second);
    String expectedDeps = Files.readString(proj.resolve(depOf2));
    Files.delete(proj.resolve(depOf2));
    settle(proj);

    assertEquals("miss", hgbuild(proj, env, "gcc", first).mode());
    Run hit = hgbuild(proj, env, "gcc", second);

    assertEquals("direct", hit.mode(), hit.err());
    assertArrayEquals(object, Files.readAllBytes(proj.resolve("obj/my second$.o")));
    assertEquals(expectedDeps, Files.readString(proj.resolve(depOf2)));
    assertTrue(expectedDeps.startsWith("obj/my\\ second$$.o:"), expectedDeps);
  }

  @Test
  void aFileChangedDuringTheCompileIsNotCached() throws Exception {
    settle(proj);
    DownGrid grid = new DownGrid();
    grid.onCall =
        () -> {
          try {
            Files.writeString(
                proj.resolve("include/value.h"), "#define VALUE 9\nint twice(int);\n");
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
    List<String> a = args("-Iinclude", "-DLEVEL=2", "-c", "src/main.c", "-o", "obj/m.o");

    Run r = hgbuild(proj, env(), grid, "gcc", a);

    assertEquals(0, r.exit(), r.err());
    assertEquals(1, counter(StatsDelta.UNCACHEABLE + "modified_during_compile"));
    assertEquals(0, resultEntries());
  }

  @Test
  void warningsAndOutputAreReplayedOnAHit() throws Exception {
    Files.writeString(
        proj.resolve("src/warn.c"),
        "#warning from the preprocessor\nint f(void) { int unused; return 0; }\n");
    List<String> a = args("-Wall", "-c", "src/warn.c", "-o", "obj/w.o");
    settle(proj);
    Run miss = hgbuild(proj, env(), "gcc", a);
    assertTrue(miss.err().contains("warning: #warning from the preprocessor"), miss.err());
    assertTrue(miss.err().contains("unused variable"), miss.err());
    for (String noDirect : List.of("0", "1")) {
      Run hit = hgbuild(proj, env("HG_NO_DIRECT", noDirect), "gcc", a);
      assertEquals(noDirect.equals("1") ? "depend" : "direct", hit.mode());
      assertEquals(strip(miss.err()), strip(hit.err()));
    }
  }

  /** The compiler's part of stderr, without hgbuild's own lines. */
  private static String strip(String err) {
    StringBuilder sb = new StringBuilder();
    for (String line : err.split("\n", -1)) {
      if (!line.startsWith("hgbuild: ")) {
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }

  @Test
  void aCompileErrorIsNotCached() throws Exception {
    Files.writeString(proj.resolve("src/bad.c"), "int f(void) { return missing; }\n");
    List<String> a = args("-c", "src/bad.c", "-o", "obj/b.o");
    settle(proj);
    assertEquals(1, hgbuild(proj, env(), "gcc", a).exit());
    assertEquals(1, hgbuild(proj, env(), "gcc", a).exit());
    assertEquals(0, resultEntries());
    assertEquals(2, counter(StatsDelta.UNCACHEABLE + "compile_error"));
  }

  @Test
  void noCacheStillCompilesAndStoresNothing() throws Exception {
    List<String> a = args("-Iinclude", "-DLEVEL=2", "-c", "src/main.c", "-o", "obj/m.o");
    settle(proj);
    for (int i = 0; i < 2; i++) {
      Run r = hgbuild(proj, env("HG_NO_CACHE", "1"), "gcc", a);
      assertEquals(0, r.exit());
      assertEquals("miss", r.mode());
    }
    assertArrayEquals(plain(proj, env(), GCC, a), Files.readAllBytes(proj.resolve("obj/m.o")));
    assertEquals(0, resultEntries());
    assertEquals(2, counter(StatsDelta.UNCACHEABLE + "cache_disabled"));
  }

  @Test
  void aBadCacheSizeNeverFailsTheCompile() throws Exception {
    // The warning naming HG_CACHE_SIZE is printed where settings are resolved (CliConfigTest).
    Run r =
        hgbuild(
            proj,
            env("HG_CACHE_SIZE", "huge"),
            "gcc",
            args("-Iinclude", "-DLEVEL=3", "-c", "src/main.c", "-o", "bad.o"));
    assertEquals(0, r.exit(), r.err());
    assertTrue(Files.size(proj.resolve("bad.o")) > 0);
  }

  @Test
  void linkingIsCountedAsUncacheable() throws Exception {
    Files.writeString(proj.resolve("src/app.c"), "int main(void) { return 0; }\n");
    Run r = hgbuild(proj, env(), "gcc", args("src/app.c", "-o", "app"));
    assertEquals(0, r.exit(), r.err());
    assertEquals(1, counter(StatsDelta.UNCACHEABLE + "linking"));
    assertEquals(1, counter(StatsDelta.LOCAL));
  }

  @Test
  void remoteResultsAreStoredAndServedWithoutTheGrid() throws Exception {
    byte[] fake = {0x7f, 'E', 'L', 'F', 42};
    RemoteCompiler grid =
        (action, clientId, batch) ->
            new RemoteResult(
                0,
                new byte[0],
                "src/main.c:1: warning: remote\n".getBytes(StandardCharsets.UTF_8),
                "worker-1",
                List.of(
                    new RemoteResult.Output(
                        action.outputPaths().get(0), Digest.of(fake), false, fake)));
    List<String> a = args("-Iinclude", "-DLEVEL=2", "-c", "src/main.c", "-o", "obj/m.o");
    settle(proj);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        new CompileFlow(
                ClientRequest.resolve(
                    new ClientSettings(
                        HostPort.parse("127.0.0.1:1"), false, true, Duration.ofSeconds(30)),
                    env(),
                    proj),
                grid,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                services)
            .run("gcc", a);
    assertEquals(0, exit);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("[remote worker-1]"));
    Files.delete(proj.resolve("obj/m.o"));

    Run hit = hgbuild(proj, env(), "gcc", a);

    assertEquals("direct", hit.mode());
    assertArrayEquals(fake, Files.readAllBytes(proj.resolve("obj/m.o")));
    assertTrue(hit.err().startsWith("src/main.c:1: warning: remote\n"), hit.err());
    assertEquals(1, counter(StatsDelta.REMOTE));
  }

  /** zstd_compress.c is 300 KB; a generated unit of several MB must hash and hit as well. */
  @Test
  void largeSourcesAndHeadersAreCachedToo() throws Exception {
    StringBuilder header = new StringBuilder();
    for (int i = 0; i < 40_000; i++) {
      header.append("/* padding line ").append(i).append(" of a large generated header */\n");
    }
    header.append("#define BIG 11\n");
    Files.writeString(proj.resolve("include/big.h"), header);
    StringBuilder source = new StringBuilder("#include \"big.h\"\n");
    for (int i = 0; i < 3_000; i++) {
      source
          .append("int f")
          .append(i)
          .append("(int x) { return x * ")
          .append(i)
          .append(" + BIG; }\n");
    }
    Files.writeString(proj.resolve("src/big.c"), source);
    assertTrue(Files.size(proj.resolve("include/big.h")) > 2_000_000);
    assertTrue(Files.size(proj.resolve("src/big.c")) > 100_000);
    List<String> a = args("-Iinclude", "-c", "src/big.c", "-o", "obj/big.o");
    settle(proj);

    Run miss = hgbuild(proj, env(), "gcc", a);
    assertEquals("miss", miss.mode(), miss.err());
    Run hit = hgbuild(proj, env(), "gcc", a);
    assertEquals("direct", hit.mode(), hit.err());
    assertArrayEquals(plain(proj, env(), GCC, a), Files.readAllBytes(proj.resolve("obj/big.o")));
  }

  @Test
  void touchingAHeaderWithoutChangingItStillHitsDirectly() throws Exception {
    List<String> a = args("-Iinclude", "-DLEVEL=2", "-c", "src/main.c", "-o", "obj/m.o");
    settle(proj);
    assertEquals("miss", hgbuild(proj, env(), "gcc", a).mode());
    Files.setLastModifiedTime(
        proj.resolve("include/value.h"), FileTime.from(Instant.now().minusSeconds(60)));
    settle(proj);
    assertEquals("direct", hgbuild(proj, env(), "gcc", a).mode());
  }
}
