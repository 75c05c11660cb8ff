package io.hybridgrid.worker.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SymlinkPrototypesTest {
  @TempDir Path tmp;

  private static Object inode(Path p) throws Exception {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void treesLinkOneSharedSymlinkPerTargetAndSeeTheClientsTarget() throws Exception {
    SymlinkPrototypes protos = new SymlinkPrototypes(tmp.resolve("symlinks"));
    TaskTree a = new TaskTree(Files.createDirectories(tmp.resolve("a/root")), protos);
    TaskTree b = new TaskTree(Files.createDirectories(tmp.resolve("b/root")), protos);

    String ra = a.symlink("/usr/bin/gcc", "gcc-12");
    String rb = b.symlink("/usr/bin/gcc", "gcc-12");
    b.symlink("/usr/lib/libfoo.so", "/usr/lib/x86_64-linux-gnu/libfoo.so.1");

    Path ha = a.host(ra);
    Path hb = b.host(rb);
    assertEquals("gcc-12", Files.readSymbolicLink(ha).toString());
    assertEquals(inode(ha), inode(hb), "one inode, hard-linked into both trees");
    assertEquals(inode(ha), inode(protos.prototype("gcc-12")));
    assertEquals(
        "rwx--x--x",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(protos.dir())),
        "other users may not list the targets");
    assertEquals(
        "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
        Files.readSymbolicLink(b.host("/usr/lib/libfoo.so")).toString());
    // Removing a tree's name for it leaves the prototype and the other tree alone.
    Files.delete(ha);
    assertEquals("gcc-12", Files.readSymbolicLink(hb).toString());
  }

  @Test
  void whateverElseLiesAtAPrototypesNameIsReplacedNotTrusted() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("symlinks"));
    SymlinkPrototypes first = new SymlinkPrototypes(dir);
    Path name = first.prototype("stdio.h");
    // Something else puts a different symlink, then a file, at that name before a restart.
    Files.delete(name);
    Files.createSymbolicLink(name, Path.of("/etc/shadow"));
    SymlinkPrototypes second = new SymlinkPrototypes(dir);
    assertEquals(name, second.prototype("stdio.h"));
    assertEquals("stdio.h", Files.readSymbolicLink(name).toString());
    Files.delete(name);
    Files.writeString(name, "not a symlink");
    SymlinkPrototypes third = new SymlinkPrototypes(dir);
    assertEquals("stdio.h", Files.readSymbolicLink(third.prototype("stdio.h")).toString());
  }

  @Test
  void withoutAUsableDirectoryTreesMakePlainSymlinks() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    SymlinkPrototypes broken = new SymlinkPrototypes(file.resolve("symlinks"));
    assertNull(broken.prototype("gcc-12"));
    TaskTree t = new TaskTree(Files.createDirectories(tmp.resolve("t/root")), broken);
    String r = t.symlink("/usr/bin/cc", "gcc-12");
    assertTrue(Files.isSymbolicLink(t.host(r)));
    assertEquals("gcc-12", Files.readSymbolicLink(t.host(r)).toString());
  }
}
