package io.hybridgrid.common.compiler;

import java.util.Objects;

/**
 * What makes two compilers interchangeable for a compile: family, exact version string, target
 * triple, and whether it is the C++ driver ({@code g++} compiles a {@code .c} file as C++).
 *
 * @param family "gcc" or "clang"
 * @param version the version as the compiler reports it, e.g. {@code 12.2.0 (Debian 12.2.0-14)}
 * @param target the target triple, e.g. {@code x86_64-linux-gnu}
 * @param cxxDriver whether this is the C++ driver
 */
public record CompilerIdentity(String family, String version, String target, boolean cxxDriver) {
  public CompilerIdentity {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(target, "target");
    if (!family.equals("gcc") && !family.equals("clang")) {
      throw new IllegalArgumentException(
          "compiler family must be gcc or clang, not '" + family + "'");
    }
  }

  /** A short human-readable form, e.g. {@code gcc 12.2.0 x86_64-linux-gnu}. */
  public String describe() {
    String shortVersion =
        version.contains(" ") ? version.substring(0, version.indexOf(' ')) : version;
    return (cxxDriver ? family + "/c++" : family) + " " + shortVersion + " " + target;
  }
}
