package io.hybridgrid.coord.scheduler;

import java.util.Locale;

/**
 * One spelling per CPU architecture, so a worker's {@code os.arch} ("amd64") compares equal to the
 * first part of a target triple ("x86_64").
 */
public final class MachineArch {
  private MachineArch() {}

  /** The canonical name of {@code arch}: x86_64, x86, aarch64, arm, ppc64le …; else lower case. */
  public static String normalize(String arch) {
    String a = arch.toLowerCase(Locale.ROOT);
    return switch (a) {
      case "amd64", "x86_64", "x64" -> "x86_64";
      case "x86", "i386", "i486", "i586", "i686" -> "x86";
      case "aarch64", "arm64" -> "aarch64";
      case "ppc64le", "powerpc64le" -> "ppc64le";
      default -> a.startsWith("arm") ? "arm" : a;
    };
  }
}
