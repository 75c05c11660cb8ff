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

  /** The second action's layout: what it needs, nothing of the first. */
  private void layOutSecond(TaskTree t) throws Exception {
    t.directory("/proc");
    t.directory("/dev");
    t.symlink("/usr/bin/cc", "gcc-12");
    t.directory("/work/lib");
    String out = t.resolve("/work/lib/x.o", true, false);
    t.writable().add(out.substring(0, out.lastIndexOf('/')));
    t.writable().add(t.directory("/tmp"));
    place(t, "/usr/include/stdio.h", "int printf(const char *, ...);");
    place(t, "/work/lib/x.c", "#include <stdio.h>");
  }

  @Test
  void aReusedTreeShowsExactlyWhatAFreshOneWould() throws Exception {
    Path rootA = Files.createDirectories(tmp.resolve("a/root"));
    SymlinkPrototypes protos = new SymlinkPrototypes(tmp.resolve("symlinks"));
    TaskTree first = new TaskTree(rootA, protos, Set.of());
    first.directory("/proc");
    first.directory("/dev");
    first.symlink("/usr/bin/cc", "gcc-12");
    first.symlink("/src/inc", "../other/include");
    place(first, "/other/include/a.h", "int a;");
    place(first, "/usr/include/stdio.h", "int printf(const char *, ...);");
    place(first, "/src/deep/er/main.c", "#include \"inc/a.h\"");
    String out = first.resolve("/src/deep/er/main.o", true, false);
    first.writable().add(out.substring(0, out.lastIndexOf('/')));
    first.writable().add(first.directory("/tmp"));
    // What the command leaves in its writable directories.
    Files.writeString(first.host("/src/deep/er/main.o"), "object");
    Files.createDirectories(first.host("/tmp/cc/nested"));
    Files.writeString(first.host("/tmp/cc/nested/junk.s"), "junk");

    Set<String> kept = first.empty();

    // Only directories stay, none in or below a writable one.
    assertTrue(kept.contains("/usr/include"), kept.toString());
    assertTrue(kept.contains("/src/deep"), kept.toString());
    assertFalse(kept.contains("/src/deep/er"), "writable: removed whole");
    assertFalse(kept.contains("/tmp"), "writable: removed whole");
    Set<String> onDisk = listing(rootA);
    for (String p : onDisk) {
      assertTrue(p.endsWith("/"), "only directories are left: " + onDisk);
    }
    assertEquals(kept.size() + 1, onDisk.size(), onDisk.toString()); // + the root

    TaskTree second = new TaskTree(rootA, protos, kept);
    layOutSecond(second);
    second.pruneUnused();

    Path rootB = Files.createDirectories(tmp.resolve("b/root"));
    TaskTree fresh = new TaskTree(rootB, protos, Set.of());
    layOutSecond(fresh);
    fresh.pruneUnused();

    assertEquals(listing(rootB), listing(rootA));
    assertFalse(Files.exists(second.host("/src"), LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(second.host("/other"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(
        "gcc-12", Files.readSymbolicLink(second.host("/usr/bin/cc")).toString(), "linked again");
  }

  @Test
  void whereTheLastActionHadADirectoryTheNextCanHaveAFileASymlinkOrAnOutput() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("r/root"));
    TaskTree first = new TaskTree(root, null, Set.of());
    place(first, "/p/sub/deeper/a.h", "int a;");
    place(first, "/q/link/x.h", "int x;");
    place(first, "/o/out.o/y.h", "int y;");
    Set<String> kept = first.empty();
    assertEquals(Set.of("/p", "/p/sub", "/p/sub/deeper", "/q", "/q/link", "/o", "/o/out.o"), kept);

    // On a fresh tree each of these would simply be made; the emptied directories (and the ones
    // below them) give way.
    TaskTree second = new TaskTree(root, null, kept);
    second.symlink("/q/link", "../p");
    place(second, "/p/sub", "int sub;");
    assertFalse(second.occupied(second.resolve("/o/out.o", true, false)));
    second.writable().add("/o");
    second.pruneUnused();
    assertEquals(
        Set.of("/", "/o/", "/p/", "/p/sub = int sub;", "/q/", "/q/link -> ../p"), listing(root));
  }
}
