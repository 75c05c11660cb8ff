package io.hybridgrid.cli.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.cli.cache.FileHashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputRootBuilderTest {
  @TempDir Path tmp;

  private Path root;
  private InputRootBuilder builder;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.toRealPath();
    FileHashes hashes = new FileHashes(Clock.systemUTC());
    builder = new InputRootBuilder(new FileDigests(hashes, Clock.systemUTC()), hashes.scope());
  }

  private Path file(String rel, String text) throws Exception {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text);
  }

  private List<String> files(InputRoot r) {
    return r.files().stream().map(InputRoot.File::path).toList();
  }

  @Test
  void aPlainFileIsAnInputWithItsDigestAndItsDirectoriesAreImplied() throws Exception {
    file("src/a.h", "int a;\n");
    builder.addFile(root + "/src/a.h");
    InputRoot r = builder.build();
    assertEquals(List.of(root + "/src/a.h"), files(r));
    assertEquals(Digest.of("int a;\n".getBytes()), r.files().get(0).digest());
    assertEquals(List.of(), r.symlinks());
    assertEquals(List.of(), r.directories(), "src holds an input: no need to list it");
  }

  @Test
  void aSymlinkedIncludeDirectoryIsRecreatedAsALink() throws Exception {
    file("real_inc/h.h", "x\n");
    Files.createSymbolicLink(root.resolve("linkinc"), Path.of("real_inc"));
    builder.addFile(root + "/linkinc/h.h");
    InputRoot r = builder.build();
    assertEquals(List.of(root + "/real_inc/h.h"), files(r));
    assertEquals(List.of(new InputRoot.Symlink(root + "/linkinc", "real_inc")), r.symlinks());
  }

  @Test
  void dotDotAfterALinkGoesToTheParentOfItsTarget() throws Exception {
    Files.createDirectories(root.resolve("deep/xt"));
    Files.createSymbolicLink(root.resolve("x"), Path.of("deep/xt"));
    file("deep/y/plain.h", "right\n");
    file("y/plain.h", "decoy\n");
    builder.addFile(root + "/./x/../y/plain.h");
    InputRoot r = builder.build();
    assertEquals(List.of(root + "/deep/y/plain.h"), files(r));
    assertEquals(List.of(new InputRoot.Symlink(root + "/x", "deep/xt")), r.symlinks());
    assertEquals(List.of(root + "/deep/xt"), r.directories(), "x/.. needs deep/xt to exist, empty");
  }

  @Test
  void chainsOfLinksAndAbsoluteTargetsAreAllRecorded() throws Exception {
    file("c/d/h.h", "x\n");
    Files.createSymbolicLink(root.resolve("b"), root.resolve("c")); // absolute
    Files.createSymbolicLink(root.resolve("a"), Path.of("b/d"));
    builder.addFile(root + "/a/h.h");
    InputRoot r = builder.build();
    assertEquals(List.of(root + "/c/d/h.h"), files(r));
    assertEquals(
        List.of(
            new InputRoot.Symlink(root + "/a", "b/d"),
            new InputRoot.Symlink(root + "/b", root + "/c")),
        r.symlinks());
  }

  @Test
  void directoriesThatHoldNoInputAreListedMissingOnesAreNot() throws Exception {
    Files.createDirectories(root.resolve("inc/empty"));
    Files.createDirectories(root.resolve("obj"));
    file("src/a.c", "int a;\n");
    builder.addFile(root + "/src/a.c");
    builder.addDirectory(root + "/inc/empty");
    builder.addDirectory(root + "/obj");
    builder.addDirectory(root + "/src");
    builder.addDirectory(root + "/no/such/dir");
    InputRoot r = builder.build();
    assertEquals(List.of(root + "/inc/empty", root + "/obj"), r.directories());
  }

  @Test
  void aMissingInputNamesItsPath() {
    MissingInputException e =
        assertThrows(MissingInputException.class, () -> builder.addFile(root + "/gone.h"));
    assertEquals(root + "/gone.h", e.path());
    assertTrue(e.getMessage().startsWith(root + "/gone.h: no such file"), e.getMessage());
  }

  @Test
  void aFileUsedAsADirectoryAndALinkLoopAreMissingInputs() throws Exception {
    file("f", "x\n");
    assertThrows(MissingInputException.class, () -> builder.addFile(root + "/f/h.h"));
    Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
    assertThrows(MissingInputException.class, () -> builder.addFile(root + "/loop/h.h"));
  }

  @Test
  void theExecutableBitIsKept() throws Exception {
    Path p = file("tool.sh", "#!/bin/sh\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    file("plain.h", "x\n");
    builder.addFile(p.toString());
    builder.addFile(root + "/plain.h");
    InputRoot r = builder.build();
    assertEquals(List.of(root + "/plain.h", root + "/tool.sh"), files(r));
    assertEquals(List.of(false, true), r.files().stream().map(InputRoot.File::executable).toList());
  }

  @Test
  void theSameFileByTwoNamesIsOneInput() throws Exception {
    file("src/once.h", "x\n");
    builder.addFile(root + "/src/once.h");
    builder.addFile(root + "/src/lib/../once.h".replace("/lib/..", "/./"));
    assertEquals(1, builder.build().files().size());
  }
}
