package io.hybridgrid.common.auth;

import java.util.Locale;

/** What a token allows; one role per token. */
public enum Role {
  /** Compile, and read status. */
  CLIENT("client"),
  /** Open a worker session (register) and serve tasks; cannot compile. */
  WORKER("worker"),
  /** A worker whose results are sampled rather than all reproduced before sharing. */
  TRUSTED_WORKER("trusted-worker"),
  /** Everything, including what changes the coordinator's state (drain, purge). */
  ADMIN("admin");

  private final String wireName;

  Role(String wireName) {
    this.wireName = wireName;
  }

  /** The name in token files and messages ({@code trusted-worker}). */
  public String wireName() {
    return wireName;
  }

  /**
   * Parses a role as written in a token file.
   *
   * @throws IllegalArgumentException listing the roles there are
   */
  public static Role parse(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    for (Role r : values()) {
      if (r.wireName.equals(t)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '" + text + "' (roles: client, worker, trusted-worker, admin)");
  }

  @Override
  public String toString() {
    return wireName;
  }
}
