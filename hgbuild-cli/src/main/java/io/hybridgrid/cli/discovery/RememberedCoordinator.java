package io.hybridgrid.cli.discovery;

import io.hybridgrid.common.fs.AtomicFiles;
import io.hybridgrid.common.grpc.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last mDNS answer, kept in a small text file ({@code ~/.hybridgrid/coordinator}) so that
 * compiles use it without looking again:
 *
 * <pre>
 * address=10.0.0.5:9000      (empty when the last lookup found none)
 * instance=hg-coord on build1 port 9000
 * checked_at=2025-01-01T12:00:00Z
 * </pre>
 *
 * Written atomically (temp file and rename), so concurrent compiles never read half a file. A file
 * that cannot be read or parsed counts as absent; failing to write is logged, never fatal.
 */
public final class RememberedCoordinator {
  private static final Logger log = LoggerFactory.getLogger(RememberedCoordinator.class);

  /**
   * One remembered answer.
   *
   * @param address the coordinator found, or empty when the lookup found none
   * @param instance its mDNS instance name (empty when none)
   * @param checkedAt when the lookup that gave this answer started
   */
  public record Answer(Optional<HostPort> address, String instance, Instant checkedAt) {}

  private final Path file;

  public RememberedCoordinator(Path file) {
    this.file = file;
  }

  /** {@code $HOME/.hybridgrid/coordinator}, HOME from {@code env} (else the JVM's user.home). */
  public static RememberedCoordinator inHome(Map<String, String> env) {
    String home = env.get("HOME");
    if (home == null || home.isBlank()) {
      home = System.getProperty("user.home");
    }
    return new RememberedCoordinator(Path.of(home, ".hybridgrid", "coordinator"));
  }

  public Path file() {
    return file;
  }

  /** The remembered answer, or empty when there is none (or it is unreadable). */
  public Optional<Answer> read() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      log.debug("cannot read {}: {}", file, e.toString());
      return Optional.empty();
    }
    Map<String, String> kv = new HashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        kv.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    try {
      String address = kv.getOrDefault("address", "");
      return Optional.of(
          new Answer(
              address.isEmpty() ? Optional.empty() : Optional.of(HostPort.parse(address)),
              kv.getOrDefault("instance", ""),
              Instant.parse(kv.getOrDefault("checked_at", ""))));
    } catch (IllegalArgumentException | DateTimeException e) {
      log.debug("ignoring unparsable {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /** Replaces the remembered answer; returns false (logged) when it could not be written. */
  public boolean write(Answer answer) {
    String text =
        "address="
            + answer.address().map(HostPort::target).orElse("")
            + "\ninstance="
            + answer.instance().replace('\n', ' ')
            + "\nchecked_at="
            + answer.checkedAt()
            + "\n";
    try {
      Files.createDirectories(file.getParent());
      // Compiles (or daemon threads) may write at the same moment: each writes its own sibling.
      AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8), false);
      return true;
    } catch (IOException e) {
      log.debug("cannot write {}: {}", file, e.toString());
      return false;
    }
  }
}
