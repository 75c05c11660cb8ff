package io.hybridgrid.common.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.hybridgrid.proto.v1.Digest;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.InputSymlink;
import io.hybridgrid.proto.v1.Toolchain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolchainsTest {
  private static InputFile file(String path, String hash, long size) {
    return InputFile.newBuilder()
        .setPath(path)
        .setDigest(Digest.newBuilder().setHash(hash).setSizeBytes(size))
        .build();
  }

  private static Toolchain of(InputFile... files) {
    return Toolchain.newBuilder().setHostArch("amd64").addAllFiles(List.of(files)).build();
  }

  @Test
  void theDigestIgnoresOrderButSeesEveryPathContentBitAndLink() {
    InputFile a = file("/usr/bin/gcc-12", "aa", 10);
    InputFile b = file("/usr/lib/gcc/cc1", "bb", 20);
    String base = Toolchains.digestOf(of(a, b));

    assertEquals(base, Toolchains.digestOf(of(b, a)));
    assertNotEquals(base, Toolchains.digestOf(of(a, file("/usr/lib/gcc/cc1", "bc", 20))));
    assertNotEquals(base, Toolchains.digestOf(of(a, file("/usr/lib/gcc/cc1", "bb", 21))));
    assertNotEquals(base, Toolchains.digestOf(of(a, file("/usr/lib/gcc/cc2", "bb", 20))));
    assertNotEquals(base, Toolchains.digestOf(of(a, b.toBuilder().setExecutable(true).build())));
    assertNotEquals(base, Toolchains.digestOf(of(a, b).toBuilder().setHostArch("aarch64").build()));
    assertNotEquals(
        base,
        Toolchains.digestOf(
            of(a, b).toBuilder()
                .addSymlinks(InputSymlink.newBuilder().setPath("/usr/bin/gcc").setTarget("gcc-12"))
                .build()));
    // The digest field itself does not feed the digest.
    assertEquals(base, Toolchains.digestOf(of(a, b).toBuilder().setDigest("anything").build()));
  }

  @Test
  void describeDigestsEachFileAndSetsTheDigestTheCoordinatorRecomputes(@TempDir Path dir)
      throws IOException {
    Path tool = Files.writeString(dir.resolve("tool"), "binary");
    tool.toFile().setExecutable(true);
    Path header = Files.writeString(dir.resolve("x.h"), "int x;");
    TreeMap<Path, String> links = new TreeMap<>();
    links.put(dir.resolve("cc"), "tool");
    ToolchainLayout layout =
        new ToolchainLayout(tool, List.of(tool, header), List.of(tool), links, "amd64");

    Toolchain t =
        Toolchains.describe(
            layout, f -> Digest.newBuilder().setHash(f.getFileName().toString()).build());

    assertEquals(2, t.getFilesCount());
    assertEquals("tool", t.getFiles(0).getDigest().getHash());
    assertEquals(true, t.getFiles(0).getExecutable());
    assertEquals(false, t.getFiles(1).getExecutable());
    assertEquals("tool", t.getSymlinks(0).getTarget());
    assertEquals(Toolchains.digestOf(t), t.getDigest());
  }
}
