package io.hybridgrid.common.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What the coordinator's and worker's JIT compiles with C2: only SHA-256 (the digest of every blob
 * they take in, where C2's intrinsic runs about ten times faster than C1's code); everything else
 * is compiled by C1 alone.
 *
 * <p>Why: a grid's Java code runs a few times per compile, so most of it reaches C2's thresholds
 * only after many builds, and on a build machine the compiler threads' work competes with the
 * compiles. Measured per-thread on a grid that had served four Lua builds: C2 still used 467 ms
 * (coordinator) and 160 ms (worker) of CPU per 34-compile build, with these directives 60 and 57
 * ms, while the request threads cost the same (docs/benchmarks.md). C1-only ({@code
 * -XX:TieredStopAtLevel=1}) would lose the SHA-256 intrinsic.
 *
 * <p>The directives are added through the JVM's diagnostic command (what {@code jcmd PID
 * Compiler.directives_add} does), so no launcher flag is needed and nothing is printed. {@code
 * HG_SERVER_JIT=tiered} leaves the JVM's own tiered compilation as it is.
 */
public final class ServerJit {
  /** The environment variable that chooses: {@code c1} (default) or {@code tiered}. */
  public static final String ENV = "HG_SERVER_JIT";

  private ServerJit() {}

  /**
   * Applies the choice in {@code env}; returns what was done, for the startup log. Never throws: a
   * JVM without the diagnostic command (a trimmed runtime) keeps its own JIT policy and says so.
   */
  public static String apply(Map<String, String> env) {
    String mode = env.getOrDefault(ENV, "c1").trim();
    if (mode.equals("tiered")) {
      return "JIT: the JVM's own tiered compilation (" + ENV + "=tiered)";
    }
    String note =
        mode.equals("c1") || mode.isEmpty()
            ? ""
            : " (" + ENV + "='" + mode + "' is neither 'c1' nor 'tiered'; using c1)";
    Path file = null;
    try (InputStream in = ServerJit.class.getResourceAsStream("server-jit.json")) {
      if (in == null) {
        return "JIT: tiered; the directives resource is missing from the jar" + note;
      }
      file = Files.createTempFile("hg-jit-", ".json");
      Files.write(file, in.readAllBytes());
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      Object out =
          server.invoke(
              new ObjectName("com.sun.management:type=DiagnosticCommand"),
              "compilerDirectivesAdd",
              new Object[] {new String[] {file.toString()}},
              new String[] {String[].class.getName()});
      String said = String.valueOf(out).strip();
      if (!said.contains("added")) {
        return "JIT: tiered; the JVM refused the directives: " + said + note;
      }
      return "JIT: C1, C2 for SHA-256 only (" + ENV + "=tiered for the JVM's own)" + note;
    } catch (IOException | JMException | RuntimeException | LinkageError e) {
      return "JIT: tiered; could not add the directives (" + e + ")" + note;
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          // a temp file left behind; nothing depends on it
        }
      }
    }
  }
}
