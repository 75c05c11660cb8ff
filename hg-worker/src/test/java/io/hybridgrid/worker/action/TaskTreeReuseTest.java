package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.worker.cas.BlobDigest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task tree emptied for the next action, and that action's tree laid out over it. */
class TaskTreeReuseTest {
  @TempDir Path tmp;

  private Path blob(String text) throws Exception {
    Path p = tmp.resolve("store").resolve(Integer.toHexString(text.hashCode()));
    Files.createDirectories(p.getParent());
    if (!Files.exists(p)) {
      Files.writeString(p, text);
    }
    return p;
  }

  private ActionSpec.InputFile input(String path, String text) {
    return new ActionSpec.InputFile(
        path, BlobDigest.of(text.getBytes(StandardCharsets.UTF_8)), false);
  }

  private void place(TaskTree t, String path, String text) throws Exception {
    t.file(input(path, text), blob(text), r -> false);
  }

  /** Every path under {@code root}, with a trailing slash for directories and "->" for links. */
  private static Set<String> listing(Path root) throws Exception {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = "/" + root.relativize(p);
        if (Files.isSymbolicLink(p)) {
          out.add(rel + " -> " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(rel.equals("/") ? "/" : rel + "/");
        } else {
          out.add(rel + " = " + Files.readString(p));
        }
      }
    }
    return out;
  }

  private static TaskTree.Leftover none() {
    return TaskTree.Leftover.NONE;
  }

  /** The second action's layout: some of the first's entries, others changed, others new. */
  private void layOutSecond(TaskTree t) throws Exception {
    t.directory("/proc");
    t.directory("/dev");
    t.symlink("/usr/bin/cc", "gcc-12"); // as before
    t.symlink("/usr/bin/c99", "clang"); // another target than before
    t.directory("/work/lib");
    String out = t.resolve("/work/lib/x.o", true, false);
    t.writable().add(out.substring(0, out.lastIndexOf('/')));
    t.writable().add(t.directory("/tmp"));
    place(t, "/usr/include/stdio.h", "int printf(const char *, ...);"); // as before
    place(t, "/usr/include/config.h", "#define NEW 1"); // another content than before
    place(t, "/src/inc/a.h", "int a2;"); // through a real directory where a symlink was
    place(t, "/work/lib/x.c", "#include <stdio.h>");
  }

  @Test
  void aReusedTreeShowsExactlyWhatAFreshOneWould() throws Exception {
    Path rootA = Files.createDirectories(tmp.resolve("a/root"));
    SymlinkPrototypes protos = new SymlinkPrototypes(tmp.resolve("symlinks"));
    TaskTree first = new TaskTree(rootA, protos, none());
    first.directory("/proc");
    first.directory("/dev");
    first.symlink("/usr/bin/cc", "gcc-12");
    first.symlink("/usr/bin/c99", "gcc-12");
    first.symlink("/src/inc", "../other/include");
    place(first, "/other/include/a.h", "int a;");
    place(first, "/usr/include/stdio.h", "int printf(const char *, ...);");
    place(first, "/usr/include/config.h", "#define OLD 1");
    place(first, "/src/deep/er/main.c", "#include \"inc/a.h\"");
    String out = first.resolve("/src/deep/er/main.o", true, false);
    first.writable().add(out.substring(0, out.lastIndexOf('/')));
    first.writable().add(first.directory("/tmp"));
    // What the command leaves in its writable directories.
    Files.writeString(first.host("/src/deep/er/main.o"), "object");
    Files.createDirectories(first.host("/tmp/cc/nested"));
    Files.writeString(first.host("/tmp/cc/nested/junk.s"), "junk");

    TaskTree.Leftover left = first.empty();

    // The writable directories went whole; what the tree placed elsewhere stays.
    assertTrue(left.directories().contains("/src/deep"), left.toString());
    assertFalse(left.directories().contains("/src/deep/er"), "writable: removed whole");
    assertFalse(left.directories().contains("/tmp"), "writable: removed whole");
    assertTrue(left.files().containsKey("/usr/include/stdio.h"), left.toString());
    assertEquals("../other/include", left.links().get("/src/inc"));
    Set<String> onDisk = listing(rootA);
    assertFalse(onDisk.contains("/src/deep/er/"), onDisk.toString());
    assertFalse(onDisk.contains("/tmp/"), onDisk.toString());
    assertEquals(left.size() + 1, onDisk.size(), onDisk.toString()); // + the root

    TaskTree second = new TaskTree(rootA, protos, left);
    layOutSecond(second);
    second.pruneUnused();

    Path rootB = Files.createDirectories(tmp.resolve("b/root"));
    TaskTree fresh = new TaskTree(rootB, protos, none());
    layOutSecond(fresh);
    fresh.pruneUnused();

    assertEquals(listing(rootB), listing(rootA));
    assertTrue(Files.isDirectory(second.host("/src/inc"), LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(second.host("/other"), LinkOption.NOFOLLOW_LINKS));
    assertEquals("clang", Files.readSymbolicLink(second.host("/usr/bin/c99")).toString());
  }

  @Test
  void whereTheLastActionHadADirectoryTheNextCanHaveAFileASymlinkOrAnOutput() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("r/root"));
    TaskTree first = new TaskTree(root, null, none());
    place(first, "/p/sub/deeper/a.h", "int a;");
    place(first, "/q/link/x.h", "int x;");
    place(first, "/o/out.o/y.h", "int y;");
    place(first, "/f", "a file");
    TaskTree.Leftover left = first.empty();
    assertEquals(
        Set.of("/p", "/p/sub", "/p/sub/deeper", "/q", "/q/link", "/o", "/o/out.o"),
        left.directories());

    // On a fresh tree each of these would simply be made; what was left there gives way.
    TaskTree second = new TaskTree(root, null, left);
    second.symlink("/q/link", "../p");
    place(second, "/p/sub", "int sub;");
    assertFalse(second.occupied(second.resolve("/o/out.o", true, false)));
    second.writable().add("/o");
    place(second, "/f/now/a/dir.h", "int d;");
    second.pruneUnused();
    assertEquals(
        Set.of(
            "/",
            "/f/",
            "/f/now/",
            "/f/now/a/",
            "/f/now/a/dir.h = int d;",
            "/o/",
            "/p/",
            "/p/sub = int sub;",
            "/q/",
            "/q/link -> ../p"),
        listing(root));
  }

  @Test
  void aLeftSymlinkIsNeverFollowedForAnActionThatDoesNotHaveIt() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("s/root"));
    TaskTree first = new TaskTree(root, null, none());
    first.symlink("/p/inc", "/elsewhere");
    first.directory("/elsewhere");
    TaskTree.Leftover left = first.empty();

    TaskTree second = new TaskTree(root, null, left);
    String r = second.resolve("/p/inc/a.h", true, false);
    assertEquals("/p/inc/a.h", r, "resolved through a real directory, not the old symlink");
    second.pruneUnused();
    assertTrue(Files.isDirectory(second.host("/p/inc"), LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(second.host("/elsewhere"), LinkOption.NOFOLLOW_LINKS));
  }
}
