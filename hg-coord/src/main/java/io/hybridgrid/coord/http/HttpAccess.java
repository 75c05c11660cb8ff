package io.hybridgrid.coord.http;

import io.hybridgrid.common.auth.Identity;
import io.hybridgrid.common.auth.Role;
import io.hybridgrid.common.auth.TokenStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

/**
 * Who may use the HTTP port. Reads ({@code GET}, {@code HEAD}) are open from loopback; from
 * elsewhere they need a token of any role ({@code Authorization: Bearer TOKEN}) when the
 * coordinator has tokens. Anything else changes state and needs an {@code admin} token; without
 * tokens it is allowed from loopback only. Wraps any route, so new handlers (metrics, admin calls)
 * get the same rule.
 */
public final class HttpAccess {
  private final TokenStore tokens;

  /**
   * @param tokens accepted tokens, or null when the coordinator runs without
   */
  public HttpAccess(TokenStore tokens) {
    this.tokens = tokens;
  }

  /** Everyone may read; writes from loopback only. */
  public static HttpAccess open() {
    return new HttpAccess(null);
  }

  /**
   * The refusal for a request, or empty when it may proceed.
   *
   * @param method the HTTP method
   * @param remote the peer's address
   * @param authorization the {@code Authorization} header, or null
   */
  public Optional<HttpApi.Response> check(
      String method, SocketAddress remote, String authorization) {
    boolean read = method.equals("GET") || method.equals("HEAD");
    boolean loopback = isLoopback(remote);
    if (tokens == null) {
      if (read || loopback) {
        return Optional.empty();
      }
      return Optional.of(
          HttpApi.Response.text(
              403,
              "changes are accepted from loopback only while hg-coord runs without --tokens\n"));
    }
    if (read && loopback) {
      return Optional.empty();
    }
    Optional<Identity> who = Optional.empty();
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      who = tokens.authenticate(authorization.substring(7).strip());
    }
    if (who.isEmpty()) {
      return Optional.of(
          HttpApi.Response.text(
              401,
              authorization == null
                  ? "this needs a token: send 'Authorization: Bearer TOKEN'\n"
                  : "the coordinator does not accept this token\n"));
    }
    if (!read && !who.get().has(Role.ADMIN)) {
      return Optional.of(
          HttpApi.Response.text(
              403, "'" + who.get().name() + "' may not change state; that needs an admin token\n"));
    }
    return Optional.empty();
  }

  private static boolean isLoopback(SocketAddress remote) {
    if (remote instanceof InetSocketAddress a) {
      InetAddress addr = a.getAddress();
      return addr != null && addr.isLoopbackAddress();
    }
    return false;
  }
}
