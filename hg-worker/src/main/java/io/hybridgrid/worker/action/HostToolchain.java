package io.hybridgrid.worker.action;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This worker's own installed compiler as the sandbox shows it, until clients ship their toolchain:
 * the driver (at the client's path), the programs it runs ({@code cc1}, {@code cc1plus}, {@code
 * as}; clang is one binary), their ELF shared libraries and the dynamic loader, each at its path on
 * this machine with the symlinks on the way recreated (so clang finds its resource directory from
 * {@code /proc/self/exe} as it does locally), plus the C locale data. Headers are not part of it:
 * the client's input root carries every header its compiler read, the compiler's own included.
 *
 * <p>Working it out runs the driver and {@code ldd} once per compiler; the answer is cached.
 */
final class HostToolchain {

  /** Something the sandbox must show: a symlink to recreate, or a host file to mount read-only. */
  sealed interface Entry permits Link, Mount {}

  /** A symlink at {@code path} (host-physical parent) with the host's target text. */
  record Link(String path, String target) implements Entry {}

  /** The host file or directory {@code path} (symlink-free) mounted read-only at the same path. */
  record Mount(String path, boolean directory) implements Entry {}

  private static final Pattern LDD_ARROW = Pattern.compile("=>\\s+(/\\S+)");
  private static final Pattern LDD_LOADER = Pattern.compile("^\\s*(/\\S+)\\s+\\(0x");

  /** Locale data gcc needs for the UTF-8 quotes in its diagnostics under a UTF-8 locale. */
  private static final List<String> LOCALE =
      List.of("/usr/lib/locale/C.utf8", "/usr/lib/locale/locale-archive");

  private final String searchPath;
  private final Map<String, List<Entry>> cache = new ConcurrentHashMap<>();

  /**
   * @param searchPath the worker's PATH, to find {@code as} when the driver names it bare
   */
  HostToolchain(String searchPath) {
    this.searchPath = searchPath == null ? "/usr/bin:/bin" : searchPath;
  }

  /**
   * What the sandbox must show for {@code installed} (this worker's driver for the action's
   * identity) when the client ran it as {@code clientPath}.
   */
  List<Entry> entries(CompilerIdentity identity, Path installed, String clientPath)
      throws IOException {
    String key = installed + "\0" + clientPath;
    List<Entry> cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    List<Entry> computed = compute(identity, installed, clientPath);
    cache.put(key, computed);
    return computed;
  }

  private List<Entry> compute(CompilerIdentity identity, Path installed, String clientPath)
      throws IOException {
    Set<Entry> out = new LinkedHashSet<>();
    Path real = installed.toRealPath();
    Path atClient = Path.of(clientPath);
    List<Path> programs = new ArrayList<>();
    if (Files.exists(atClient) && atClient.toRealPath().equals(real)) {
      mirror(atClient, out);
    } else {
      // The client's driver lives elsewhere: show ours there, through a symlink so that the
      // driver still finds its own directory (clang's resource directory) where it is here.
      out.add(new Link(clientPath, real.toString()));
    }
    mirror(real, out);
    programs.add(real);
    List<String> names =
        identity.family().equals("clang")
            ? List.of("as", "objcopy")
            : List.of("cc1", "cc1plus", "as", "objcopy"); // objcopy: -gsplit-dwarf
    for (String name : names) {
      String printed = run(List.of(installed.toString(), "-print-prog-name=" + name)).trim();
      Path prog = printed.startsWith("/") ? Path.of(printed) : onPath(printed);
      if (prog != null && Files.isRegularFile(prog)) {
        mirror(prog, out);
        programs.add(prog.toRealPath());
      }
    }
    for (Path p : programs) {
      for (String lib : libraries(p)) {
        mirror(Path.of(lib), out);
      }
    }
    for (String l : LOCALE) {
      Path p = Path.of(l);
      if (Files.exists(p)) {
        mirror(p, out);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Adds what it takes to show {@code path} as on this machine: every symlink met while resolving
   * it, and the file or directory it ends at.
   */
  static void mirror(Path path, Set<Entry> out) throws IOException {
    Deque<String> todo = new ArrayDeque<>(TaskTree.split(path.toString()));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      String here = "/" + String.join("/", done) + (done.isEmpty() ? "" : "/") + c;
      BasicFileAttributes a =
          Files.readAttributes(Path.of(here), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink()) {
        if (++links > 40) {
          throw new IOException(path + ": too many levels of symbolic links");
        }
        String target = Files.readSymbolicLink(Path.of(here)).toString();
        out.add(new Link(here, target));
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> parts = TaskTree.split(target);
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
      } else {
        done.add(c);
        if (todo.isEmpty()) {
          out.add(new Mount(here, a.isDirectory()));
        }
      }
    }
  }

  private Path onPath(String name) {
    if (name.isEmpty() || name.contains("/")) {
      return null;
    }
    for (String dir : searchPath.split(":")) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /** The shared libraries and loader {@code ldd} reports for {@code program}; none if static. */
  static List<String> libraries(Path program) throws IOException {
    List<String> libs = new ArrayList<>();
    for (String line : run(List.of("ldd", program.toString())).split("\n")) {
      Matcher m = LDD_ARROW.matcher(line);
      if (m.find()) {
        libs.add(m.group(1));
        continue;
      }
      Matcher l = LDD_LOADER.matcher(line);
      if (l.find()) {
        libs.add(l.group(1));
      }
    }
    return libs;
  }

  private static String run(List<String> cmd) throws IOException {
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd + " did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new java.io.InterruptedIOException("interrupted running " + cmd);
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
