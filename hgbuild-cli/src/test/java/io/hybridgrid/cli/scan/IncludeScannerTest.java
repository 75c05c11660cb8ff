package io.hybridgrid.cli.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.cli.action.DependencyRule;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.common.compiler.ArgumentClassifier;
import io.hybridgrid.common.compiler.CompileInvocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in scan against the compiler's own {@code -M} on include structures real projects use:
 * every file gcc reads must be in the scan (a superset is the contract).
 */
class IncludeScannerTest {
  @TempDir Path tmp;

  private Path proj;
  private final AtomicInteger probes = new AtomicInteger();
  private Clock clock;
  private FileHashes hashes;
  private IncludeScanner scanner;

  @BeforeEach
  void setUp() {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc not installed");
    proj = tmp.resolve("proj");
    // Files count as settled at once: the test writes and scans within milliseconds.
    clock = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));
    hashes = new FileHashes(clock);
    scanner = new IncludeScanner(hashes, clock, this::probe);
  }

  private Optional<String> probe(
      Path compiler, List<String> args, Path cwd, Map<String, String> env)
      throws IOException, InterruptedException {
    probes.incrementAndGet();
    Run r = run(cwd, compiler.toString(), args);
    return r.exit == 0 ? Optional.of(r.err) : Optional.empty();
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(Path cwd, String cmd, List<String> args)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>();
    all.add(cmd);
    all.addAll(args);
    Path errFile = Files.createTempFile("scan", ".err");
    Process p =
        new ProcessBuilder(all).directory(cwd.toFile()).redirectError(errFile.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    String err = Files.readString(errFile);
    Files.delete(errFile);
    return new Run(exit, out, err);
  }

  private void write(String path, String text) throws IOException {
    Path p = proj.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private void project() throws IOException {
    write(
        "src/main.c",
        """
        #include "local.h"
        #include "local.h"
        #include "other.c"
        #include <sys.h>
        #include "quoted.h"
        #include "sub/../inc/up.h"
        #include "linked.h"
        #define HDR "computed.h"
        #define VIA HDR
        #include VIA
        #include <limits.h>
        #if __has_include("maybe.h")
        #endif
        const char *s = "/*";
        #include "after-string.h"
        #include "next.h"
        int main(void) { return LOCAL + OTHER + SYS + QUOTED + UP + LINKED + COMPUTED + AFTER; }
        """);
    write("src/local.h", "#pragma once\n#include \"local.h\"\n#define LOCAL 1\n");
    write("src/other.c", "#define OTHER __COUNTER__\n");
    Files.createDirectories(proj.resolve("src/sub"));
    write("src/inc/up.h", "#define UP __LINE__\n");
    write("src/maybe.h", "\n");
    write("src/after-string.h", "#define AFTER 2\n");
    write("sysinc/sys.h", "#define SYS 3\n");
    write("qdir/quoted.h", "#define QUOTED 4\n");
    write("real/linked.h", "#define LINKED 5\n");
    Files.createSymbolicLink(proj.resolve("link"), proj.resolve("real"));
    write("inc2/computed.h", "#define COMPUTED 6\n");
    write("forced.h", "#define FORCED 7\n");
    write("first/next.h", "#include_next <next.h>\n");
    write("second/next.h", "#define NEXT 8\n");
  }

  private static final List<String> ARGS =
      List.of(
          "-std=c11",
          "-pedantic",
          "-Wall",
          "-c",
          "src/main.c",
          "-o",
          "main.o",
          "-I./inc2/.",
          "-I../proj/link",
          "-iquote",
          "qdir",
          "-isystem",
          "sysinc",
          "-include",
          "forced.h",
          "-Isrc/sub/..",
          "-Ifirst",
          "-Isecond",
          "-MMD");

  private Set<Path> compilerReads(List<String> args) throws Exception {
    List<String> m = new ArrayList<>();
    for (String a : args) {
      if (!a.equals("-c") && !a.equals("-MMD")) {
        m.add(a);
      }
    }
    int o = m.indexOf("-o");
    m.remove(o + 1);
    m.remove(o);
    m.addAll(List.of("-M", "-MT", "t"));
    Run r = run(proj, "gcc", m);
    assertEquals(0, r.exit, r.err);
    return normalised(DependencyRule.prerequisites(r.out.getBytes(StandardCharsets.UTF_8), "t"));
  }

  private Set<Path> normalised(List<String> files) {
    Set<Path> out = new HashSet<>();
    for (String f : files) {
      out.add(proj.resolve(f).normalize());
    }
    return out;
  }

  private List<String> scan(List<String> args) throws Exception {
    CompileInvocation inv = ArgumentClassifier.classify(args);
    Optional<List<String>> found =
        scanner.scan(
            inv, Path.of("/usr/bin/gcc"), proj, Map.of("PATH", "/usr/bin:/bin"), hashes.scope());
    assertTrue(found.isPresent(), "the scan gave up on " + args);
    return found.get();
  }

  @Test
  void everyFileTheCompilerReadsIsScannedOnRealIncludeStructures() throws Exception {
    project();
    Set<Path> exact = compilerReads(ARGS);
    List<String> scanned = scan(ARGS);
    assertEquals("src/main.c", scanned.get(0), "the source comes first");
    Set<Path> superset = normalised(scanned);
    Set<Path> missed = new HashSet<>(exact);
    missed.removeAll(superset);
    assertEquals(Set.of(), missed, "files gcc read that the scan missed");
    // __has_include names a file gcc probes without listing it: it must be there too.
    assertTrue(superset.contains(proj.resolve("src/maybe.h")), scanned.toString());
    assertTrue(superset.contains(proj.resolve("second/next.h")), scanned.toString());
    assertTrue(superset.contains(Path.of("/usr/include/stdc-predef.h")), scanned.toString());
  }

  @Test
  void aWarmScanReusesTheChainAndSeesAnEditedHeader() throws Exception {
    project();
    scan(ARGS);
    assertEquals(1, probes.get());
    scan(ARGS);
    assertEquals(1, probes.get(), "the search chain is remembered");
    // An edit that adds an include is seen (the file's identity changed).
    write("src/after-string.h", "#include \"added.h\"\n#define AFTER 2\n");
    write("src/added.h", "\n");
    Set<Path> again = normalised(scan(ARGS));
    assertTrue(again.contains(proj.resolve("src/added.h")), again.toString());
    Set<Path> missed = new HashSet<>(compilerReads(ARGS));
    missed.removeAll(again);
    assertEquals(Set.of(), missed);
  }

  @Test
  void aDirectoryThatAppearsLaterIsSearched() throws Exception {
    project();
    List<String> args = new ArrayList<>(ARGS);
    args.add(0, "-Igenerated");
    write("src/main2.c", "#include \"gen.h\"\nint x = GEN;\n");
    args.set(args.indexOf("src/main.c"), "src/main2.c");
    scan(args); // gen.h is missing: the compile would fail, the scan just does not find it
    write("generated/gen.h", "#define GEN 1\n");
    Set<Path> after = normalised(scan(args));
    assertTrue(after.contains(proj.resolve("generated/gen.h")), after.toString());
    assertEquals(2, probes.get(), "the chain was probed again once -Igenerated existed");
  }

  @Test
  void whatItCannotModelItLeavesToTheCompiler() throws Exception {
    project();
    write("src/fn.c", "#define PICK(x) #x\n#include PICK(local.h)\n");
    CompileInvocation fn = ArgumentClassifier.classify(List.of("-c", "src/fn.c"));
    assertTrue(scanner.scan(fn, Path.of("/usr/bin/gcc"), proj, Map.of(), hashes.scope()).isEmpty());
    CompileInvocation trad =
        ArgumentClassifier.classify(List.of("-traditional-cpp", "-c", "src/main.c"));
    assertTrue(
        scanner.scan(trad, Path.of("/usr/bin/gcc"), proj, Map.of(), hashes.scope()).isEmpty());
  }

  /** Lua 5.4.4's 34 sources, when the workloads are present: the scan covers gcc -M on each. */
  @Test
  void luaSourcesAreCovered() throws Exception {
    Path tarball = null;
    for (Path base = Path.of("").toAbsolutePath(); base != null; base = base.getParent()) {
      Path t = base.resolve("shared/workloads/lua-5.4.4.tar.gz");
      if (Files.exists(t)) {
        tarball = t;
        break;
      }
      t = base.resolve("../shared/workloads/lua-5.4.4.tar.gz");
      if (Files.exists(t)) {
        tarball = t;
        break;
      }
    }
    Assumptions.assumeTrue(tarball != null, "lua-5.4.4.tar.gz not found under ../shared/workloads");
    Files.createDirectories(proj);
    assertEquals(0, run(proj, "tar", List.of("xzf", tarball.toString())).exit);
    Path src = proj.resolve("lua-5.4.4/src");
    List<Path> sources;
    try (var s = Files.list(src)) {
      sources = s.filter(p -> p.toString().endsWith(".c")).sorted().toList();
    }
    assertEquals(34, sources.size());
    int exactTotal = 0;
    int scannedTotal = 0;
    for (Path c : sources) {
      String name = c.getFileName().toString();
      List<String> args =
          List.of("-std=gnu99", "-O2", "-Wall", "-DLUA_COMPAT_5_3", "-DLUA_USE_LINUX", "-c", name);
      CompileInvocation inv = ArgumentClassifier.classify(args);
      Optional<List<String>> found =
          scanner.scan(
              inv, Path.of("/usr/bin/gcc"), src, Map.of("PATH", "/usr/bin:/bin"), hashes.scope());
      assertTrue(found.isPresent(), name);
      List<String> m = new ArrayList<>(args);
      m.remove("-c");
      m.addAll(List.of("-M", "-MT", "t"));
      Run r = run(src, "gcc", m);
      assertEquals(0, r.exit, r.err);
      Set<Path> missed = new HashSet<>();
      for (String f : DependencyRule.prerequisites(r.out.getBytes(StandardCharsets.UTF_8), "t")) {
        missed.add(src.resolve(f).normalize());
      }
      for (String f : found.get()) {
        missed.remove(src.resolve(f).normalize());
      }
      assertEquals(Set.of(), missed, name);
      exactTotal +=
          DependencyRule.prerequisites(r.out.getBytes(StandardCharsets.UTF_8), "t").size();
      scannedTotal += found.get().size();
    }
    System.out.printf(
        "Lua: gcc -M names %d files over 34 compiles, the scan %d%n", exactTotal, scannedTotal);
    assertEquals(1, probes.get(), "one chain for the whole build");
  }
}
