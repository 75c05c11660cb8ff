package io.hybridgrid.common.grpc;

/**
 * A {@code host:port} address as users write it ({@code 127.0.0.1:9000}, {@code [::1]:9000}, {@code
 * coord.lan:9000}).
 *
 * @param host host name or IP literal (without brackets)
 * @param port TCP port, 1-65535
 */
public record HostPort(String host, int port) {
  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("address has no host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is outside 1-65535");
    }
  }

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code text}
   */
  public static HostPort parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty address; expected host:port");
    }
    String s = text.strip();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("'" + text + "': write IPv6 addresses as [addr]:port");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': port is not a number", e);
    }
    return new HostPort(host, port);
  }

  /** The gRPC target string. */
  public String target() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  @Override
  public String toString() {
    return target();
  }
}
