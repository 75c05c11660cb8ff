package io.hybridgrid.cli.scan;

import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.common.compiler.Arg;
import io.hybridgrid.common.compiler.CompileInvocation;
import io.hybridgrid.common.compiler.Language;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Finds the files a compile may read without running the preprocessor: it follows every {@code
 * #include}, {@code #include_next}, {@code __has_include} and {@code #embed} of the source, the
 * {@code -include} and {@code -imacros} files and {@code stdc-predef.h}, through the search chain
 * the compiler itself reports ({@link SearchPath}), taking every branch of every conditional. The
 * result is therefore a superset of the files the compiler reads: as an action's input root it
 * shows the worker every file the compile could open, each at its path, and files the compile does
 * not open change nothing.
 *
 * <p>Everything is remembered for the daemon's lifetime and checked on each use, like {@link
 * FileHashes}: a file's directives by its identity (one {@code stat}), a directory's names by its
 * identity (one {@code stat} per directory a compile touches), a configuration's search chain until
 * one of the directories it lacked appears. A warm scan reads no file.
 *
 * <p>When it cannot be sure — a computed include through a function-like macro, an option that
 * changes preprocessing in ways it does not model, a file whose comments it cannot follow — {@link
 * #scan} answers empty and the caller asks the compiler ({@code -M}).
 */
public final class IncludeScanner {

  /** Runs the compiler's {@code -E -v} probe; returns what it printed on stderr, or empty. */
  @FunctionalInterface
  public interface Prober {
    Optional<String> verbose(Path compiler, List<String> args, Path cwd, Map<String, String> env)
        throws IOException, InterruptedException;
  }

  /** Environment variables that change the search chain (part of the chain's memo key). */
  private static final List<String> CHAIN_VARIABLES =
      List.of(
          "CPATH",
          "C_INCLUDE_PATH",
          "CPLUS_INCLUDE_PATH",
          "OBJC_INCLUDE_PATH",
          "GCC_EXEC_PREFIX",
          "COMPILER_PATH",
          "SDKROOT");

  /** Options whose effect on preprocessing this scan does not model: ask the compiler. */
  private static final Set<String> UNMODELLED =
      Set.of(
          "-I-",
          "-traditional-cpp",
          "-traditional",
          "-trigraphs",
          "-Xpreprocessor",
          "-fpch-preprocess",
          "-include-pch",
          "-fmodules",
          "-fcxx-modules",
          "-fmodules-ts",
          "-fpreprocessed",
          "-undef");

  /** Dependency-file options, which the probe must not carry. */
  private static final Set<String> DEPENDENCY_OPTIONS =
      Set.of("-M", "-MM", "-MD", "-MMD", "-MF", "-MT", "-MQ", "-MP", "-MG");

  /** Files larger than this are not scanned (the compiler is asked instead). */
  private static final long MAX_FILE = 64L * 1024 * 1024;

  /** How deep a chain of macros naming macros may go before the include counts as unresolved. */
  private static final int MAX_MACRO_DEPTH = 16;

  private record KnownFile(FileHashes.Stamp stamp, Directives directives) {}

  /**
   * A directory's names, and which of them were found to be regular files (an entry changes type
   * only by being removed and created again, which changes the directory's identity).
   */
  private record Listing(
      FileHashes.Stamp stamp, Set<String> names, ConcurrentMap<String, Boolean> regular) {
    static final Listing EMPTY = new Listing(null, Set.of(), new ConcurrentHashMap<>());
  }

  private final FileHashes stamps;
  private final Clock clock;
  private final Prober prober;
  private final ConcurrentMap<String, KnownFile> files = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Listing> listings = new ConcurrentHashMap<>();
  private final ConcurrentMap<List<String>, SearchPath> chains = new ConcurrentHashMap<>();

  /**
   * @param stamps reads file and directory identities
   * @param clock decides when a file or directory has settled enough to be remembered
   * @param prober runs the compiler's search-chain probe
   */
  public IncludeScanner(FileHashes stamps, Clock clock, Prober prober) {
    this.stamps = stamps;
    this.clock = clock;
    this.prober = prober;
  }

  /**
   * The files {@code inv} may read, as the compiler would spell them (relative to {@code cwd} or
   * absolute), the source first; empty when this scan cannot be sure and the compiler must be
   * asked.
   *
   * @param scope the file identities the compile has seen (each file and directory is looked at
   *     once per compile; the later steps reuse what the scan saw)
   */
  public Optional<List<String>> scan(
      CompileInvocation inv,
      Path compiler,
      Path cwd,
      Map<String, String> env,
      FileHashes.Scope scope)
      throws IOException, InterruptedException {
    Language lang = inv.language();
    if (inv.source() == null
        || !(lang == Language.C
            || lang == Language.CXX
            || lang == Language.OBJC
            || lang == Language.OBJCXX)) {
      return Optional.empty();
    }
    List<String> probeArgs = new ArrayList<>();
    List<String> forced = new ArrayList<>();
    Map<String, List<String>> cmdMacros = new HashMap<>();
    for (Arg arg : inv.args()) {
      if (arg.input()) {
        continue;
      }
      String name = arg.name();
      if (UNMODELLED.contains(name)
          || name.startsWith("-Wp,")
          || name.startsWith("-fmodule")
          || name.startsWith("@")
          || arg.abbreviated()) {
        return Optional.empty();
      }
      if (arg.is("-include") || arg.is("-imacros")) {
        if (arg.value() == null) {
          return Optional.empty();
        }
        forced.add(arg.value());
      } else if (arg.is("-D")) {
        if (arg.value() != null) {
          define(cmdMacros, arg.value());
        }
      } else if (arg.is("-U")
          || arg.is("-c")
          || arg.is("-o")
          || arg.is("-x")
          || DEPENDENCY_OPTIONS.contains(name)
          || name.startsWith("-W")
          || name.startsWith("-O")
          || name.startsWith("-g")
          || name.startsWith("-pedantic")) {
        continue; // no effect on the search chain
      } else {
        probeArgs.addAll(arg.tokens());
      }
    }
    Optional<SearchPath> chain = chain(compiler, probeArgs, lang, cwd, env);
    if (chain.isEmpty()) {
      return Optional.empty();
    }
    return new Walk(chain.get(), cwd.toString(), cmdMacros, scope).run(inv.source(), forced);
  }

  /** How many files' directives are remembered (for tests and statistics). */
  public int filesKnown() {
    return files.size();
  }

  private static void define(Map<String, List<String>> macros, String definition) {
    int eq = definition.indexOf('=');
    String name = eq < 0 ? definition : definition.substring(0, eq);
    if (name.contains("(")) {
      return; // a function-like macro names no file on its own
    }
    String value = eq < 0 ? "1" : definition.substring(eq + 1);
    macros.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
  }

  /** The search chain for this configuration: remembered, re-probed when a missing dir appears. */
  private Optional<SearchPath> chain(
      Path compiler, List<String> probeArgs, Language lang, Path cwd, Map<String, String> env)
      throws IOException, InterruptedException {
    List<String> key = new ArrayList<>(probeArgs.size() + 12);
    key.add(compiler.toString());
    key.add(cwd.toString());
    key.add(lang.xName());
    for (String v : CHAIN_VARIABLES) {
      key.add(v + "=" + env.get(v));
    }
    key.addAll(probeArgs);
    SearchPath known = chains.get(key);
    if (known != null && stillMissing(known, cwd)) {
      return Optional.of(known);
    }
    List<String> args = new ArrayList<>(probeArgs);
    args.addAll(List.of("-E", "-v", "-x", lang.xName(), "/dev/null", "-o", "/dev/null"));
    Optional<SearchPath> probed =
        prober.verbose(compiler, args, cwd, env).flatMap(SearchPath::parse);
    probed.ifPresent(p -> chains.put(List.copyOf(key), p));
    return probed;
  }

  private static boolean stillMissing(SearchPath p, Path cwd) {
    for (String d : p.missingDirs()) {
      if (Files.exists(cwd.resolve(d))) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code path} made absolute against {@code cwd} without normalising it ({@code ..} is physical);
   * the empty path is {@code cwd}.
   */
  public static String absolute(String cwd, String path) {
    if (path.startsWith("/")) {
      return path;
    }
    if (path.isEmpty()) {
      return cwd;
    }
    return cwd.endsWith("/") ? cwd + path : cwd + "/" + path;
  }

  /** {@code name} under directory {@code dir} as the compiler spells it. */
  static String join(String dir, String name) {
    if (name.startsWith("/") || dir.isEmpty()) {
      return name;
    }
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  static String dirname(String spelled) {
    int slash = spelled.lastIndexOf('/');
    if (slash < 0) {
      return "";
    }
    return slash == 0 ? "/" : spelled.substring(0, slash);
  }

  /** The state of one scan. */
  private final class Walk {
    private final SearchPath chain;
    private final String cwd;
    private final Map<String, List<String>> cmdMacros;
    private final FileHashes.Scope scope;
    private final Map<String, Directives> visited = new LinkedHashMap<>();
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final Map<String, Listing> seen = new HashMap<>();

    /** Computed includes met so far, with the directory of the file that has them. */
    private final List<Map.Entry<Directives.Include, String>> computed = new ArrayList<>();

    Walk(
        SearchPath chain, String cwd, Map<String, List<String>> cmdMacros, FileHashes.Scope scope) {
      this.chain = chain;
      this.cwd = cwd;
      this.cmdMacros = cmdMacros;
      this.scope = scope;
    }

    Optional<List<String>> run(String source, List<String> forced) throws IOException {
      if (!isFile(source) || !add(source, true)) {
        return Optional.empty();
      }
      for (String f : forced) {
        // -include and -imacros look in the working directory first, then the quote chain.
        for (String p : resolve(f, true, false, "")) {
          if (!add(p, true)) {
            return Optional.empty();
          }
        }
      }
      for (String p : resolve("stdc-predef.h", false, false, "")) {
        if (!add(p, true)) {
          return Optional.empty();
        }
      }
      int before;
      do {
        before = visited.size();
        if (!drain()) {
          return Optional.empty();
        }
        if (!resolveComputed()) {
          return Optional.empty();
        }
      } while (visited.size() != before || !queue.isEmpty());
      return Optional.of(List.copyOf(visited.keySet()));
    }

    /** Follows every include of every queued file; false when one cannot be followed. */
    private boolean drain() throws IOException {
      while (!queue.isEmpty()) {
        String file = queue.poll();
        Directives d = visited.get(file);
        if (d.unsure()) {
          return false;
        }
        String dir = dirname(file);
        for (Directives.Include inc : d.includes()) {
          switch (inc.kind()) {
            case QUOTE, ANGLE -> {
              for (String p :
                  resolve(inc.name(), inc.kind() == Directives.Kind.QUOTE, inc.next(), dir)) {
                if (!add(p, inc.follow())) {
                  return false;
                }
              }
            }
            case MACRO -> computed.add(Map.entry(inc, dir));
            case UNRESOLVABLE -> {
              return false;
            }
          }
        }
      }
      return true;
    }

    /** Resolves computed includes with every definition seen so far; false when one cannot be. */
    private boolean resolveComputed() throws IOException {
      for (Map.Entry<Directives.Include, String> c : List.copyOf(computed)) {
        List<Directives.Include> named = new ArrayList<>();
        if (!expand(c.getKey().name(), 0, new HashSet<>(), named)) {
          return false;
        }
        for (Directives.Include n : named) {
          boolean quote = n.kind() == Directives.Kind.QUOTE;
          for (String p : resolve(n.name(), quote, c.getKey().next(), c.getValue())) {
            if (!add(p, c.getKey().follow())) {
              return false;
            }
          }
        }
      }
      return true;
    }

    /** Every object-like definition of {@code name} seen so far (command line and files). */
    private List<String> definitions(String name) {
      List<String> defs = new ArrayList<>(cmdMacros.getOrDefault(name, List.of()));
      for (Directives d : visited.values()) {
        List<String> mine = d.objectMacros().get(name);
        if (mine != null) {
          defs.addAll(mine);
        }
      }
      return defs;
    }

    private boolean functionLike(String name) {
      for (Directives d : visited.values()) {
        if (d.functionMacros().contains(name)) {
          return true;
        }
      }
      return false;
    }

    /** The file names macro {@code name} may expand to; false when an expansion is unmodelled. */
    private boolean expand(String name, int depth, Set<String> seen, List<Directives.Include> out) {
      if (depth > MAX_MACRO_DEPTH || functionLike(name)) {
        return false;
      }
      List<String> defs = definitions(name);
      if (defs.isEmpty() || !seen.add(name)) {
        return true; // undefined here, or a cycle: names no file
      }
      for (String def : defs) {
        String t = def.trim();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
          out.add(
              new Directives.Include(
                  Directives.Kind.QUOTE, t.substring(1, t.length() - 1), false, true));
        } else if (t.length() >= 2 && t.startsWith("<") && t.endsWith(">")) {
          out.add(
              new Directives.Include(
                  Directives.Kind.ANGLE, t.substring(1, t.length() - 1).trim(), false, true));
        } else if (!t.isEmpty() && isIdentifier(t)) {
          if (!expand(t, depth + 1, seen, out)) {
            return false;
          }
        } else if (!t.isEmpty()) {
          return false;
        }
      }
      return true;
    }

    /**
     * The files {@code name} may resolve to: the first match along the chain the compiler uses, or
     * for an {@code _next} form every match (where the search resumes depends on how the including
     * file was found; every candidate covers all cases). Precompiled {@code .gch} files beside a
     * match come too.
     */
    private List<String> resolve(String name, boolean quote, boolean next, String includerDir) {
      List<String> found = new ArrayList<>(1);
      if (name.startsWith("/")) {
        if (isFile(name)) {
          found.add(name);
        }
        return found;
      }
      List<String> dirs =
          new ArrayList<>(chain.quoteDirs().size() + chain.bracketDirs().size() + 1);
      if (quote) {
        dirs.add(includerDir);
        dirs.addAll(chain.quoteDirs());
      }
      dirs.addAll(chain.bracketDirs());
      for (String d : dirs) {
        String candidate = join(d, name);
        String gch = candidate + ".gch";
        if (isFile(gch)) {
          found.add(gch);
        }
        if (isFile(candidate)) {
          found.add(candidate);
          if (!next) {
            break;
          }
        }
      }
      return found;
    }

    /** Records {@code spelled}; false when it cannot be read after it was found. */
    private boolean add(String spelled, boolean follow) {
      if (visited.containsKey(spelled)) {
        return true;
      }
      if (!follow) {
        visited.put(spelled, Directives.NONE);
        return true;
      }
      Optional<Directives> d = directives(absolute(cwd, spelled), scope);
      if (d.isEmpty()) {
        return false;
      }
      visited.put(spelled, d.get());
      queue.add(spelled);
      return true;
    }

    /** Whether {@code spelled} names a regular file (through symbolic links), from listings. */
    private boolean isFile(String spelled) {
      String abs = absolute(cwd, spelled);
      int slash = abs.lastIndexOf('/');
      String parent = slash == 0 ? "/" : abs.substring(0, slash);
      String leaf = abs.substring(slash + 1);
      if (leaf.isEmpty() || leaf.equals(".") || leaf.equals("..")) {
        return false;
      }
      Listing l = seen.get(parent);
      if (l == null) {
        l = listing(parent, scope); // checked once per scan against the directory's identity
        seen.put(parent, l);
      }
      if (!l.names().contains(leaf)) {
        return false;
      }
      return l.regular().computeIfAbsent(leaf, x -> Files.isRegularFile(Path.of(abs)));
    }
  }

  private Listing listing(String dir, FileHashes.Scope scope) {
    Optional<FileHashes.Stamp> stamp = scope.stamp(Path.of(dir));
    if (stamp.isEmpty()) {
      return Listing.EMPTY;
    }
    Listing known = listings.get(dir);
    if (known != null && stamp.get().equals(known.stamp())) {
      return known;
    }
    String[] entries = new File(dir).list();
    if (entries == null) {
      return Listing.EMPTY;
    }
    Listing fresh =
        new Listing(stamp.get(), Set.copyOf(Arrays.asList(entries)), new ConcurrentHashMap<>());
    Optional<FileHashes.Stamp> after = stamps.stamp(Path.of(dir));
    if (after.isPresent() && after.get().equals(stamp.get()) && settled(stamp.get())) {
      listings.put(dir, fresh);
    }
    return fresh;
  }

  private Optional<Directives> directives(String abs, FileHashes.Scope scope) {
    Path p = Path.of(abs);
    Optional<FileHashes.Stamp> stamp = scope.stamp(p);
    if (stamp.isEmpty()) {
      return Optional.empty();
    }
    KnownFile known = files.get(abs);
    if (known != null && known.stamp().equals(stamp.get())) {
      return Optional.of(known.directives());
    }
    if (stamp.get().size() > MAX_FILE) {
      return Optional.of(new Directives(List.of(), Map.of(), Set.of(), true));
    }
    Directives d;
    try {
      d = Directives.parse(Files.readAllBytes(p));
    } catch (IOException e) {
      return Optional.empty();
    }
    Optional<FileHashes.Stamp> after = stamps.stamp(p);
    if (after.isEmpty() || !after.get().equals(stamp.get())) {
      return Optional.empty(); // changed while read
    }
    if (settled(stamp.get())) {
      files.put(abs, new KnownFile(stamp.get(), d));
    }
    return Optional.of(d);
  }

  private boolean settled(FileHashes.Stamp s) {
    return s.settledAt(clock.instant());
  }

  private static boolean isIdentifier(String t) {
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      boolean ok = c == '_' || Character.isLetter(c) || (i > 0 && Character.isDigit(c));
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
