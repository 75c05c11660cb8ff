package io.hybridgrid.common.toolchain;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The files a compiler needs to compile one source on another machine: its driver, the programs the
 * driver runs for {@code -c} (cc1, cc1plus, as, ...), their shared libraries and dynamic loader,
 * and the compiler's own header directories, each at its real absolute path; plus the symbolic
 * links on the way to them ({@code /usr/bin/gcc -> gcc-12}, {@code /lib -> usr/lib}). Contents are
 * not part of it: a caller digests the files (and memoises that).
 *
 * @param compiler the compiler path as resolved on PATH (may be a link)
 * @param files real files, sorted, no duplicates
 * @param executables the subset of {@code files} that are programs the compile runs
 * @param symlinks link path to its target exactly as readlink(2) returned it, sorted by path
 * @param hostArch the architecture the programs run on, as {@code os.arch} names it
 */
public record ToolchainLayout(
    Path compiler,
    List<Path> files,
    List<Path> executables,
    SortedMap<Path, String> symlinks,
    String hostArch) {
  public ToolchainLayout {
    Objects.requireNonNull(compiler, "compiler");
    files = List.copyOf(files);
    executables = List.copyOf(executables);
    symlinks = Collections.unmodifiableSortedMap(new TreeMap<>(symlinks));
    Objects.requireNonNull(hostArch, "hostArch");
  }

  /** Link path to target, for callers that want a plain map. */
  public Map<Path, String> symlinkMap() {
    return symlinks;
  }
}
