package io.hybridgrid.coord.scheduler;

import java.util.Objects;

/**
 * The toolchain an action ships (docs/toolchains.md): its digest, which names it for routing, and
 * the architecture its programs run on. A worker that accepts shipped toolchains can run it when
 * its own architecture is that one, whatever compilers it has installed.
 *
 * @param digest the toolchain digest the coordinator verified; empty when nothing is shipped
 * @param arch the architecture its programs run on, normalized by {@link MachineArch#normalize}
 */
public record ShippedToolchain(String digest, String arch) {
  /** Nothing shipped: only workers with the compiler installed can run the task. */
  public static final ShippedToolchain NONE = new ShippedToolchain("", "");

  public ShippedToolchain {
    Objects.requireNonNull(digest, "digest");
    arch = MachineArch.normalize(Objects.requireNonNull(arch, "arch"));
  }

  /** Whether an action ships this toolchain. */
  public boolean shipped() {
    return !digest.isEmpty();
  }
}
