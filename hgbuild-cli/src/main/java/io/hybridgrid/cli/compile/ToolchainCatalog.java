package io.hybridgrid.cli.compile;

import io.hybridgrid.cli.action.FileDigests;
import io.hybridgrid.cli.action.InputRoot;
import io.hybridgrid.cli.action.ShippedToolchain;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.common.toolchain.ToolchainLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's toolchains, found once per compiler and kept for the daemon's lifetime
 * (docs/toolchains.md): the compiler is asked which files it runs and reads ({@link
 * io.hybridgrid.common.toolchain.ToolchainProbe}) once per driver path and identity (size,
 * modification and change time, inode), so a build does not probe again; the files' digests come
 * from the shared {@link FileDigests} memo (one {@code stat} each on a warm build). A compiler that
 * cannot be probed ships nothing: its compiles go to workers that have it installed. Thread-safe.
 */
public final class ToolchainCatalog {
  /** Finds the layout of one compiler (the real probe runs the compiler and ldd). */
  @FunctionalInterface
  public interface Prober {
    ToolchainLayout probe(Path compiler, String family, String searchPath) throws IOException;
  }

  private record Key(Path compiler, FileHashes.Stamp stamp, String searchPath) {}

  private final Prober prober;
  private final FileHashes stamps;
  private final FileDigests digests;
  private final ConcurrentMap<Path, Known> layouts = new ConcurrentHashMap<>();
  private final AtomicLong probes = new AtomicLong();

  /**
   * How long a described toolchain is reused before its files are checked again. Toolchain files
   * change with package upgrades, which change the driver too (checked on every compile); a file
   * changed on its own in this window is caught by the store, which verifies every blob.
   */
  static final Duration RECHECK = Duration.ofSeconds(2);

  private record Known(Key key, Optional<ToolchainLayout> layout) {}

  private record Described(Key key, ShippedToolchain toolchain, Instant at) {}

  private final Clock clock;
  private final ConcurrentMap<Path, Described> described = new ConcurrentHashMap<>();

  /**
   * @param prober asks a compiler for its files
   * @param stamps reads the compiler's identity
   * @param digests the daemon's memo of file digests
   * @param clock decides when a described toolchain's files are checked again
   */
  public ToolchainCatalog(Prober prober, FileHashes stamps, FileDigests digests, Clock clock) {
    this.prober = prober;
    this.stamps = stamps;
    this.digests = digests;
    this.clock = clock;
  }

  /**
   * The toolchain of {@code compiler} (absolute, as resolved on PATH), or empty when it cannot be
   * probed or one of its files cannot be read now.
   *
   * @param family "gcc" or "clang"
   * @param searchPath the PATH the compile runs with (the driver finds {@code as} on it)
   */
  public Optional<ShippedToolchain> toolchain(Path compiler, String family, String searchPath) {
    Optional<FileHashes.Stamp> stamp = stamps.stamp(compiler);
    if (stamp.isEmpty()) {
      return Optional.empty();
    }
    String path = searchPath == null ? "" : searchPath;
    Key key = new Key(compiler, stamp.get(), path);
    Known known = layouts.get(compiler);
    // A probe runs the compiler a few times; compiles racing here may each probe once, harmless.
    if (known == null || !known.key().equals(key)) {
      Optional<ToolchainLayout> layout;
      try {
        probes.incrementAndGet();
        layout = Optional.of(prober.probe(compiler, family, path));
      } catch (IOException e) {
        layout = Optional.empty();
      }
      known = new Known(key, layout);
      layouts.put(compiler, known);
    }
    if (known.layout().isEmpty()) {
      return Optional.empty();
    }
    // Describing stats every file and digests the list: once per RECHECK, not once per compile.
    Instant now = clock.instant();
    Described d = described.get(compiler);
    if (d != null && d.key().equals(key) && d.at().plus(RECHECK).isAfter(now)) {
      return Optional.of(d.toolchain());
    }
    Optional<ShippedToolchain> fresh = describe(known.layout().get());
    if (fresh.isPresent()) {
      described.put(compiler, new Described(key, fresh.get(), now));
    } else {
      described.remove(compiler);
    }
    return fresh;
  }

  /** How many times a compiler was probed (for tests and statistics). */
  public long probes() {
    return probes.get();
  }

  private Optional<ShippedToolchain> describe(ToolchainLayout layout) {
    List<InputRoot.File> files = new ArrayList<>(layout.files().size());
    for (Path f : layout.files()) {
      Optional<FileDigests.Hashed> h = digests.digest(f);
      if (h.isEmpty()) {
        return Optional.empty();
      }
      files.add(new InputRoot.File(f.toString(), h.get().digest(), h.get().executable()));
    }
    List<InputRoot.Symlink> links = new ArrayList<>(layout.symlinks().size());
    for (Map.Entry<Path, String> l : layout.symlinks().entrySet()) {
      links.add(new InputRoot.Symlink(l.getKey().toString(), l.getValue()));
    }
    return Optional.of(ShippedToolchain.of(layout.hostArch(), files, links));
  }
}
