package io.hybridgrid.cli.action;

import java.util.List;

/**
 * Every file a compile reads, at the absolute paths the client's compiler read them, with the
 * symbolic links on the way to them and the directories that must exist although they hold no
 * input. A worker that recreates exactly this tree shows the compiler what the client's compiler
 * saw, so {@code dir/../x.h} and {@code #include_next} resolve the same.
 *
 * @param files regular files, sorted by path
 * @param symlinks links, sorted by path
 * @param directories directories that hold no file or link of the root, sorted
 */
public record InputRoot(List<File> files, List<Symlink> symlinks, List<String> directories) {

  public InputRoot {
    files = List.copyOf(files);
    symlinks = List.copyOf(symlinks);
    directories = List.copyOf(directories);
  }

  /** A regular file the compile reads. */
  public record File(String path, Digest digest, boolean executable) {}

  /** A link, with its target exactly as {@code readlink(2)} returns it. */
  public record Symlink(String path, String target) {}

  /** The sum of the files' sizes. */
  public long totalBytes() {
    long n = 0;
    for (File f : files) {
      n += f.digest().sizeBytes();
    }
    return n;
  }
}
