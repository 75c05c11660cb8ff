package io.hybridgrid.worker.action;

import java.util.Locale;

/**
 * Which compilers this worker runs ({@code hg-worker serve --toolchains}, docs/toolchains.md): only
 * its own installed ones, only toolchains clients ship with their actions, or both.
 */
public enum ToolchainMode {
  /** Its own installed compilers only; an action whose compiler it lacks is refused. */
  OWN(true, false),
  /** Shipped toolchains only, each inside the sandbox; its own compilers are never used. */
  SHIPPED(false, true),
  /** Shipped toolchains when an action carries one, else its own compiler of that identity. */
  BOTH(true, true);

  private final boolean runsOwn;
  private final boolean acceptsShipped;

  ToolchainMode(boolean runsOwn, boolean acceptsShipped) {
    this.runsOwn = runsOwn;
    this.acceptsShipped = acceptsShipped;
  }

  public boolean runsOwn() {
    return runsOwn;
  }

  public boolean acceptsShipped() {
    return acceptsShipped;
  }

  /** The mode named {@code own}, {@code shipped} or {@code both} (any case). */
  public static ToolchainMode parse(String name) {
    String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "own" -> OWN;
      case "shipped" -> SHIPPED;
      case "both" -> BOTH;
      default ->
          throw new IllegalArgumentException(
              "--toolchains must be own, shipped or both, not '" + name + "'");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
