package io.hybridgrid.worker.action;

import io.hybridgrid.common.fs.TempTrees;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's root tree on disk: {@code task/root/<absolute path>} is what the sandboxed command sees
 * at {@code <absolute path>}.
 *
 * <p>Paths from the wire are resolved here component by component, the way the kernel would resolve
 * them inside the sandbox: {@code ..} pops the last real directory, and a symlink of the tree (one
 * the client sent) is followed within the tree, an absolute target starting again at the tree's
 * root. So a resolved path never leaves the tree and never passes through a symlink, which is what
 * makes it safe to hand to bubblewrap as a mount point or to read back on the host.
 */
final class TaskTree {
  private static final int MAX_LINKS = 40;

  private final Path root;

  /** Physical path of each placed file -> the path the action named it by, to spot conflicts. */
  private final Map<String, ActionSpec.InputFile> placed = new HashMap<>();

  /** What a path of the tree is. */
  private enum Kind {
    ABSENT,
    DIRECTORY,
    FILE,
    LINK
  }

  /**
   * What the tree holds at each resolved path this tree has made or looked at. Only this tree
   * writes under its root until the command runs (the task directory is the worker's alone), so an
   * answer stays true while the tree is laid out: a layout {@code lstat}s each path once instead of
   * once per path through it (thousands of calls per action with a shipped toolchain). The outputs
   * are read after the run with fresh {@code lstat}s ({@link #attributes}), never from here.
   */
  private final Map<String, Kind> known = new HashMap<>();

  /** Directories this tree made: they hold only what it put there, so absence needs no lstat. */
  private final Set<String> made = new HashSet<>();

  /**
   * Directories a previous action's tree left here ({@link #empty}), and which of them this layout
   * went through: the others are removed before the command runs ({@link #pruneUnused}), so the
   * command sees only its own action's directories.
   */
  private final Set<String> inherited = new HashSet<>();

  private final Set<String> used = new HashSet<>();

  /** Resolved directories the command may write; removed whole afterwards. */
  private final List<String> writable = new ArrayList<>();

  /** Shared symlinks to hard-link instead of making new ones; null to always make them. */
  private final SymlinkPrototypes prototypes;

  TaskTree(Path root) {
    this(root, null);
  }

  TaskTree(Path root, SymlinkPrototypes prototypes) {
    this.root = root;
    this.prototypes = prototypes;
  }

  /**
   * A tree over {@code root}, which holds exactly the (empty) directories {@code directories} and
   * nothing else: a fresh root (none), or one a previous tree emptied ({@link #empty}).
   */
  TaskTree(Path root, SymlinkPrototypes prototypes, Set<String> directories) {
    this(root, prototypes);
    made.add("/");
    for (String d : directories) {
      known.put(d, Kind.DIRECTORY);
      made.add(d);
      inherited.add(d);
    }
  }

  /** The resolved directories the command may write; the caller adds them. */
  List<String> writable() {
    return writable;
  }

  Path root() {
    return root;
  }

  /** The host path of a resolved (symlink-free) virtual path. */
  Path host(String resolved) {
    return resolved.equals("/") ? root : root.resolve(resolved.substring(1));
  }

  /**
   * Resolves {@code path} inside the tree.
   *
   * @param create make missing directories on the way (never the last component)
   * @param followLast follow the last component when it is a symlink
   * @return the symlink-free absolute path, "/" for the root
   */
  String resolve(String path, boolean create, boolean followLast) throws IOException {
    if (!path.startsWith("/")) {
      throw new InvalidActionException("not an absolute path: '" + path + "'");
    }
    Deque<String> todo = new ArrayDeque<>(split(path));
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
      boolean last = todo.isEmpty();
      String v = join(done, c);
      Kind k = kind(v);
      if (k == Kind.ABSENT) {
        if (!last) {
          if (!create) {
            throw new InvalidActionException(path + ": " + v + " does not exist");
          }
          makeDirectory(v);
        }
        done.add(c);
      } else if (k == Kind.LINK && (!last || followLast)) {
        if (++links > MAX_LINKS) {
          throw new InvalidActionException(path + ": too many levels of symbolic links");
        }
        String target = Files.readSymbolicLink(host(v)).toString();
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> parts = split(target);
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
      } else if (k == Kind.DIRECTORY || last) {
        if (k == Kind.DIRECTORY && !last) {
          used.add(v); // the last component is the caller's to use (a directory) or replace
        }
        done.add(c);
      } else {
        throw new InvalidActionException(path + ": " + v + " is a file, not a directory");
      }
    }
    return done.isEmpty() ? "/" : "/" + String.join("/", done);
  }

  /** Makes {@code path} a directory of the tree; returns its resolved path. */
  String directory(String path) throws IOException {
    String r = resolve(path, true, true);
    Kind k = kind(r);
    if (k == Kind.ABSENT) {
      makeDirectory(r);
    } else if (k != Kind.DIRECTORY) {
      throw new InvalidActionException(path + " is needed as a directory but is a file");
    }
    used.add(r);
    return r;
  }

  /**
   * Removes the inherited directories this layout did not go through, deepest first: they are empty
   * (a directory below one in use is in use itself), and the command must not see them.
   */
  void pruneUnused() throws IOException {
    List<String> unused = new ArrayList<>();
    for (String d : inherited) {
      if (!used.contains(d)) {
        unused.add(d);
      }
    }
    unused.sort((a, b) -> Integer.compare(b.length(), a.length()));
    for (String d : unused) {
      Files.delete(host(d));
      known.remove(d);
      made.remove(d);
    }
    inherited.clear();
  }

  /**
   * Empties the tree after its command ran, for the next action, and returns the directories that
   * stay (for {@link #TaskTree(Path, SymlinkPrototypes, Set)}). The writable directories go whole:
   * the command could put anything there. Every file and symlink this tree placed elsewhere is
   * unlinked; the rest of the tree was read-only to the command, so nothing else is there.
   *
   * <p>Why keep directories: making one is the dearest step of a layout on some filesystems (up to
   * 0.9 ms of kernel time each on the benchmark machine's ext4, 30 per Lua action), and the
   * consecutive actions of a build need nearly the same ones.
   */
  Set<String> empty() throws IOException {
    for (String w : writable) {
      TempTrees.delete(host(w));
    }
    Set<String> dirs = new HashSet<>();
    for (Map.Entry<String, Kind> e : known.entrySet()) {
      String p = e.getKey();
      if (p.equals("/") || e.getValue() == Kind.ABSENT || inWritable(p)) {
        continue;
      }
      if (e.getValue() == Kind.DIRECTORY) {
        dirs.add(p);
      } else if (!host(p).toFile().delete() && attributes(host(p)) != null) {
        // An unlink alone (Files.delete would lstat first); what will not go fails the reuse.
        Files.delete(host(p));
      }
    }
    return dirs;
  }

  private boolean inWritable(String p) {
    for (String w : writable) {
      if (p.equals(w) || p.startsWith(w + "/")) {
        return true;
      }
    }
    return false;
  }

  /** Recreates a symlink as the client had it; returns its resolved location. */
  String symlink(String path, String target) throws IOException {
    if (target.isEmpty() || target.indexOf('\0') >= 0) {
      throw new InvalidActionException("symlink " + path + " has an empty or invalid target");
    }
    String r = resolve(path, true, false);
    if (r.equals("/")) {
      throw new InvalidActionException("symlink at the root: '" + path + "'");
    }
    Path host = host(r);
    Kind k = kindForEntry(r);
    if (k == Kind.ABSENT) {
      makeSymlink(host, target);
      known.put(r, Kind.LINK);
    } else if (k != Kind.LINK || !Files.readSymbolicLink(host).toString().equals(target)) {
      throw new InvalidActionException(
          "symlink " + path + " -> " + target + " conflicts with another input at " + r);
    }
    return r;
  }

  private void makeSymlink(Path host, String target) throws IOException {
    Path proto = prototypes == null ? null : prototypes.prototype(target);
    if (proto != null) {
      try {
        Files.createLink(host, proto);
        return;
      } catch (IOException | UnsupportedOperationException e) {
        // another filesystem, or the prototype's link count is at the limit: make one below
      }
    }
    Files.createSymbolicLink(host, Path.of(target));
  }

  /**
   * Places an input file: a hard link to the store's read-only copy, or a copy of it when {@code
   * copyAt} accepts its resolved path (or when the store is on another filesystem). Two names for
   * one physical path must carry the same content.
   *
   * @return the resolved path
   */
  String file(ActionSpec.InputFile input, Path stored, java.util.function.Predicate<String> copyAt)
      throws IOException {
    String r = resolve(input.path(), true, false);
    if (r.equals("/")) {
      throw new InvalidActionException("input at the root: '" + input.path() + "'");
    }
    ActionSpec.InputFile before = placed.putIfAbsent(r, input);
    if (before != null) {
      if (!before.digest().equals(input.digest())) {
        throw new InvalidActionException(
            "inputs "
                + before.path()
                + " and "
                + input.path()
                + " are the same file "
                + r
                + " with different contents");
      }
      return r;
    }
    Path host = host(r);
    if (kindForEntry(r) != Kind.ABSENT) {
      throw new InvalidActionException(
          "input " + input.path() + " conflicts with a directory or symlink at " + r);
    }
    known.put(r, Kind.FILE); // placed below, or the layout fails
    if (!copyAt.test(r)) {
      try {
        Files.createLink(host, stored);
        return r;
      } catch (IOException | UnsupportedOperationException e) {
        // another filesystem: copy below
      }
    }
    Files.copy(stored, host, StandardCopyOption.COPY_ATTRIBUTES);
    Files.setPosixFilePermissions(
        host, PosixFilePermissions.fromString(input.executable() ? "r-xr-xr-x" : "r--r--r--"));
    return r;
  }

  /**
   * An empty file or directory to mount a toolchain file on; false when something is already there
   * (the input root wins).
   */
  boolean mountPoint(String resolved, boolean directory) throws IOException {
    Path host = host(resolved);
    if (kindForEntry(resolved) != Kind.ABSENT) {
      return false;
    }
    try {
      if (directory) {
        makeDirectory(resolved);
      } else {
        Files.createFile(host);
        known.put(resolved, Kind.FILE);
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  /**
   * Whether anything is at the resolved path {@code r} for a new entry (an output, say): an
   * inherited directory this layout has not used is removed first, as a fresh tree would not have
   * it. Looks at the disk, not only the memo.
   */
  boolean occupied(String r) throws IOException {
    kindForEntry(r);
    return attributes(host(r)) != null;
  }

  /**
   * {@link #kind} for a path about to get a new file, symlink or mount point: an inherited
   * directory there that this layout has not gone through (and so everything inherited below it) is
   * removed first, and the path is then absent, as on a fresh tree.
   */
  private Kind kindForEntry(String r) throws IOException {
    if (inherited.contains(r) && !used.contains(r)) {
      List<String> below = new ArrayList<>();
      for (String d : inherited) {
        if (d.equals(r) || d.startsWith(r + "/")) {
          below.add(d);
        }
      }
      below.sort((a, b) -> Integer.compare(b.length(), a.length()));
      for (String d : below) {
        Files.delete(host(d));
        known.remove(d);
        made.remove(d);
        inherited.remove(d);
      }
    }
    return kind(r);
  }

  /** What the tree holds at the resolved path {@code v}: remembered, else one {@code lstat}. */
  private Kind kind(String v) {
    if (v.equals("/")) {
      return Kind.DIRECTORY;
    }
    Kind k = known.get(v);
    if (k != null) {
      return k;
    }
    int slash = v.lastIndexOf('/');
    if (made.contains(slash == 0 ? "/" : v.substring(0, slash))) {
      return Kind.ABSENT; // not put there by this tree, so not there
    }
    BasicFileAttributes a = attributes(host(v));
    if (a == null) {
      return Kind.ABSENT;
    }
    k =
        a.isSymbolicLink()
            ? Kind.LINK
            : a.isDirectory() ? Kind.DIRECTORY : Kind.FILE; // a device or fifo counts as a file
    known.put(v, k);
    return k;
  }

  /** Creates the directory at the resolved path {@code v} and remembers it as this tree's. */
  private void makeDirectory(String v) throws IOException {
    Files.createDirectory(host(v));
    known.put(v, Kind.DIRECTORY);
    made.add(v);
    used.add(v);
  }

  static BasicFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null;
    }
  }

  private static String join(List<String> done, String c) {
    return done.isEmpty() ? "/" + c : "/" + String.join("/", done) + "/" + c;
  }

  static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
