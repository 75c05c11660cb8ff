package io.hybridgrid.coord.verify;

import io.hybridgrid.common.auth.Identity;
import io.hybridgrid.common.auth.Role;

/** How far the coordinator trusts a worker's results. */
public enum Trust {
  /** A {@code worker} token: results are shared only once another worker reproduced them. */
  UNTRUSTED,
  /** A {@code trusted-worker} (or {@code admin}) token: shared at once, sampled. */
  TRUSTED,
  /**
   * No tokens: anyone may register a worker, so a second opinion proves nothing; results are shared
   * at once and not sampled (as a verifier such a worker counts as trusted).
   */
  OPEN;

  /** The trust the identity that opened a worker session earns. */
  public static Trust of(Identity identity) {
    if (!identity.authenticated()) {
      return OPEN;
    }
    return identity.has(Role.TRUSTED_WORKER) || identity.has(Role.ADMIN) ? TRUSTED : UNTRUSTED;
  }

  /** Whether its result may decide a mismatch on its own. */
  public boolean decides() {
    return this != UNTRUSTED;
  }
}
