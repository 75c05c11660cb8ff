package io.hybridgrid.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The real C projects the end-to-end tests build: from ../shared/workloads when present, else the
 * same release fetched with {@code apt-get source}; empty (and the test skips) when neither works.
 */
final class Workloads {
  private Workloads() {}

  /**
   * Unpacks {@code tarball} (e.g. {@code lua-5.4.4.tar.gz}) into {@code dest}.
   *
   * @param debianSource the Debian source package holding the same release
   * @return the unpacked source tree, or empty with the reason printed
   */
  static Optional<Path> unpack(Path root, String tarball, String debianSource, Path dest)
      throws IOException, InterruptedException {
    Path shared = root.resolveSibling("shared").resolve("workloads").resolve(tarball);
    if (!Files.exists(shared)) {
      shared = root.resolve("../shared/workloads").resolve(tarball).normalize();
    }
    if (Files.exists(shared)) {
      Shell.Result r = Shell.run(dest, "tar xf '" + shared + "'");
      if (r.exitCode() != 0) {
        throw new IOException("cannot unpack " + shared + ": " + r.output());
      }
      return onlyDirectory(dest);
    }
    Shell.Result r = Shell.run(dest, "apt-get source -qq " + debianSource + " 2>&1");
    if (r.exitCode() == 0) {
      return onlyDirectory(dest);
    }
    System.out.println(
        "SKIP: "
            + tarball
            + " not in ../shared/workloads and apt-get source "
            + debianSource
            + " failed: "
            + r.output().strip());
    return Optional.empty();
  }

  private static Optional<Path> onlyDirectory(Path dest) throws IOException {
    try (Stream<Path> s = Files.list(dest)) {
      return s.filter(Files::isDirectory).findFirst();
    }
  }
}
