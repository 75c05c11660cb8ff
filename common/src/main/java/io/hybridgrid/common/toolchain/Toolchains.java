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

  /** One toolchain file as the digest sees it. */
  public record FileEntry(String path, String hash, long size, boolean executable) {}

  /** One toolchain link as the digest sees it. */
  public record LinkEntry(String path, String target) {}

  /**
   * The toolchain's identity: SHA-256 (hex) over its host architecture, its files sorted by path
   * with their digests and executable bits, and its links sorted by path. The {@code digest} field
   * itself is not part of it.
   */
  public static String digestOf(Toolchain t) {
    List<FileEntry> files = new ArrayList<>(t.getFilesCount());
    for (InputFile f : t.getFilesList()) {
      files.add(
          new FileEntry(
              f.getPath(),
              f.getDigest().getHash(),
              f.getDigest().getSizeBytes(),
              f.getExecutable()));
    }
    List<LinkEntry> links = new ArrayList<>(t.getSymlinksCount());
    for (InputSymlink l : t.getSymlinksList()) {
      links.add(new LinkEntry(l.getPath(), l.getTarget()));
    }
    return digestOf(t.getHostArch(), files, links);
  }

  /**
   * The same digest from plain values, for the coordinator's and the worker's domain records (which
   * hold no generated types): client, coordinator and worker agree by construction.
   */
  public static String digestOf(String hostArch, List<FileEntry> fileList, List<LinkEntry> links) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    update(sha, "arch", hostArch);
    List<FileEntry> files = new ArrayList<>(fileList);
    files.sort(Comparator.comparing(FileEntry::path));
    for (FileEntry f : files) {
      update(sha, "file", f.path());
      update(sha, f.hash(), Long.toString(f.size()));
      update(sha, "x", f.executable() ? "1" : "0");
    }
    List<LinkEntry> sorted = new ArrayList<>(links);
    sorted.sort(Comparator.comparing(LinkEntry::path));
    for (LinkEntry l : sorted) {
      update(sha, "link", l.path());
      update(sha, "to", l.target());
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
