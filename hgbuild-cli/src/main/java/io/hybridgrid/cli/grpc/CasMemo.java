package io.hybridgrid.cli.grpc;

import io.hybridgrid.cli.action.Digest;
import io.hybridgrid.cli.action.ShippedToolchain;
import io.hybridgrid.proto.v1.Toolchain;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the daemon remembers about talking to its coordinator: the digests one coordinator's store
 * is known to hold, for the daemon's lifetime, so a warm build asks nothing before its compiles.
 * Trust is cheap to lose: the memo is cleared when the coordinator answers that it lacks a blob (it
 * restarted, or evicted) and when the connection fails, and it forgets everything when it grows
 * past {@code maxEntries}. A wrong entry costs one retried compile, never a wrong result: the
 * coordinator checks every input of every action. Thread-safe.
 */
public final class CasMemo {
  /** About 20 MB of digests: the headers of several large projects. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  private final int maxEntries;
  private final ConcurrentHashMap<String, Toolchain> toolchains = new ConcurrentHashMap<>();
  private final Set<Digest> known = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<Digest, CompletableFuture<Void>> uploading =
      new ConcurrentHashMap<>();

  /**
   * @param maxEntries how many digests to remember before starting over
   */
  public CasMemo(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1, not " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  /**
   * The message of a toolchain, built once per daemon: its 150-odd files go with every action, and
   * building them anew per compile showed in the daemon's profile.
   */
  public Toolchain wireToolchain(ShippedToolchain toolchain) {
    Toolchain known = toolchains.get(toolchain.digest());
    if (known != null) {
      return known;
    }
    if (toolchains.size() >= 64) {
      toolchains.clear();
    }
    Toolchain built = GrpcRemoteCompiler.toolchainToWire(toolchain);
    toolchains.put(toolchain.digest(), built);
    return built;
  }

  /** Whether the store is believed to hold {@code digest}. */
  public boolean known(Digest digest) {
    return known.contains(digest);
  }

  /** Records that the store holds {@code digest}. */
  public void add(Digest digest) {
    if (known.size() >= maxEntries) {
      known.clear();
    }
    known.add(digest);
  }

  /**
   * Claims the upload of {@code digest} for {@code mine}, so that compiles running at once upload a
   * new blob (a header they all include) once between them.
   *
   * @return null when the caller uploads it, else the other caller's upload to wait for
   */
  public CompletableFuture<Void> claim(Digest digest, CompletableFuture<Void> mine) {
    return uploading.putIfAbsent(digest, mine);
  }

  /** Ends the uploads {@code mine} claimed; waiters upload themselves when it failed. */
  public void release(Iterable<Digest> digests, CompletableFuture<Void> mine, boolean stored) {
    for (Digest d : digests) {
      uploading.remove(d, mine);
    }
    if (stored) {
      mine.complete(null);
    } else {
      mine.completeExceptionally(new IllegalStateException("upload failed"));
    }
  }

  /** Forgets everything (the store may have lost blobs). */
  public void clear() {
    known.clear();
  }

  /** How many digests are remembered. */
  public int size() {
    return known.size();
  }
}
