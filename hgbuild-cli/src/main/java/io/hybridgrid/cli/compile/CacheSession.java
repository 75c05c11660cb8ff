package io.hybridgrid.cli.compile;

import io.hybridgrid.cli.cache.CacheConfig;
import io.hybridgrid.cli.cache.CachedResult;
import io.hybridgrid.cli.cache.FileHashes;
import io.hybridgrid.cli.cache.Hash128;
import io.hybridgrid.cli.cache.LocalCache;
import io.hybridgrid.cli.cache.Manifest;
import io.hybridgrid.cli.cache.StatsDelta;
import io.hybridgrid.cli.cache.TimeMacros;
import io.hybridgrid.cli.cache.UncacheableReason;
import io.hybridgrid.cli.cache.UnitFacts;
import io.hybridgrid.common.compiler.CompileInvocation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cache's part in one cacheable compile: lookups in direct mode and, after the dependency scan,
 * in depend mode (ccache's names; the counter keeps the name "preprocessed"), the checks that
 * decide whether a result may be stored, and storing it with its manifest entry. Counter changes
 * collect in {@link #delta()}; the flow writes them once at the end.
 */
final class CacheSession {
  private final LocalCache cache;
  private final CacheConfig config;
  private final FileHashes hashes;
  private final FileHashes.Scope scope;
  private final Clock clock;
  private final StatsDelta delta;
  private final CompilerProbes.Probed compiler;
  private final CompileInvocation inv;
  private final Map<String, String> env;
  private final Path cwd;
  private final Instant start;

  private Hash128 directKey;
  private Hash128 resultKey;
  private UnitFacts facts;
  private String timeStamp;
  private boolean storable = true;
  private boolean broken;
  private Throwable failure;

  CacheSession(
      LocalCache cache,
      CacheConfig config,
      FileHashes hashes,
      FileHashes.Scope scope,
      Clock clock,
      StatsDelta delta,
      CompilerProbes.Probed compiler,
      CompileInvocation inv,
      Map<String, String> env,
      Path cwd) {
    this.cache = cache;
    this.config = config;
    this.hashes = hashes;
    this.scope = scope;
    this.clock = clock;
    this.delta = delta;
    this.compiler = compiler;
    this.inv = inv;
    this.env = env;
    this.cwd = cwd;
    this.start = clock.instant();
  }

  StatsDelta delta() {
    return delta;
  }

  /**
   * Direct mode: hashes the source, finds its manifest, and returns the result of the first
   * recorded header set whose files are all unchanged. Never runs the preprocessor.
   */
  Optional<CachedResult> lookupDirect() {
    return guarded(this::lookupDirectUnguarded);
  }

  private Optional<CachedResult> lookupDirectUnguarded() {
    if (!config.direct()) {
      return Optional.empty();
    }
    Optional<FileHashes.Hashed> source = scope.hash(cwd.resolve(inv.source()));
    if (source.isEmpty()) {
      return Optional.empty();
    }
    TimeMacros m = source.get().macros();
    if (m.time() || m.timestamp()) {
      return Optional.empty(); // direct mode is off for this unit
    }
    directKey = CacheKeys.direct(compiler, inv, env, cwd, source.get().hash());
    Optional<Manifest> manifest = cache.getManifest(directKey, delta);
    if (manifest.isEmpty()) {
      return Optional.empty();
    }
    List<Manifest.Entry> entries = manifest.get().entries();
    String today = null;
    for (int i = entries.size() - 1; i >= 0; i--) {
      Manifest.Entry e = entries.get(i);
      if (!e.dateStamp().isEmpty()) {
        if (today == null) {
          today = CacheKeys.timeStamp(env, clock);
        }
        if (!today.equals(e.dateStamp())) {
          continue;
        }
      }
      if (unchanged(e.headers())) {
        Optional<CachedResult> r = cache.getResult(e.result(), delta);
        if (r.isPresent()) {
          return r;
        }
      }
    }
    return Optional.empty();
  }

  private boolean unchanged(List<Manifest.FileHash> headers) {
    for (Manifest.FileHash h : headers) {
      Optional<FileHashes.Hashed> now = scope.hash(Path.of(h.path()));
      if (now.isEmpty()
          || now.get().stamp().size() != h.size()
          || !now.get().hash().equals(h.hash())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Depend mode (after the dependency scan that finds a remote compile's inputs, so no
   * preprocessing of its own): keys the compile on every file the scan named, by path as the
   * compiler spelled it and by content, and looks it up. Returns empty for a miss, or when the
   * compile cannot be cached (then nothing is stored either).
   *
   * @param scanned the files the scan named, the main source first
   */
  Optional<CachedResult> lookupDepend(List<String> scanned) {
    return guarded(() -> lookupDependUnguarded(scanned));
  }

  private Optional<CachedResult> lookupDependUnguarded(List<String> scanned) {
    TimeMacros m = TimeMacros.NONE;
    List<Hash128> contents = new ArrayList<>(scanned.size());
    for (String f : scanned) {
      Optional<FileHashes.Hashed> h = scope.hash(cwd.resolve(f));
      if (h.isEmpty()) {
        uncacheable(UncacheableReason.MODIFIED_DURING_COMPILE);
        return Optional.empty();
      }
      m = m.or(h.get().macros());
      contents.add(h.get().hash());
    }
    facts = new UnitFacts(scanned, m);
    if (m.time() && !CacheKeys.epochSet(env)) {
      uncacheable(UncacheableReason.TIME_MACRO);
      return Optional.empty();
    }
    timeStamp = m.date() || m.time() ? CacheKeys.timeStamp(env, clock) : null;
    String fileTimes = null;
    if (m.timestamp()) {
      // __TIMESTAMP__ is the modification time of the file it is in: key on every file's.
      StringBuilder sb = new StringBuilder();
      for (String f : scanned) {
        Optional<FileHashes.Stamp> st = scope.stamp(cwd.resolve(f));
        if (st.isEmpty()) {
          uncacheable(UncacheableReason.MODIFIED_DURING_COMPILE);
          return Optional.empty();
        }
        sb.append(f).append('=').append(st.get().mtimeNanos()).append('\n');
      }
      fileTimes = sb.toString();
    }
    resultKey = CacheKeys.depend(compiler, inv, env, cwd, scanned, contents, timeStamp, fileTimes);
    Optional<CachedResult> hit = cache.getResult(resultKey, delta);
    if (hit.isEmpty()) {
      delta.increment(StatsDelta.MISSES);
    }
    return hit;
  }

  /** After a depend-mode hit: records the header set so the next lookup is direct. */
  void rememberHeaders() {
    guarded(
        () -> {
          rememberHeadersUnguarded();
          return Optional.empty();
        });
  }

  private void rememberHeadersUnguarded() {
    if (storable && resultKey != null) {
      List<Manifest.FileHash> headers = settledHeaders(false);
      if (headers != null) {
        storeManifest(headers);
      }
    }
  }

  /**
   * Runs one cache step so that a defect in the cache can never fail a build: an unexpected
   * exception turns the cache off for this compile, which then runs as if nothing were cached.
   */
  private Optional<CachedResult> guarded(java.util.function.Supplier<Optional<CachedResult>> step) {
    if (broken) {
      return Optional.empty();
    }
    try {
      return step.get();
    } catch (RuntimeException | LinkageError e) {
      broken = true;
      storable = false;
      failure = e;
      return Optional.empty();
    }
  }

  /** The unexpected failure that turned the cache off for this compile, if any. */
  Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** Counts why this compile is not cached; nothing is stored afterwards. */
  void uncacheable(UncacheableReason reason) {
    if (storable) {
      delta.uncacheable(reason);
      storable = false;
    }
  }

  /**
   * Stores a successful compile under the preprocessed key, and its header set in the manifest,
   * unless a file it read changed since the compile started.
   *
   * @param compiledHere whether the compiler here read the files (a local compile, which may have
   *     read a newer version than the key hashed: each file is checked again), rather than the grid
   *     (which compiled exactly the versions the key hashed, as this compile first saw them)
   */
  void store(CachedResult result, boolean compiledHere) {
    guarded(
        () -> {
          storeUnguarded(result, compiledHere);
          return Optional.empty();
        });
  }

  private void storeUnguarded(CachedResult result, boolean compiledHere) {
    if (!storable || resultKey == null) {
      return;
    }
    Path sourcePath = cwd.resolve(inv.source());
    Optional<FileHashes.Hashed> source =
        compiledHere ? hashes.hash(sourcePath) : scope.hash(sourcePath);
    if (source.isEmpty() || !settled(source.get().stamp())) {
      uncacheable(UncacheableReason.MODIFIED_DURING_COMPILE);
      return;
    }
    List<Manifest.FileHash> headers = settledHeaders(compiledHere);
    if (headers == null) {
      uncacheable(UncacheableReason.MODIFIED_DURING_COMPILE);
      return;
    }
    try {
      cache.putResult(resultKey, result, delta);
    } catch (IOException e) {
      return; // a read-only or full cache never fails the build
    }
    storeManifest(headers);
  }

  /**
   * Every file the compile read but the main source, hashed, or null when one of them changed after
   * the compile started (or cannot be read). Paths are kept as the compiler spelled them (made
   * absolute, not normalised): {@code link/../x.h} is not {@code x.h} when {@code link} is a link.
   */
  private List<Manifest.FileHash> settledHeaders(boolean fresh) {
    Path source = cwd.resolve(inv.source());
    List<Manifest.FileHash> out = new ArrayList<>();
    for (String f : facts.files()) {
      Path p = cwd.resolve(f);
      if (p.equals(source)) {
        continue;
      }
      Optional<FileHashes.Hashed> h = fresh ? hashes.hash(p) : scope.hash(p);
      if (h.isEmpty() || !settled(h.get().stamp())) {
        return null;
      }
      out.add(new Manifest.FileHash(p.toString(), h.get().stamp().size(), h.get().hash()));
    }
    return out;
  }

  /**
   * Whether a file's last change is safely before the compile started. The kernel stamps files from
   * a coarse clock, so a change just after the start can carry a time a tick before it: the margin
   * covers that.
   */
  private boolean settled(FileHashes.Stamp stamp) {
    return stamp.settledAt(start);
  }

  private void storeManifest(List<Manifest.FileHash> headers) {
    TimeMacros m = facts.macros();
    if (directKey == null || m.time() || m.timestamp()) {
      return;
    }
    Manifest.Entry entry = new Manifest.Entry(headers, m.date() ? timeStamp : "", resultKey);
    Manifest manifest =
        cache.getManifest(directKey, delta).orElse(new Manifest(List.of())).with(entry);
    try {
      cache.putManifest(directKey, manifest, delta);
    } catch (IOException e) {
      // direct mode simply misses next time
    }
  }
}
