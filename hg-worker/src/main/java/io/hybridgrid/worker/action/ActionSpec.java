package io.hybridgrid.worker.action;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.toolchain.Toolchains;
import io.hybridgrid.worker.cas.BlobDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One action as the worker runs it: the client's exact command, its working directory, an
 * allow-listed environment and the input root (every file the command reads, at the absolute path
 * the client's compiler read it). The session translates the wire message into this record; {@link
 * ActionExecutor} checks it (see {@link ActionChecks}) before running anything.
 *
 * @param argv the command exactly as the client runs it
 * @param cwd the client's absolute working directory
 * @param env the environment, nothing else is set
 * @param inputs regular files of the input root
 * @param symlinks symbolic links of the input root, recreated as they are
 * @param directories directories that must exist although they hold no input
 * @param outputPaths absolute paths the command writes; only these come back
 * @param compiler the compiler identity, to pick this worker's own compiler
 * @param compilerPath where argv[0] resolved to on the client
 * @param toolchain the client's compiler as files (empty: use this worker's own compiler)
 */
public record ActionSpec(
    List<String> argv,
    String cwd,
    Map<String, String> env,
    List<InputFile> inputs,
    List<Symlink> symlinks,
    List<String> directories,
    List<String> outputPaths,
    CompilerIdentity compiler,
    String compilerPath,
    Toolchain toolchain) {

  public ActionSpec {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    inputs = List.copyOf(inputs);
    symlinks = List.copyOf(symlinks);
    directories = List.copyOf(directories);
    outputPaths = List.copyOf(outputPaths);
  }

  /**
   * A regular file of the input root.
   *
   * @param path absolute path
   * @param digest its content
   * @param executable whether it is made executable
   */
  public record InputFile(String path, BlobDigest digest, boolean executable) {}

  /**
   * A symbolic link of the input root.
   *
   * @param path absolute path of the link
   * @param target the link's text as readlink(2) gave it
   */
  public record Symlink(String path, String target) {}

  /** This action with no toolchain: the worker runs its own compiler of the same identity. */
  public ActionSpec withoutToolchain() {
    return new ActionSpec(
        argv,
        cwd,
        env,
        inputs,
        symlinks,
        directories,
        outputPaths,
        compiler,
        compilerPath,
        Toolchain.NONE);
  }

  /**
   * The client's compiler as files (toolchain shipping); empty lists mean "use your own".
   *
   * @param files the toolchain's files at their original absolute paths
   * @param symlinks its symbolic links
   * @param hostArch the architecture its programs run on (os.arch), empty when unknown
   */
  public record Toolchain(List<InputFile> files, List<Symlink> symlinks, String hostArch) {
    public static final Toolchain NONE = new Toolchain(List.of(), List.of(), "");

    public Toolchain {
      files = List.copyOf(files);
      symlinks = List.copyOf(symlinks);
    }

    public boolean shipped() {
      return !files.isEmpty();
    }

    /**
     * The toolchain's identity, computed here from its files and links with the function the client
     * and the coordinator use ({@link Toolchains#digestOf}): nothing taken on trust.
     */
    public String digest() {
      List<Toolchains.FileEntry> f = new ArrayList<>(files.size());
      for (InputFile i : files) {
        f.add(
            new Toolchains.FileEntry(
                i.path(), i.digest().hash(), i.digest().size(), i.executable()));
      }
      List<Toolchains.LinkEntry> l = new ArrayList<>(symlinks.size());
      for (Symlink s : symlinks) {
        l.add(new Toolchains.LinkEntry(s.path(), s.target()));
      }
      return Toolchains.digestOf(hostArch, f, l);
    }
  }
}
