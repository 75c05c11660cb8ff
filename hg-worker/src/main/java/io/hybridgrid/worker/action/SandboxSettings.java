package io.hybridgrid.worker.action;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How actions are run on this worker.
 *
 * @param workRoot where task directories are made (on the CAS's filesystem, so inputs hard-link)
 * @param bwrap the bubblewrap executable
 * @param exec {@code hg-sandbox-exec}, which opens bubblewrap's status file, sets the limits and
 *     drops to {@code user} in one exec ({@link SandboxExec}); null: {@code sh}, {@code prlimit}
 *     and {@code setpriv} do it
 * @param user the unprivileged uid:gid commands run as when the worker is root; null when the
 *     worker is not root (commands then run as the worker's own user, in a user namespace)
 * @param timeout the longest one command may run (an assignment may ask for less)
 * @param memoryBytes address-space limit of each process of the command (RLIMIT_AS)
 * @param fileBytes largest file the command may write (RLIMIT_FSIZE)
 * @param maxInputBytes largest input root accepted, in bytes of file content
 * @param maxInputFiles most files (inputs plus toolchain files) accepted
 * @param inlineOutputBytes outputs up to this size travel in the result; larger ones are uploaded
 */
public record SandboxSettings(
    Path workRoot,
    Path bwrap,
    Path exec,
    SandboxUser user,
    Duration timeout,
    long memoryBytes,
    long fileBytes,
    long maxInputBytes,
    int maxInputFiles,
    int inlineOutputBytes) {

  /** 4 MiB: the inline bound of the protocol. */
  public static final int INLINE_OUTPUT_BYTES = 4 * 1024 * 1024;

  public SandboxSettings {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the action timeout must be positive");
    }
    if (memoryBytes <= 0 || fileBytes <= 0 || maxInputBytes <= 0 || maxInputFiles <= 0) {
      throw new IllegalArgumentException(
          "sandbox limits must be positive (memory, file size, input bytes, input files)");
    }
  }

  /**
   * Defaults for a worker with {@code workRoot}: commands as nobody (65534:65534) when root, 600 s,
   * 8 GiB address space, 2 GiB files, inputs up to 4 GiB in 200,000 files; hg-sandbox-exec when it
   * is installed.
   */
  public static SandboxSettings defaults(Path workRoot, boolean root) {
    return new SandboxSettings(
        workRoot,
        Path.of("/usr/bin/bwrap"),
        SandboxExec.locate().orElse(null),
        root ? new SandboxUser(65534, 65534) : null,
        Duration.ofSeconds(600),
        8L << 30,
        2L << 30,
        4L << 30,
        200_000,
        INLINE_OUTPUT_BYTES);
  }

  /**
   * An unprivileged user commands run as.
   *
   * @param uid user id, not 0
   * @param gid group id, not 0
   */
  public record SandboxUser(int uid, int gid) {
    public SandboxUser {
      if (uid <= 0 || gid <= 0) {
        throw new IllegalArgumentException(
            "the sandbox user must not be root (uid and gid above 0), got " + uid + ":" + gid);
      }
    }

    /** Parses {@code UID:GID}. */
    public static SandboxUser parse(String s) {
      String[] f = s.split(":", 2);
      try {
        return new SandboxUser(
            Integer.parseInt(f[0]), Integer.parseInt(f.length > 1 ? f[1] : f[0]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected UID:GID (numbers), got '" + s + "'");
      }
    }
  }
}
