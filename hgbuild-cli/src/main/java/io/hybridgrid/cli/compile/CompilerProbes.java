package io.hybridgrid.cli.compile;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.common.compiler.CompilerProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Remembers what each compiler binary is, so {@code <compiler> -v} runs once per binary per process
 * rather than once per compile. A binary that is replaced (new size or modification time) is probed
 * again. Thread-safe.
 */
public final class CompilerProbes {

  /**
   * A probed compiler.
   *
   * @param path the executable as resolved on PATH (its name tells g++ from gcc)
   * @param realPath the file it resolves to through symlinks
   * @param size the real file's size
   * @param mtimeNanos the real file's modification time
   * @param identity family, version, target triple
   */
  public record Probed(
      Path path, Path realPath, long size, long mtimeNanos, CompilerIdentity identity) {}

  private record Key(Path path, Path realPath, long size, long mtimeNanos) {}

  private final Function<Path, Optional<CompilerIdentity>> probe;
  private final ConcurrentMap<Key, Optional<CompilerIdentity>> memo = new ConcurrentHashMap<>();

  /** Probes with {@link CompilerProbe#probe}. */
  public CompilerProbes() {
    this(CompilerProbe::probe);
  }

  /** Probes with {@code probe} (tests count the calls). */
  public CompilerProbes(Function<Path, Optional<CompilerIdentity>> probe) {
    this.probe = probe;
  }

  /** What {@code executable} is, or empty when it is not gcc or clang (or cannot be read). */
  public Optional<Probed> probe(Path executable) {
    Key key;
    try {
      Path real = executable.toRealPath();
      BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
      key =
          new Key(
              executable,
              real,
              a.size(),
              a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
    } catch (IOException e) {
      return Optional.empty();
    }
    Optional<CompilerIdentity> identity = memo.computeIfAbsent(key, k -> probe.apply(k.path()));
    return identity.map(
        id -> new Probed(key.path(), key.realPath(), key.size(), key.mtimeNanos(), id));
  }
}
