package io.hybridgrid.common.toolchain;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the files of a gcc or clang toolchain by asking the compiler itself, as icecream's
 * toolchain packer does: {@code -###} names the programs a compile runs (cc1, cc1plus, as, or clang
 * itself for its in-process cc1), {@code ldd} their shared libraries and loader, and {@code
 * -print-file-name=include} / {@code -print-resource-dir} the compiler's own headers. Runs only on
 * the client, against the client's own compiler.
 */
public final class ToolchainProbe {
  /** The compiler's own header directories hold a few hundred files; anything far past is odd. */
  private static final int MAX_HEADER_FILES = 20_000;

  private static final Pattern LDD_RESOLVED = Pattern.compile("=>\\s+(/\\S+)\\s+\\(0x");
  private static final Pattern LDD_ABSOLUTE = Pattern.compile("^\\s*(/\\S+)\\s+\\(0x");

  private static final Path LOCALE = Path.of("/usr/lib/locale/C.utf8");

  private final String searchPath;

  /**
   * @param searchPath the PATH the compiler runs with (the driver finds {@code as} on it)
   */
  public ToolchainProbe(String searchPath) {
    this.searchPath = searchPath == null ? "" : searchPath;
  }

  /**
   * Probes the compiler at {@code compiler} (absolute, as resolved on PATH).
   *
   * @param family "gcc" or "clang"
   * @throws IOException when the compiler does not answer or names files that do not exist
   */
  public ToolchainLayout probe(Path compiler, String family) throws IOException {
    Map<Path, String> links = new TreeMap<>();
    SymlinkWalk walk = new SymlinkWalk(links);
    Set<Path> programs = new LinkedHashSet<>();
    programs.add(walk.resolve(compiler));
    for (String lang : List.of("c", "c++")) {
      for (String program : programsRun(compiler, lang)) {
        Optional<Path> found = locate(program);
        if (found.isPresent()) {
          programs.add(walk.resolve(found.get()));
        }
      }
    }
    // gcc runs objcopy for -gsplit-dwarf (and clang may), which -### of a plain -c does not show.
    for (String extra : List.of("objcopy")) {
      String printed = run(List.of(compiler.toString(), "-print-prog-name=" + extra)).strip();
      Optional<Path> found = locate(printed.isEmpty() ? extra : printed);
      if (found.isPresent()) {
        programs.add(walk.resolve(found.get()));
      }
    }
    Set<Path> files = new TreeSet<>(programs);
    for (Path program : programs) {
      for (Path lib : sharedLibraries(program)) {
        files.add(walk.resolve(lib));
      }
    }
    for (Path dir : headerDirs(compiler, family)) {
      addTree(walk, dir, files);
    }
    // The C.UTF-8 locale (12 files, 400 KB on Debian): gcc's diagnostics use UTF-8 quotes under
    // a UTF-8 locale, and a worker showing only the shipped files must print the same bytes.
    if (Files.isDirectory(LOCALE)) {
      addTree(walk, LOCALE, files);
    }
    List<Path> executables = new ArrayList<>(new TreeSet<>(programs));
    return new ToolchainLayout(
        compiler, new ArrayList<>(files), executables, new TreeMap<>(links), hostArch());
  }

  /** The architecture of this JVM's machine, as {@code os.arch} names it. */
  public static String hostArch() {
    return System.getProperty("os.arch");
  }

  /**
   * The programs {@code compiler -### -c -x LANG /dev/null} would run, first word of each command
   * line; clang's in-process cc1 names clang itself.
   */
  private List<String> programsRun(Path compiler, String lang) throws IOException {
    String out =
        run(List.of(compiler.toString(), "-###", "-c", "-x", lang, "/dev/null", "-o", "/dev/null"));
    List<String> programs = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith(" \"")) {
        int end = line.indexOf('"', 2);
        if (end > 2) {
          programs.add(line.substring(2, end));
        }
      } else if (line.startsWith(" ") && !line.isBlank() && !line.startsWith(" (in-process)")) {
        String first = line.strip().split("\\s+", 2)[0];
        programs.add(first);
      }
    }
    return programs;
  }

  private Optional<Path> locate(String program) {
    if (program.contains("/")) {
      Path p = Path.of(program);
      return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
    }
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir).resolve(program);
      if (candidate.isAbsolute() && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Shared libraries and loader of {@code program}, as {@code ldd} lists them. */
  private List<Path> sharedLibraries(Path program) throws IOException {
    String out;
    try {
      out = run(List.of("ldd", program.toString()));
    } catch (IOException e) {
      // A static program, or no ldd: nothing to add.
      return List.of();
    }
    List<Path> libs = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = LDD_RESOLVED.matcher(line);
      if (m.find()) {
        libs.add(Path.of(m.group(1)));
        continue;
      }
      m = LDD_ABSOLUTE.matcher(line);
      if (m.find()) {
        libs.add(Path.of(m.group(1)));
      }
    }
    return libs;
  }

  private List<Path> headerDirs(Path compiler, String family) throws IOException {
    List<Path> dirs = new ArrayList<>();
    if (family.equals("clang")) {
      String resource = run(List.of(compiler.toString(), "-print-resource-dir")).strip();
      dirs.add(Path.of(resource, "include"));
    } else {
      for (String name : List.of("include", "include-fixed")) {
        String found = run(List.of(compiler.toString(), "-print-file-name=" + name)).strip();
        // gcc echoes the bare name back when it has no such file.
        if (found.startsWith("/")) {
          dirs.add(Path.of(found));
        }
      }
    }
    List<Path> existing = new ArrayList<>();
    for (Path d : dirs) {
      if (Files.isDirectory(d)) {
        existing.add(d);
      }
    }
    return existing;
  }

  private static void addTree(SymlinkWalk walk, Path dir, Set<Path> files) throws IOException {
    Path real = walk.resolve(dir.toAbsolutePath());
    List<Path> found;
    try (Stream<Path> s = Files.walk(real)) {
      found = s.filter(Files::isRegularFile).limit(MAX_HEADER_FILES + 1L).toList();
    }
    if (found.size() > MAX_HEADER_FILES) {
      throw new IOException(
          "more than " + MAX_HEADER_FILES + " files under the compiler's header directory " + dir);
    }
    files.addAll(found);
  }

  private static String run(List<String> command) throws IOException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    byte[] bytes;
    try (InputStream in = p.getInputStream()) {
      bytes = in.readAllBytes();
    }
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + command.get(0), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command)
              + " exited "
              + p.exitValue()
              + ": "
              + new String(bytes, StandardCharsets.UTF_8).strip());
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
