package io.hybridgrid.common.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempTreesTest {
  @TempDir Path tmp;

  @Test
  void removesATreeButNothingItsSymlinksPointAt() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.h"), "int keep;");
    Path tree = tmp.resolve("task");
    Path deep = Files.createDirectories(tree.resolve("root/usr/include/sys"));
    Files.writeString(deep.resolve("types.h"), "typedef int t;");
    Files.createDirectories(tree.resolve("root/empty/dir"));
    Files.createSymbolicLink(tree.resolve("root/link-to-outside"), outside);
    Files.createSymbolicLink(deep.resolve("dangling"), Path.of("/no/such/file"));
    Files.createLink(tree.resolve("root/hard.h"), outside.resolve("keep.h"));

    TempTrees.delete(tree);

    assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
    assertEquals("int keep;", Files.readString(outside.resolve("keep.h")));
    assertTrue(Files.isDirectory(outside));
  }

  @Test
  void aSingleFileASymlinkAndAnAbsentPathAreFine() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    Path target = Files.writeString(tmp.resolve("target"), "y");
    Path link = Files.createSymbolicLink(tmp.resolve("l"), target);

    TempTrees.delete(file);
    TempTrees.delete(link);
    TempTrees.delete(tmp.resolve("never-made"));

    assertFalse(Files.exists(file));
    assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
    assertEquals("y", Files.readString(target));
  }
}
