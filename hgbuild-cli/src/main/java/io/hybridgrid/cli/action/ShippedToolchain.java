package io.hybridgrid.cli.action;

import io.hybridgrid.common.toolchain.Toolchains;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The client's compiler as content-addressed files at their original paths (docs/toolchains.md):
 * what lets a worker without this compiler run the compile in its sandbox.
 *
 * @param digest {@link Toolchains#digestOf} over the arch, files and links (names it for routing)
 * @param hostArch the architecture its programs run on (os.arch)
 * @param files its files with their digests
 * @param symlinks the links on the way to them
 */
public record ShippedToolchain(
    String digest, String hostArch, List<InputRoot.File> files, List<InputRoot.Symlink> symlinks) {
  public ShippedToolchain {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(hostArch, "hostArch");
    files = List.copyOf(files);
    symlinks = List.copyOf(symlinks);
  }

  /** A toolchain of these files and links, its digest computed. */
  public static ShippedToolchain of(
      String hostArch, List<InputRoot.File> files, List<InputRoot.Symlink> symlinks) {
    List<Toolchains.FileEntry> f = new ArrayList<>(files.size());
    for (InputRoot.File i : files) {
      f.add(
          new Toolchains.FileEntry(
              i.path(), i.digest().hash(), i.digest().sizeBytes(), i.executable()));
    }
    List<Toolchains.LinkEntry> l = new ArrayList<>(symlinks.size());
    for (InputRoot.Symlink s : symlinks) {
      l.add(new Toolchains.LinkEntry(s.path(), s.target()));
    }
    return new ShippedToolchain(Toolchains.digestOf(hostArch, f, l), hostArch, files, symlinks);
  }

  /** The sum of the files' sizes. */
  public long totalBytes() {
    long n = 0;
    for (InputRoot.File f : files) {
      n += f.digest().sizeBytes();
    }
    return n;
  }
}
