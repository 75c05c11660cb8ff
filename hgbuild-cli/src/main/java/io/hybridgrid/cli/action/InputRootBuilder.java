package io.hybridgrid.cli.action;

import io.hybridgrid.cli.cache.FileHashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Collects one compile's {@link InputRoot}. Each path is resolved component by component as the
 * kernel resolves it ({@code ..} goes to the parent of where a link led, not of the link), and
 * every symbolic link met on the way is recorded, so the worker can rebuild the same lookups; every
 * directory passed through is remembered, and those that end up holding no file or link are listed
 * as directories. One builder per compile (it memoises {@code lstat} answers for that compile only:
 * the tree may change between compiles). Not thread-safe.
 */
public final class InputRootBuilder {
  /** Links followed per path before giving up, as Linux's {@code MAXSYMLINKS}. */
  private static final int MAX_LINKS = 40;

  private enum Kind {
    DIRECTORY,
    FILE,
    LINK,
    MISSING,
    OTHER
  }

  private record Node(Kind kind, String target) {}

  private final FileDigests digests;
  private final FileHashes.Scope scope;
  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, InputRoot.File> files = new TreeMap<>();
  private final Map<String, InputRoot.Symlink> symlinks = new TreeMap<>();
  private final Set<String> directories = new HashSet<>();

  /**
   * @param digests the daemon's digest memo
   * @param scope the file identities this compile has seen
   */
  public InputRootBuilder(FileDigests digests, FileHashes.Scope scope) {
    this.digests = digests;
    this.scope = scope;
  }

  /**
   * Adds the regular file at {@code absolutePath} (as the compiler spelled it, made absolute).
   *
   * @throws MissingInputException when it does not exist or is not a readable regular file
   */
  public void addFile(String absolutePath) throws MissingInputException {
    Optional<String> physical = resolve(absolutePath, Kind.FILE);
    if (physical.isEmpty()) {
      throw new MissingInputException(absolutePath, "no such file (it vanished during the build?)");
    }
    String p = physical.get();
    if (files.containsKey(p)) {
      return;
    }
    Optional<FileDigests.Hashed> h = digests.digest(Path.of(p), scope);
    if (h.isEmpty()) {
      throw new MissingInputException(absolutePath, "cannot be read, or changed while being read");
    }
    files.put(p, new InputRoot.File(p, h.get().digest(), h.get().executable()));
  }

  /**
   * Adds a directory that must exist (an include directory, the working directory, an output's
   * directory). A path that does not exist here, or is not a directory, is ignored: the compiler
   * sees it missing here too.
   */
  public void addDirectory(String absolutePath) {
    resolve(absolutePath, Kind.DIRECTORY);
  }

  /**
   * The input root: files, links, and the directories that hold none of them nor another listed
   * directory (the worker creates every parent of what it places).
   */
  public InputRoot build() {
    Set<String> ancestors = new HashSet<>();
    for (String p : files.keySet()) {
      addAncestors(p, ancestors);
    }
    for (String p : symlinks.keySet()) {
      addAncestors(p, ancestors);
    }
    for (String p : directories) {
      addAncestors(p, ancestors);
    }
    TreeSet<String> dirs = new TreeSet<>();
    for (String d : directories) {
      if (!ancestors.contains(d)) {
        dirs.add(d);
      }
    }
    return new InputRoot(
        new ArrayList<>(files.values()), new ArrayList<>(symlinks.values()), new ArrayList<>(dirs));
  }

  private static void addAncestors(String path, Set<String> out) {
    int slash = path.lastIndexOf('/');
    while (slash > 0) {
      String parent = path.substring(0, slash);
      if (!out.add(parent)) {
        return;
      }
      slash = parent.lastIndexOf('/');
    }
  }

  /**
   * Walks {@code path} as {@code open(2)} would, recording links and directories; returns the
   * physical path reached when it is of kind {@code want}.
   */
  private Optional<String> resolve(String path, Kind want) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("not an absolute path: " + path);
    }
    Deque<String> pending = new ArrayDeque<>();
    pushComponents(path, pending);
    String cur = ""; // the root; never ends in '/'
    int links = 0;
    while (!pending.isEmpty()) {
      String comp = pending.pop();
      if (comp.equals(".")) {
        continue;
      }
      if (comp.equals("..")) {
        int slash = cur.lastIndexOf('/');
        cur = slash <= 0 ? "" : cur.substring(0, slash);
        continue;
      }
      String next = cur + "/" + comp;
      Node node = node(next);
      switch (node.kind()) {
        case LINK -> {
          symlinks.put(next, new InputRoot.Symlink(next, node.target()));
          if (++links > MAX_LINKS) {
            return Optional.empty();
          }
          if (node.target().startsWith("/")) {
            cur = "";
          }
          pushComponents(node.target(), pending);
        }
        case DIRECTORY -> {
          directories.add(next);
          cur = next;
        }
        case FILE -> {
          if (!pending.isEmpty()) {
            return Optional.empty(); // a file used as a directory: ENOTDIR
          }
          return want == Kind.FILE ? Optional.of(next) : Optional.empty();
        }
        default -> {
          return Optional.empty();
        }
      }
    }
    if (cur.isEmpty()) {
      return want == Kind.DIRECTORY ? Optional.of("/") : Optional.empty();
    }
    return want == Kind.DIRECTORY ? Optional.of(cur) : Optional.empty();
  }

  /** Pushes {@code path}'s components in front of {@code pending}, first component on top. */
  private static void pushComponents(String path, Deque<String> pending) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      if (!parts[i].isEmpty()) {
        pending.push(parts[i]);
      }
    }
  }

  private Node node(String physical) {
    Node n = nodes.get(physical);
    if (n == null) {
      n = lstat(physical);
      nodes.put(physical, n);
    }
    return n;
  }

  private static Node lstat(String physical) {
    Path p = Path.of(physical);
    try {
      BasicFileAttributes a =
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (a.isSymbolicLink()) {
        return new Node(Kind.LINK, Files.readSymbolicLink(p).toString());
      }
      if (a.isDirectory()) {
        return new Node(Kind.DIRECTORY, null);
      }
      if (a.isRegularFile()) {
        return new Node(Kind.FILE, null);
      }
      return new Node(Kind.OTHER, null);
    } catch (IOException e) {
      return new Node(Kind.MISSING, null);
    }
  }
}
