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
   * What a previous action's tree left here ({@link #empty}) that this layout has not claimed yet.
   * A layout claims a left directory by going through it and a left file or symlink by placing the
   * same one at the same path; anything unclaimed behaves as absent (it is removed when something
   * else needs its place) and is removed before the command runs ({@link #pruneUnused}), so the
   * command sees exactly its own action's tree.
   */
  private final Map<String, Kind> inherited = new HashMap<>();

  /** What each left file was placed as (its digest and executable bit are its content). */
  private final Map<String, ActionSpec.InputFile> inheritedFiles = new HashMap<>();

  /** Unresolved parent directories already resolved in this layout -> their resolved path. */
  private final Map<String, String> resolvedParents = new HashMap<>();

  /** Symlinks this tree holds (made or claimed): resolved path -> target. */
  private final Map<String, String> links = new HashMap<>();

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
   * What an emptied tree still holds, outside the directories its command could write: every
   * directory, and the files (resolved path -> the input placed there) and symlinks (-> target) it
   * placed. Their contents cannot have changed: that part of the tree was read-only to the command,
   * and files are hard links to the store's read-only blobs.
   */
  record Leftover(
      Set<String> directories, Map<String, ActionSpec.InputFile> files, Map<String, String> links) {
    static final Leftover NONE = new Leftover(Set.of(), Map.of(), Map.of());

    int size() {
      return directories.size() + files.size() + links.size();
    }
  }

  /**
   * A tree over {@code root}, which holds exactly {@code left}: nothing for a fresh root, or what a
   * previous tree left ({@link #empty}).
   */
  TaskTree(Path root, SymlinkPrototypes prototypes, Leftover left) {
    this(root, prototypes);
    made.add("/");
    for (String d : left.directories()) {
      known.put(d, Kind.DIRECTORY);
      made.add(d);
      inherited.put(d, Kind.DIRECTORY);
    }
    for (Map.Entry<String, ActionSpec.InputFile> f : left.files().entrySet()) {
      known.put(f.getKey(), Kind.FILE);
      inherited.put(f.getKey(), Kind.FILE);
      inheritedFiles.put(f.getKey(), f.getValue());
    }
    for (Map.Entry<String, String> l : left.links().entrySet()) {
      known.put(l.getKey(), Kind.LINK);
      inherited.put(l.getKey(), Kind.LINK);
      links.put(l.getKey(), l.getValue());
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
    int slash = path.lastIndexOf('/');
    String parent = slash == 0 ? "/" : path.substring(0, slash);
    String name = path.substring(slash + 1);
    boolean plainName = !name.isEmpty() && !name.equals(".") && !name.equals("..");
    if (!followLast && plainName) {
      // The last component is not looked at; a parent resolved before in this layout still
      // resolves the same (its directories exist and nothing removes them while it is laid out).
      String rp = resolvedParents.get(parent);
      if (rp != null) {
        return rp.equals("/") ? "/" + name : rp + "/" + name;
      }
    }
    Deque<String> todo = new ArrayDeque<>(split(path));
    String cur = ""; // the resolved path so far, "" for the root
    int hops = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        cur = cur.isEmpty() ? cur : cur.substring(0, cur.lastIndexOf('/'));
        continue;
      }
      boolean last = todo.isEmpty();
      String v = cur + "/" + c;
      Kind k = kind(v);
      if (inherited.containsKey(v) && (!last || followLast)) {
        if (k == Kind.DIRECTORY) {
          inherited.remove(v); // gone through: claimed, as making it would on a fresh tree
        } else {
          evict(v); // a left file or symlink on the way is not this action's
          k = Kind.ABSENT;
        }
      }
      if (k == Kind.ABSENT) {
        if (!last) {
          if (!create) {
            throw new InvalidActionException(path + ": " + v + " does not exist");
          }
          makeDirectory(v);
        }
        cur = v;
      } else if (k == Kind.LINK && (!last || followLast)) {
        if (++hops > MAX_LINKS) {
          throw new InvalidActionException(path + ": too many levels of symbolic links");
        }
        String target = links.get(v);
        if (target == null) {
          target = Files.readSymbolicLink(host(v)).toString();
        }
        if (target.startsWith("/")) {
          cur = "";
        }
        List<String> parts = split(target);
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
      } else if (k == Kind.DIRECTORY || last) {
        cur = v;
      } else {
        throw new InvalidActionException(path + ": " + v + " is a file, not a directory");
      }
    }
    String resolved = cur.isEmpty() ? "/" : cur;
    if (!followLast && plainName) {
      int s = resolved.lastIndexOf('/');
      resolvedParents.put(parent, s == 0 ? "/" : resolved.substring(0, s));
    }
    return resolved;
  }

  /** Makes {@code path} a directory of the tree; returns its resolved path. */
  String directory(String path) throws IOException {
    // Following the last component, resolve has claimed a left directory there or removed
    // anything else left there.
    String r = resolve(path, true, true);
    Kind k = kind(r);
    if (k == Kind.ABSENT) {
      makeDirectory(r);
    } else if (k != Kind.DIRECTORY) {
      throw new InvalidActionException(path + " is needed as a directory but is a file");
    }
    return r;
  }

  /**
   * Removes what a previous tree left that this layout did not claim, deepest first, so the command
   * sees only its own action's tree.
   */
  void pruneUnused() throws IOException {
    removeDeepestFirst(new ArrayList<>(inherited.keySet()));
  }

  /**
   * Empties the tree after its command ran, for the next action, and returns what stays (for {@link
   * #TaskTree(Path, SymlinkPrototypes, Leftover)}). The writable directories go whole: the command
   * could put anything there. The rest of the tree was read-only to the command, so it holds
   * exactly what this tree placed: its directories, files and symlinks stay, for the next layout to
   * claim the ones it shares (a build's consecutive actions share most: the toolchain, the system
   * headers, the project's headers) and remove the others. Mount points go.
   *
   * <p>Why keep them: a new directory is the dearest step of a layout on some filesystems (up to
   * 0.9 ms of kernel time each on the benchmark machine's ext4, about 30 per Lua action), and each
   * kept file saves a link and an unlink (some 260 per Lua action with a shipped toolchain).
   */
  Leftover empty() throws IOException {
    for (String w : writable) {
      TempTrees.delete(host(w));
    }
    Set<String> dirs = new HashSet<>();
    Map<String, ActionSpec.InputFile> files = new HashMap<>();
    Map<String, String> keptLinks = new HashMap<>();
    for (Map.Entry<String, Kind> e : known.entrySet()) {
      String p = e.getKey();
      if (p.equals("/") || e.getValue() == Kind.ABSENT || inWritable(p)) {
        continue;
      }
      if (e.getValue() == Kind.DIRECTORY) {
        dirs.add(p);
      } else if (e.getValue() == Kind.FILE && placed.containsKey(p)) {
        files.put(p, placed.get(p));
      } else if (e.getValue() == Kind.LINK && links.containsKey(p)) {
        keptLinks.put(p, links.get(p));
      } else {
        TempTrees.delete(host(p)); // what will not go fails the reuse
      }
    }
    return new Leftover(dirs, files, keptLinks);
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
    if (inherited.get(r) == Kind.LINK && target.equals(links.get(r))) {
      inherited.remove(r); // the same symlink the last action had here
      return r;
    }
    Kind k = kindForEntry(r);
    if (k == Kind.ABSENT) {
      makeSymlink(host, target);
      known.put(r, Kind.LINK);
      links.put(r, target);
    } else if (k != Kind.LINK || !target.equals(links.get(r))) {
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
    ActionSpec.InputFile left = inheritedFiles.get(r);
    if (inherited.get(r) == Kind.FILE
        && left != null
        && left.digest().equals(input.digest())
        && left.executable() == input.executable()
        && !copyAt.test(r)) {
      inherited.remove(r); // the same content the last action had here, still linked
      return r;
    }
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
    if (inherited.containsKey(r)) {
      evict(r);
    }
    return kind(r);
  }

  /** Removes the unclaimed left entry at {@code r} and everything left below it. */
  private void evict(String r) throws IOException {
    List<String> below = new ArrayList<>();
    for (String p : inherited.keySet()) {
      if (p.equals(r) || p.startsWith(r + "/")) {
        below.add(p);
      }
    }
    removeDeepestFirst(below);
  }

  /** Removes these unclaimed left entries, each below another before it. */
  private void removeDeepestFirst(List<String> entries) throws IOException {
    entries.sort((a, b) -> Integer.compare(b.length(), a.length()));
    for (String p : entries) {
      remove(p);
    }
  }

  /** Removes one unclaimed left entry (its children first) and forgets it. */
  private void remove(String p) throws IOException {
    Kind k = inherited.remove(p);
    if (k == Kind.DIRECTORY) {
      Files.delete(host(p));
    } else if (!host(p).toFile().delete()) {
      Files.delete(host(p)); // the reason it will not go
    }
    known.remove(p);
    made.remove(p);
    inheritedFiles.remove(p);
    links.remove(p);
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
  }

  static BasicFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null;
    }
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
