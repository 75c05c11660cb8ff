package io.hybridgrid.cli.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where a daemon listens and keeps its files. The native launcher computes the same paths
 * (hgbuild.c, {@code socket_path} and {@code sibling}): keep them in step.
 *
 * @param socket the Unix socket
 * @param pidFile holds the daemon's pid; the running daemon holds a lock on it
 * @param lockFile the launchers' start lock ({@code flock}), which records who started a daemon
 * @param logFile where a daemon started by the launcher writes its output
 */
public record DaemonPaths(Path socket, Path pidFile, Path lockFile, Path logFile) {

  /** The longest socket path the kernel accepts ({@code sun_path} is 108 bytes with its NUL). */
  public static final int MAX_SOCKET_PATH_BYTES = 107;

  public DaemonPaths {
    if (!socket.isAbsolute()) {
      throw new IllegalArgumentException("socket path " + socket + " is not absolute");
    }
    int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      throw new IllegalArgumentException(
          "socket path "
              + socket
              + " is "
              + bytes
              + " bytes long; a Unix socket path holds at most "
              + MAX_SOCKET_PATH_BYTES
              + " (set HG_DAEMON_SOCKET to a shorter path)");
    }
  }

  /** The paths for {@code socket}: {@code daemon.sock} gives daemon.pid, .lock and .log. */
  public static DaemonPaths of(Path socket) {
    Path abs = socket.toAbsolutePath().normalize();
    String name = abs.getFileName().toString();
    String base =
        name.endsWith(".sock") && name.length() > 5 ? name.substring(0, name.length() - 5) : name;
    return new DaemonPaths(
        abs,
        abs.resolveSibling(base + ".pid"),
        abs.resolveSibling(base + ".lock"),
        abs.resolveSibling(base + ".log"));
  }

  /**
   * The socket of this user's daemon: {@code flag}, else {@code HG_DAEMON_SOCKET}, else {@code
   * $XDG_RUNTIME_DIR/hybridgrid/daemon.sock}, else {@code /tmp/hybridgrid-<uid>/daemon.sock}.
   */
  public static DaemonPaths resolve(String flag, Map<String, String> env, long uid) {
    String explicit = flag != null && !flag.isBlank() ? flag : env.get("HG_DAEMON_SOCKET");
    if (explicit != null && !explicit.isBlank()) {
      return of(Path.of(explicit));
    }
    String xdg = env.get("XDG_RUNTIME_DIR");
    if (xdg != null && xdg.startsWith("/")) {
      return of(Path.of(xdg, "hybridgrid", "daemon.sock"));
    }
    return of(Path.of("/tmp", "hybridgrid-" + uid, "daemon.sock"));
  }

  /** This process's user id. */
  public static long currentUid() throws IOException {
    return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
  }

  /**
   * Creates the socket's directory (mode 0700) when missing and checks that it belongs to this user
   * and nobody else can enter it.
   *
   * @throws IOException naming the directory and what is wrong with it
   */
  public void prepareDirectory() throws IOException {
    Path dir = socket.getParent();
    try {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // checked below
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a directory");
    }
    long owner = ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    boolean open =
        perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
    long uid = currentUid();
    if (owner != uid || open) {
      throw new IOException(
          dir
              + " must be owned by uid "
              + uid
              + " with mode 0700 (it is uid "
              + owner
              + ", mode "
              + PosixFilePermissions.toString(perms)
              + ")");
    }
  }

  /** Whether the socket file exists (a live or a stale daemon). */
  boolean socketExists() {
    return Files.exists(socket, LinkOption.NOFOLLOW_LINKS);
  }
}
