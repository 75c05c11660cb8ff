package io.hybridgrid.common.toolchain;

import io.hybridgrid.proto.v1.Digest;
import io.hybridgrid.proto.v1.InputFile;
import io.hybridgrid.proto.v1.InputSymlink;
import io.hybridgrid.proto.v1.Toolchain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A toolchain as the wire carries it: files by content digest at their paths, the links on the way,
 * and one digest over all of it that names the toolchain for routing. The client and the
 * coordinator compute that digest with the same function, so the coordinator can check what it was
 * told.
 */
public final class Toolchains {
  private Toolchains() {}

  /** Content digest of one file; the caller memoises. */
  @FunctionalInterface
  public interface FileDigester {
    Digest digest(Path file) throws IOException;
  }

  /** Builds the wire form of {@code layout}, digesting each file with {@code digester}. */
  public static Toolchain describe(ToolchainLayout layout, FileDigester digester)
      throws IOException {
    Toolchain.Builder t = Toolchain.newBuilder().setHostArch(layout.hostArch());
    for (Path f : layout.files()) {
      t.addFiles(
          InputFile.newBuilder()
              .setPath(f.toString())
              .setDigest(digester.digest(f))
              .setExecutable(f.toFile().canExecute()));
    }
    for (Map.Entry<Path, String> link : layout.symlinks().entrySet()) {
      t.addSymlinks(
          InputSymlink.newBuilder().setPath(link.getKey().toString()).setTarget(link.getValue()));
    }
    return t.setDigest(digestOf(t.build())).build();
  }

  /**
   * The toolchain's identity: SHA-256 (hex) over its host architecture, its files sorted by path
   * with their digests and executable bits, and its links sorted by path. The {@code digest} field
   * itself is not part of it.
   */
  public static String digestOf(Toolchain t) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    update(sha, "arch", t.getHostArch());
    List<InputFile> files = new ArrayList<>(t.getFilesList());
    files.sort(Comparator.comparing(InputFile::getPath));
    for (InputFile f : files) {
      update(sha, "file", f.getPath());
      update(sha, f.getDigest().getHash(), Long.toString(f.getDigest().getSizeBytes()));
      update(sha, "x", f.getExecutable() ? "1" : "0");
    }
    List<InputSymlink> links = new ArrayList<>(t.getSymlinksList());
    links.sort(Comparator.comparing(InputSymlink::getPath));
    for (InputSymlink l : links) {
      update(sha, "link", l.getPath());
      update(sha, "to", l.getTarget());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Length-prefixed, so no two different lists encode the same. */
  private static void update(MessageDigest sha, String a, String b) {
    for (String s : new String[] {a, b}) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      sha.update(
          new byte[] {
            (byte) (bytes.length >>> 24),
            (byte) (bytes.length >>> 16),
            (byte) (bytes.length >>> 8),
            (byte) bytes.length
          });
      sha.update(bytes);
    }
  }
}
