package io.hybridgrid.coord.action;

import io.hybridgrid.coord.cas.Digest;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The toolchains this coordinator has seen in actions, for the counters that show a toolchain is
 * uploaded once per coordinator (docs/toolchains.md): how many distinct ones, and the bytes of
 * their files that no toolchain seen before had (what shipping each new one cost; the client
 * uploads a blob only when the store lacks it, so these bytes crossed the network once). Bounded:
 * past {@link #MAX_TOOLCHAINS} it starts over, which only makes the counters count a toolchain
 * again. Thread-safe.
 */
public final class ToolchainLedger {
  /** Distinct toolchains remembered. */
  public static final int MAX_TOOLCHAINS = 1024;

  private final Set<String> seen = new LinkedHashSet<>();
  private final Set<Digest> blobs = new HashSet<>();
  private final AtomicLong toolchains = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  /**
   * Records {@code t} (validated, its digest recomputed); a toolchain seen before costs nothing.
   */
  public void record(ActionSpec.Toolchain t) {
    if (t.isEmpty()) {
      return;
    }
    synchronized (this) {
      if (!seen.add(t.digest())) {
        return;
      }
      if (seen.size() > MAX_TOOLCHAINS) {
        seen.clear();
        blobs.clear();
        seen.add(t.digest());
      }
      long fresh = 0;
      for (ActionSpec.InputFile f : t.files()) {
        if (blobs.add(f.digest())) {
          fresh += f.digest().size();
        }
      }
      toolchains.incrementAndGet();
      bytes.addAndGet(fresh);
    }
  }

  /** Distinct toolchains seen. */
  public long toolchains() {
    return toolchains.get();
  }

  /** Bytes of toolchain files new to this coordinator when their toolchain was first seen. */
  public long bytes() {
    return bytes.get();
  }
}
