package io.hybridgrid.worker.action;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerProbe;
import io.hybridgrid.worker.Tools;
import io.hybridgrid.worker.cas.FakeCasClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a client does before sending an action, reduced to what the worker's tests need: find the
 * input set with the compiler's own dependency scan ({@code -M}, system headers included), store
 * every input's bytes in the fake coordinator store, and build the action.
 */
final class ClientSide {
  private ClientSide() {}

  /** The environment actions carry, and local reference compiles run with. */
  static final Map<String, String> ENV =
      Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LANG", "C.UTF-8");

  /** Options that name outputs or dependency files; dropped for the scan. */
  private static final Set<String> WITH_VALUE = Set.of("-o", "-MF", "-MT", "-MQ");

  private static final Set<String> FLAGS = Set.of("-c", "-MD", "-MMD", "-MP");

  static ActionSpec action(
      Path compiler, Path cwd, List<String> argv, List<String> outputs, FakeCasClient store)
      throws IOException, InterruptedException {
    return action(compiler, cwd, argv, outputs, store, List.of());
  }

  /**
   * @param compiler the compiler's absolute path (argv[0] resolves to it)
   * @param cwd where the command runs
   * @param argv the command
   * @param outputs declared output paths, relative to cwd or absolute
   * @param store receives every input's bytes
   * @param leaveOut absolute paths the client does not send (as if it lacked them)
   */
  static ActionSpec action(
      Path compiler,
      Path cwd,
      List<String> argv,
      List<String> outputs,
      FakeCasClient store,
      List<String> leaveOut)
      throws IOException, InterruptedException {
    List<String> scan = new ArrayList<>();
    scan.add(compiler.toString());
    for (int i = 1; i < argv.size(); i++) {
      String a = argv.get(i);
      if (WITH_VALUE.contains(a)) {
        i++;
      } else if (!FLAGS.contains(a) && !a.startsWith("-Wa,") && !a.startsWith("--for-assembler")) {
        scan.add(a);
      }
    }
    Path deps = Files.createTempFile("hg-scan", ".d");
    scan.add("-M");
    scan.add("-MF");
    scan.add(deps.toString());
    Tools.Result r = Tools.run(cwd, scan);
    Map<String, ActionSpec.InputFile> inputs = new LinkedHashMap<>();
    Set<HostToolchain.Entry> links = new java.util.LinkedHashSet<>();
    if (r.exitCode() == 0) {
      for (String p : parseDeps(Files.readString(deps, StandardCharsets.UTF_8))) {
        String abs = p.startsWith("/") ? p : cwd + "/" + p;
        if (leaveOut.contains(abs) || inputs.containsKey(abs)) {
          continue;
        }
        // As a client would: every symlink on the way is sent as a symlink, the file at its
        // physical path.
        Set<HostToolchain.Entry> found = new java.util.LinkedHashSet<>();
        HostToolchain.mirror(Path.of(abs), found);
        for (HostToolchain.Entry e : found) {
          if (e instanceof HostToolchain.Link l) {
            links.add(l);
          } else if (e instanceof HostToolchain.Mount m) {
            byte[] bytes = Files.readAllBytes(Path.of(m.path()));
            inputs.put(m.path(), new ActionSpec.InputFile(m.path(), store.add(bytes), false));
          }
        }
      }
    } else {
      // The scan failed (a missing header): send what exists, the compile reports the error.
      for (int i = 1; i < argv.size(); i++) {
        String a = argv.get(i);
        Path p = cwd.resolve(a);
        if (!a.startsWith("-") && Files.isRegularFile(p)) {
          String abs = p.toString();
          inputs.put(abs, new ActionSpec.InputFile(abs, store.add(Files.readAllBytes(p)), false));
        }
      }
    }
    Files.deleteIfExists(deps);
    List<String> outs = new ArrayList<>();
    for (String o : outputs) {
      outs.add(o.startsWith("/") ? o : cwd + "/" + o);
    }
    CompilerIdentity id = CompilerProbe.probe(compiler).orElseThrow();
    return new ActionSpec(
        argv,
        cwd.toString(),
        ENV,
        List.copyOf(inputs.values()),
        links.stream()
            .map(e -> (HostToolchain.Link) e)
            .map(l -> new ActionSpec.Symlink(l.path(), l.target()))
            .toList(),
        List.of(cwd.toString()),
        outs,
        id,
        compiler.toString(),
        ActionSpec.Toolchain.NONE);
  }

  /** The prerequisites of a make rule as gcc writes it (backslash-newline continuations). */
  static List<String> parseDeps(String text) {
    String joined = text.replace("\\\n", " ");
    int colon = joined.indexOf(": ");
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    String rest = joined.substring(colon + 1);
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '\\' && i + 1 < rest.length() && rest.charAt(i + 1) == ' ') {
        cur.append(' ');
        i++;
      } else if (Character.isWhitespace(c)) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }
}
