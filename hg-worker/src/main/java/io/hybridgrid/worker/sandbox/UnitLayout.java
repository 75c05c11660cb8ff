package io.hybridgrid.worker.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lays a client's preprocessed unit out in a task directory so that compiling it gives the same
 * bytes and the same diagnostics as compiling the original source on the client.
 *
 * <p>Design. The client preprocesses with {@code gcc -E -fdirectives-only} (or {@code clang -E
 * -frewrite-includes}): every {@code #include} is expanded in place, but macros are left
 * unexpanded, so the worker's compiler expands them itself and records the same source locations
 * (column-exact line tables with {@code -g}, "in expansion of macro" notes in diagnostics).
 * Compiling that text as it is would still differ from a local compile in two ways: the file name
 * the compiler is given ends up in the object ({@code DW_AT_name}, the {@code STT_FILE} symbol),
 * and a diagnostic's source snippet is read back from the file named in the line markers. So:
 *
 * <ul>
 *   <li>the main file is rebuilt at the path the user wrote, inside a mirror of the client's
 *       directory tree, with each of its own lines at its original line number;
 *   <li>each top-level {@code #include} becomes a one-line {@code #include} of a generated file
 *       holding that header's expanded text, which starts with a line marker giving it the header's
 *       real name;
 *   <li>text that came before the main file (the implicit {@code stdc-predef.h}, {@code -include}
 *       files) becomes generated files passed with {@code -include}; built-in and command-line
 *       macro definitions are dropped because the worker's compiler defines them from the same
 *       {@code -D}/{@code -U} arguments;
 *   <li>gcc prints a diagnostic's source line from the file its line marker names, which the worker
 *       does not have: each header's lines are also written, at their line numbers, where that name
 *       leads in the mirror. A relative name is resolved from the mirrored working directory; an
 *       absolute one (other than a system header, which the worker has itself) is renamed to its
 *       mirrored path in the markers, and the prefix map and the diagnostics rewriting map it back.
 * </ul>
 *
 * <p>The caller maps the mirror root back to {@code /} with {@code -ffile-prefix-map}, which gcc
 * and clang leave out of the recorded command line.
 */
public final class UnitLayout {

  private static final Pattern MARKER =
      Pattern.compile("^# (\\d+) \"((?:[^\"\\\\]|\\\\.)*)\"((?: \\d)*)$");
  private static final String REWRITE_SUFFIX = "by -frewrite-includes */";

  /**
   * The highest line number accepted in a line marker, and the most lines written for all header
   * sources together: the files written are padded to their line numbers, so a marker's number
   * decides their size, and a unit of a few bytes must not make the worker write gigabytes.
   */
  static final int MAX_LINE = 10_000_000;

  /**
   * Where the unit was written.
   *
   * @param workDir the directory to run the compiler in (the mirror of the client's cwd)
   * @param inputPath the source argument to pass to the compiler
   * @param mirrorRoot the directory that stands for {@code /} of the client
   * @param includes generated files to pass with {@code -include}, in order
   */
  public record Layout(Path workDir, String inputPath, Path mirrorRoot, List<Path> includes) {
    public Layout {
      includes = List.copyOf(includes);
    }
  }

  private UnitLayout() {}

  /**
   * Writes the unit below {@code taskDir}.
   *
   * @param preprocessed the client's preprocessed text
   * @param sourcePath the main source as the user wrote it
   * @param clientCwd the client's absolute working directory
   * @param taskDir an empty directory owned by this task
   * @throws InvalidUnitException if the paths or the text do not have the expected shape
   */
  public static Layout write(byte[] preprocessed, String sourcePath, String clientCwd, Path taskDir)
      throws InvalidUnitException, IOException {
    if (sourcePath.isEmpty() || sourcePath.indexOf('\0') >= 0 || sourcePath.contains("\n")) {
      throw new InvalidUnitException("source path is empty or contains control characters");
    }
    if (!clientCwd.startsWith("/") || clientCwd.contains("\n") || clientCwd.indexOf('\0') >= 0) {
      throw new InvalidUnitException("client working directory must be an absolute path");
    }
    Path mirrorRoot = taskDir.resolve("root");
    Path generatedDir = taskDir.resolve("gen");
    Path workDir = under(mirrorRoot, clientCwd, "client working directory");
    Path mainFile =
        sourcePath.startsWith("/")
            ? under(mirrorRoot, sourcePath, "source path")
            : checkedInside(mirrorRoot, workDir.resolve(sourcePath).normalize(), "source path");
    String inputPath = sourcePath.startsWith("/") ? mainFile.toString() : sourcePath;

    Parsed parsed = parse(new String(preprocessed, StandardCharsets.ISO_8859_1), sourcePath);

    Files.createDirectories(generatedDir);
    Files.createDirectories(workDir);
    Files.createDirectories(mainFile.getParent());
    HeaderSources sources = new HeaderSources(mirrorRoot, workDir);
    List<Path> includes = new ArrayList<>();
    for (int i = 0; i < parsed.prologueIncludes.size(); i++) {
      Path p = generatedDir.resolve("pre" + i + ".h");
      writeLatin1(p, sources.take(parsed.prologueIncludes.get(i)));
      includes.add(p);
    }
    StringBuilder main = new StringBuilder();
    int last = parsed.mainLines.isEmpty() ? 0 : parsed.mainLines.lastKey();
    int n = 0;
    for (int line = 1; line <= last; line++) {
      Object content = parsed.mainLines.get(line);
      if (content instanceof String text) {
        main.append(text);
      } else if (content instanceof StringBuilder header) {
        Path p = generatedDir.resolve("inc" + n++ + ".h");
        writeLatin1(p, sources.take(header.toString()));
        main.append("#include \"").append(p).append('"');
      }
      main.append('\n');
    }
    sources.write(mainFile);
    writeLatin1(mainFile, main.toString());
    return new Layout(workDir, inputPath, mirrorRoot, includes);
  }

  /** The preprocessed text split into main-file lines, headers and prologue includes. */
  private static final class Parsed {
    /** Line number to its text (String) or to the expanded header included there. */
    final TreeMap<Integer, Object> mainLines = new TreeMap<>();

    final List<String> prologueIncludes = new ArrayList<>();
  }

  private static Parsed parse(String text, String sourcePath) throws InvalidUnitException {
    Parsed out = new Parsed();
    String[] lines = lines(text);
    int count = lines.length;
    boolean prologue = true;
    int depth = 0;
    StringBuilder header = null;
    int lineNo = 0;
    String skipUntil = null;
    for (int i = 0; i < count; i++) {
      String line = lines[i];
      if (skipUntil != null) {
        if (line.equals(skipUntil)) {
          skipUntil = null;
        }
        continue;
      }
      Matcher m = MARKER.matcher(line);
      boolean marker = m.matches();
      String name = marker ? unescape(m.group(2)) : null;
      String flags = marker ? m.group(3) : "";
      boolean enter = flags.contains(" 1");
      boolean leave = flags.contains(" 2");
      if (prologue) {
        // gcc starts with "# 0 <main>" and the built-ins; the main file proper begins at line 1.
        if (marker
            && depth == 0
            && name.equals(sourcePath)
            && flags.isEmpty()
            && m.group(1).equals("1")) {
          prologue = false;
          lineNo = 1;
          continue;
        }
        if (marker && enter) {
          depth++;
          if (depth == 1) {
            header = new StringBuilder(renamed(m)).append('\n');
            continue;
          }
        } else if (marker && leave && depth > 0) {
          depth--;
          if (depth == 0) {
            out.prologueIncludes.add(header.toString());
            header = null;
            continue;
          }
        }
        if (depth > 0) {
          header.append(line).append('\n');
        }
        continue;
      }
      if (depth == 0) {
        if (marker) {
          if (enter) {
            depth = 1;
            header = new StringBuilder(renamed(m)).append('\n');
            continue;
          }
          if (!name.equals(sourcePath)) {
            throw new InvalidUnitException(
                "line marker for '" + name + "' inside the main file (#line is not supported)");
          }
          lineNo = lineNumber(m.group(1), name);
          continue;
        }
        if (line.isBlank() && i + 1 < count && lines[i + 1].endsWith(REWRITE_SUFFIX)) {
          // clang writes an indented directive's leading blanks on a line of their own.
          continue;
        }
        if (disabledBlockEnd(line) != null) {
          skipUntil = disabledBlockEnd(line);
          continue;
        }
        put(out, lineNo, line);
        lineNo++;
        continue;
      }
      if (marker && enter) {
        depth++;
      } else if (marker && leave) {
        depth--;
        if (depth == 0) {
          int resume = lineNumber(m.group(1), name);
          if (!name.equals(sourcePath)) {
            throw new InvalidUnitException("include returns to '" + name + "', not the main file");
          }
          put(out, resume - 1, header);
          header = null;
          lineNo = resume;
          continue;
        }
      }
      header.append(line).append('\n');
    }
    if (prologue) {
      throw new InvalidUnitException(
          "preprocessed text has no line marker for the main file '" + sourcePath + "'");
    }
    if (depth != 0) {
      throw new InvalidUnitException("preprocessed text ends inside an included file");
    }
    return out;
  }

  /**
   * The lines of every header, by the mirror path its name leads to, collected while the generated
   * files are written; see the class comment.
   */
  private static final class HeaderSources {
    private final Path mirrorRoot;
    private final Path workDir;
    private final Map<Path, TreeMap<Integer, String>> files = new LinkedHashMap<>();

    HeaderSources(Path mirrorRoot, Path workDir) {
      this.mirrorRoot = mirrorRoot;
      this.workDir = workDir;
    }

    /** Records the lines of {@code text}; returns it with absolute header names mirrored. */
    String take(String text) {
      StringBuilder out = new StringBuilder(text.length() + 256);
      String[] lines = lines(text);
      int count = lines.length;
      TreeMap<Integer, String> current = null;
      int lineNo = 0;
      String skipUntil = null;
      for (int i = 0; i < count; i++) {
        String line = lines[i];
        Matcher m = MARKER.matcher(line);
        if (skipUntil != null) {
          if (line.equals(skipUntil)) {
            skipUntil = null;
          }
        } else if (m.matches()) {
          String name = unescape(m.group(2));
          lineNo = m.group(1).length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(m.group(1));
          Path path = lineNo > MAX_LINE ? null : mirrored(name, (m.group(3) + " ").contains(" 3 "));
          current = path == null ? null : files.computeIfAbsent(path, k -> new TreeMap<>());
          if (path != null && name.startsWith("/")) {
            line = "# " + m.group(1) + " \"" + escape(path.toString()) + "\"" + m.group(3);
          }
        } else if (disabledBlockEnd(line) != null) {
          skipUntil = disabledBlockEnd(line);
        } else {
          if (current != null) {
            current.merge(lineNo, line, (old, added) -> old.isBlank() ? added : old);
          }
          lineNo++;
        }
        out.append(line).append('\n');
      }
      return out.toString();
    }

    /** Where a header's lines go, or null for built-in names, system headers and escapes. */
    private Path mirrored(String name, boolean system) {
      if (name.isEmpty() || name.startsWith("<") || (system && name.startsWith("/"))) {
        return null;
      }
      Path p =
          name.startsWith("/")
              ? mirrorRoot.resolve(name.substring(1)).normalize()
              : workDir.resolve(name).normalize();
      return p.startsWith(mirrorRoot) && !p.equals(mirrorRoot) ? p : null;
    }

    /** Writes the collected headers; never over the main file. */
    void write(Path mainFile) {
      long budget = MAX_LINE;
      for (Map.Entry<Path, TreeMap<Integer, String>> e : files.entrySet()) {
        if (e.getKey().equals(mainFile) || e.getValue().isEmpty()) {
          continue;
        }
        int last = e.getValue().lastKey();
        if (last > budget) {
          continue;
        }
        budget -= last;
        StringBuilder text = new StringBuilder();
        for (int line = 1; line <= last; line++) {
          text.append(e.getValue().getOrDefault(line, "")).append('\n');
        }
        try {
          Files.createDirectories(e.getKey().getParent());
          writeLatin1(e.getKey(), text.toString());
        } catch (IOException ex) {
          // Only diagnostics' source lines are missing then; the compile itself does not read it.
        }
      }
    }
  }

  /** The text split into lines, without the empty string after a final newline. */
  private static String[] lines(String text) {
    String[] lines = text.split("\n", -1);
    return lines.length > 0 && lines[lines.length - 1].isEmpty()
        ? java.util.Arrays.copyOf(lines, lines.length - 1)
        : lines;
  }

  /**
   * For the first line of a block in which clang {@code -frewrite-includes} keeps a copy of an
   * original directive ({@code #if 0 /* expanded|disabled by -frewrite-includes *}{@code /}), the
   * line that ends it; null for any other line. A line marker follows such a block.
   */
  private static String disabledBlockEnd(String line) {
    if (line.endsWith(REWRITE_SUFFIX)
        && line.startsWith("#if 0 /* ")
        && !line.contains("evaluated")) {
      return "#endif /* " + line.substring("#if 0 /* ".length());
    }
    return null;
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static int lineNumber(String digits, String file) throws InvalidUnitException {
    if (digits.length() > 9 || Integer.parseInt(digits) > MAX_LINE) {
      throw new InvalidUnitException(
          "line number " + digits + " in '" + file + "' is out of range");
    }
    return Integer.parseInt(digits);
  }

  private static void put(Parsed out, int lineNo, Object content) throws InvalidUnitException {
    if (lineNo < 1) {
      throw new InvalidUnitException("line number " + lineNo + " in the main file");
    }
    if (out.mainLines.putIfAbsent(lineNo, content) != null) {
      throw new InvalidUnitException("main file line " + lineNo + " appears twice");
    }
  }

  /** The entering marker turned into a rename: same line, name and system flags, no "1". */
  private static String renamed(Matcher m) {
    StringBuilder s = new StringBuilder("# ").append(m.group(1)).append(" \"").append(m.group(2));
    s.append('"');
    for (String f : m.group(3).trim().split(" ")) {
      if (!f.isEmpty() && !f.equals("1")) {
        s.append(' ').append(f);
      }
    }
    return s.toString();
  }

  /** Undoes the C-string escaping gcc and clang use for file names in line markers. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        out.append(c);
        continue;
      }
      char next = s.charAt(++i);
      if (next >= '0' && next <= '7') {
        int end = i;
        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
          end++;
        }
        out.append((char) Integer.parseInt(s.substring(i, end), 8));
        i = end - 1;
      } else {
        out.append(next);
      }
    }
    return out.toString();
  }

  private static Path under(Path root, String absolute, String what) throws InvalidUnitException {
    return checkedInside(root, root.resolve(absolute.substring(1)).normalize(), what);
  }

  private static Path checkedInside(Path root, Path p, String what) throws InvalidUnitException {
    if (!p.startsWith(root)) {
      throw new InvalidUnitException(what + " leaves the task directory");
    }
    return p;
  }

  private static void writeLatin1(Path p, String content) throws IOException {
    Files.write(p, content.getBytes(StandardCharsets.ISO_8859_1));
  }
}
