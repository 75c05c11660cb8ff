package io.hybridgrid.coord.action;

/**
 * Bounds on one action; anything past one is refused with the bound named.
 *
 * @param maxArgs arguments in argv
 * @param maxStringLength characters of any argument, path, link target or environment entry
 * @param maxEnv environment variables
 * @param maxFiles input files, symlinks and directories together (toolchain files included)
 * @param maxOutputs output paths
 * @param maxInputRootBytes total bytes of the input root (inputs and toolchain files)
 */
public record ActionLimits(
    int maxArgs,
    int maxStringLength,
    int maxEnv,
    int maxFiles,
    int maxOutputs,
    long maxInputRootBytes) {
  /** Default input root bound: 2 GiB. */
  public static final long DEFAULT_MAX_INPUT_ROOT_BYTES = 2L << 30;

  public ActionLimits {
    if (maxArgs < 1
        || maxStringLength < 1
        || maxEnv < 0
        || maxFiles < 1
        || maxOutputs < 1
        || maxInputRootBytes < 1) {
      throw new IllegalArgumentException("action limits must be positive");
    }
  }

  /** The defaults, with the given input root bound ({@code --max-input-root}). */
  public static ActionLimits defaults(long maxInputRootBytes) {
    return new ActionLimits(4096, 16 * 1024, 256, 100_000, 64, maxInputRootBytes);
  }

  public static ActionLimits defaults() {
    return defaults(DEFAULT_MAX_INPUT_ROOT_BYTES);
  }
}
