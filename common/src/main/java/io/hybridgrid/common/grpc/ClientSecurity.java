package io.hybridgrid.common.grpc;

import io.hybridgrid.common.tls.TlsSettings;

/**
 * How a client or worker talks to hg-coord: the token it presents and the TLS it speaks.
 *
 * @param token the bearer token, or null for none
 * @param tls TLS settings, or null for plain text
 */
public record ClientSecurity(String token, TlsSettings tls) {
  /** Plain text, no token: a coordinator on loopback without tokens. */
  public static final ClientSecurity NONE = new ClientSecurity(null, null);

  /**
   * What to use with a coordinator found by mDNS. Anyone on the LAN can answer mDNS, so the token
   * is sent only over TLS, where the coordinator proves itself against the configured CA before
   * anything is sent.
   */
  public ClientSecurity forDiscovered() {
    return tls == null ? NONE : this;
  }
}
