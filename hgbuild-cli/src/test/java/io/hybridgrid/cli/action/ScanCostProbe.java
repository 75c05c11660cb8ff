package io.hybridgrid.cli.action;

import io.hybridgrid.cli.cache.FileHashes;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (surefire does not pick it up by name): the daemon's CPU per remote
 * compile for building the input root from a dependency scan (digests memoised after round 0)
 * against what the old client spent compressing its preprocessed unit for the wire. Run on an
 * unpacked Lua 5.4.4 (docs/benchmarks.md):
 *
 * <pre>
 * ./mvnw -o -q -pl hgbuild-cli -am verify -Dtest=ScanCostProbe \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dlua.src=/path/to/lua-5.4.4/src
 * grep round hgbuild-cli/target/surefire-reports/*ScanCostProbe-output.txt
 * </pre>
 */
class ScanCostProbe {
  @Test
  void probe() throws Exception {
    String dir = System.getProperty("lua.src");
    Assumptions.assumeTrue(dir != null, "set -Dlua.src to an unpacked lua-5.4.4/src");
    Path src = Path.of(dir);
    String flags = "-std=gnu99 -O2 -Wall -Wextra -DLUA_COMPAT_5_3 -DLUA_USE_LINUX";
    List<List<String>> deps = new ArrayList<>();
    List<byte[]> units = new ArrayList<>();
    List<Path> sources;
    try (var s = Files.list(src)) {
      sources = s.filter(p -> p.toString().endsWith(".c")).sorted().toList();
    }
    for (Path c : sources) {
      List<String> cmd = new ArrayList<>(List.of("gcc"));
      cmd.addAll(List.of(flags.split(" ")));
      cmd.addAll(List.of("-M", "-MT", "hg", c.getFileName().toString()));
      Process p = new ProcessBuilder(cmd).directory(src.toFile()).start();
      byte[] out = p.getInputStream().readAllBytes();
      p.waitFor();
      deps.add(DependencyRule.prerequisites(out, "hg"));
      cmd = new ArrayList<>(List.of("gcc"));
      cmd.addAll(List.of(flags.split(" ")));
      cmd.addAll(List.of("-E", "-fdirectives-only", c.getFileName().toString()));
      p = new ProcessBuilder(cmd).directory(src.toFile()).start();
      units.add(p.getInputStream().readAllBytes());
      p.waitFor();
    }
    var bean = ManagementFactory.getThreadMXBean();
    Clock clock = Clock.offset(Clock.systemUTC(), java.time.Duration.ofMinutes(1));
    FileHashes hashes = new FileHashes(clock);
    FileDigests digests = new FileDigests(hashes, clock);
    for (int round = 0; round < 6; round++) {
      long t0 = bean.getCurrentThreadCpuTime();
      int files = 0;
      for (List<String> d : deps) {
        InputRootBuilder b = new InputRootBuilder(digests, hashes.scope());
        for (String f : d) {
          b.addFile(f.startsWith("/") ? f : src + "/" + f);
        }
        b.addDirectory(src.toString());
        files += b.build().files().size();
      }
      long t1 = bean.getCurrentThreadCpuTime();
      long unitBytes = 0;
      for (byte[] u : units) {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
          gz.write(u);
        }
        unitBytes += u.length;
      }
      long t2 = bean.getCurrentThreadCpuTime();
      System.out.printf(
          "round %d: input root %.3f ms/compile (%d inputs/compile); old unit gzip %.3f ms/compile (%d KB/unit)%n",
          round,
          (t1 - t0) / 1e6 / deps.size(),
          files / deps.size(),
          (t2 - t1) / 1e6 / units.size(),
          unitBytes / units.size() / 1024);
    }
  }
}
