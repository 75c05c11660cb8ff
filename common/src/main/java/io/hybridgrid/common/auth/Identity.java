package io.hybridgrid.common.auth;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling: the name of the token they presented (or their client certificate's CN) and the
 * roles it grants.
 *
 * @param name the token's name, the certificate's CN, or {@code anonymous} when tokens are off
 * @param roles what it may do
 * @param authenticated whether a token or certificate proved the name; false when tokens are off
 */
public record Identity(String name, Set<Role> roles, boolean authenticated) {
  public Identity {
    Objects.requireNonNull(name, "name");
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
  }

  /** Everyone, when the coordinator runs without tokens (loopback, or --insecure). */
  public static Identity open() {
    return new Identity("anonymous", EnumSet.allOf(Role.class), false);
  }

  /** A token holder. */
  public static Identity of(String name, Role role) {
    return new Identity(name, EnumSet.of(role), true);
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  /** The most trusted worker role it holds; {@code TRUSTED_WORKER} for admins and open mode. */
  public boolean trustedWorker() {
    return has(Role.TRUSTED_WORKER) || has(Role.ADMIN);
  }
}
