package io.hybridgrid.common.toolchain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Resolves an absolute path the way the kernel does, one component at a time, and records every
 * symbolic link it passes ({@code /lib -> usr/lib}, {@code /usr/bin/gcc -> gcc-12}) so that the
 * same links can be recreated elsewhere and the path resolves there exactly as it does here.
 */
final class SymlinkWalk {
  /** Linux's own bound on links followed while resolving one path. */
  private static final int MAX_LINKS = 40;

  private final Map<Path, String> links;
  private int followed;

  /**
   * @param links where each link passed is recorded, link path to its target as readlink(2) gave it
   */
  SymlinkWalk(Map<Path, String> links) {
    this.links = links;
  }

  /**
   * Resolves {@code path} to the real file it names, recording the links on the way.
   *
   * @throws IOException when a component is missing or links loop
   */
  Path resolve(Path path) throws IOException {
    if (!path.isAbsolute()) {
      throw new IOException("not an absolute path: " + path);
    }
    followed = 0;
    // Not normalised first: `link/../x` goes up from the link's target, as the kernel does.
    return walk(path.getRoot(), path);
  }

  private Path walk(Path resolvedPrefix, Path rest) throws IOException {
    // An absolute rest starts again at its root; its iterator yields the names without the root.
    // (Path.relativize would normalise `link/..` away.)
    Path current = rest.isAbsolute() ? rest.getRoot() : resolvedPrefix;
    for (Path name : rest) {
      if (name.toString().isEmpty()) {
        continue;
      }
      if (name.toString().equals("..")) {
        current = current.getParent() == null ? current : current.getParent();
        continue;
      }
      if (name.toString().equals(".")) {
        continue;
      }
      Path next = current.resolve(name);
      if (Files.isSymbolicLink(next)) {
        if (++followed > MAX_LINKS) {
          throw new IOException("too many levels of symbolic links resolving " + rest);
        }
        String target = Files.readSymbolicLink(next).toString();
        links.put(next, target);
        Path targetPath = Path.of(target);
        current =
            targetPath.isAbsolute()
                ? walk(targetPath.getRoot(), targetPath)
                : walk(current, targetPath);
      } else if (Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
        current = next;
      } else {
        throw new IOException("no such file: " + next);
      }
    }
    return current;
  }
}
