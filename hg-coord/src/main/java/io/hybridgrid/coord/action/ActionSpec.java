package io.hybridgrid.coord.action;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.cas.Digest;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;

/**
 * An action as the coordinator received it, decoded once from the wire: the client's exact command
 * over its own files (see action.proto). Checked by {@link ActionValidator}; named by {@link
 * ActionDigest}.
 *
 * @param argv the command exactly as the client would run it
 * @param cwd the client's absolute working directory
 * @param env the allow-listed environment
 * @param inputs every file the compile reads
 * @param symlinks symbolic links on the way to inputs
 * @param directories directories that must exist although they hold no input
 * @param outputPaths absolute paths the command writes
 * @param compiler the compiler identity, for routing
 * @param compilerPath the absolute path argv[0] resolved to on the client
 * @param toolchain the client's compiler as files, or {@link Toolchain#NONE}
 */
public record ActionSpec(
    List<String> argv,
    String cwd,
    SortedMap<String, String> env,
    List<InputFile> inputs,
    List<Symlink> symlinks,
    List<String> directories,
    List<String> outputPaths,
    CompilerIdentity compiler,
    String compilerPath,
    Toolchain toolchain) {
  public ActionSpec {
    argv = List.copyOf(argv);
    Objects.requireNonNull(cwd, "cwd");
    env = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(env));
    inputs = List.copyOf(inputs);
    symlinks = List.copyOf(symlinks);
    directories = List.copyOf(directories);
    outputPaths = List.copyOf(outputPaths);
    Objects.requireNonNull(compiler, "compiler");
    Objects.requireNonNull(compilerPath, "compilerPath");
    Objects.requireNonNull(toolchain, "toolchain");
  }

  /**
   * A regular file the compile reads.
   *
   * @param path its absolute path on the client
   * @param digest its content
   * @param executable whether it has the executable bit
   */
  public record InputFile(String path, Digest digest, boolean executable) {
    public InputFile {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(digest, "digest");
    }
  }

  /**
   * A symbolic link, recreated as is.
   *
   * @param path its absolute path
   * @param target what readlink(2) returned
   */
  public record Symlink(String path, String target) {
    public Symlink {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(target, "target");
    }
  }

  /**
   * The client's compiler shipped as files.
   *
   * @param digest the client's digest of the file list (see {@link ActionDigest#toolchain})
   * @param files the compiler's files
   * @param symlinks its links
   * @param hostArch the architecture its programs run on
   */
  public record Toolchain(
      String digest, List<InputFile> files, List<Symlink> symlinks, String hostArch) {
    /** No toolchain: the worker runs its own compiler of the same identity. */
    public static final Toolchain NONE = new Toolchain("", List.of(), List.of(), "");

    public Toolchain {
      Objects.requireNonNull(digest, "digest");
      files = List.copyOf(files);
      symlinks = List.copyOf(symlinks);
      Objects.requireNonNull(hostArch, "hostArch");
    }

    public boolean isEmpty() {
      return files.isEmpty() && symlinks.isEmpty();
    }
  }

  /** Every blob the action needs: inputs and toolchain files, each digest once. */
  public List<Digest> blobs() {
    java.util.LinkedHashSet<Digest> all = new java.util.LinkedHashSet<>();
    for (InputFile f : inputs) {
      all.add(f.digest());
    }
    for (InputFile f : toolchain.files()) {
      all.add(f.digest());
    }
    return List.copyOf(all);
  }
}
