package io.hybridgrid.common.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompilerLocatorTest {
  @TempDir Path tmp;

  private Path file(String path, String perms) throws IOException {
    Path p = tmp.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    return p;
  }

  @Test
  void findsTheFirstExecutableFileOnPathSkippingMissingPlainFilesDirectoriesAndWrappers()
      throws IOException {
    file("plain/cc1", "rw-r--r--"); // not executable
    Files.createDirectories(tmp.resolve("dir/cc1")); // a directory of that name
    Path ccache = file("tools/ccache", "rwxr-xr-x");
    Files.createDirectories(tmp.resolve("wrapped"));
    Files.createSymbolicLink(tmp.resolve("wrapped/cc1"), ccache); // a masquerade link
    file("bin/cc1", "rwxr-xr-x");
    file("later/cc1", "rwxr-xr-x");
    String path =
        String.join(
            ":", tmp + "/missing", tmp + "/plain", tmp + "/dir", tmp + "/wrapped", "bin", "later");

    assertEquals(
        Optional.of(tmp.resolve("bin").resolve("cc1")), CompilerLocator.resolve("cc1", path, tmp));
    assertEquals(
        Optional.empty(), CompilerLocator.resolve("cc1", tmp + "/missing:" + tmp + "/dir", tmp));
  }

  @Test
  void aPathNameMustBeAnExecutableFile() throws IOException {
    file("bin/cc1", "rwxr-xr-x");
    file("bin/cc2", "rw-r--r--");
    assertEquals(
        Optional.of(tmp.resolve("bin/cc1")), CompilerLocator.resolve("bin/cc1", null, tmp));
    assertEquals(Optional.empty(), CompilerLocator.resolve("bin/cc2", null, tmp));
    assertEquals(Optional.empty(), CompilerLocator.resolve("bin", null, tmp));
    assertEquals(Optional.empty(), CompilerLocator.resolve("bin/none", null, tmp));
  }
}
