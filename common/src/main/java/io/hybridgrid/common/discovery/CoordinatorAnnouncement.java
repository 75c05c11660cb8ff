package io.hybridgrid.common.discovery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What hg-coord announces over mDNS: the service {@value #SERVICE_TYPE} with the TXT keys {@value
 * #TXT_GRPC_PORT}, {@value #TXT_HTTP_PORT} and {@value #TXT_VERSION}.
 *
 * @param grpcPort the gRPC port clients and workers dial
 * @param httpPort the HTTP port (/health, /api/v1/*, dashboard), or 0 when HTTP is off
 * @param version the coordinator's version
 */
public record CoordinatorAnnouncement(int grpcPort, int httpPort, String version) {
  /** The DNS-SD service type hg-coord registers. */
  public static final String SERVICE_TYPE = "_hybridgrid-coord._tcp.local.";

  public static final String TXT_GRPC_PORT = "grpc_port";
  public static final String TXT_HTTP_PORT = "http_port";
  public static final String TXT_VERSION = "version";

  public CoordinatorAnnouncement {
    checkPort(TXT_GRPC_PORT, grpcPort, false);
    checkPort(TXT_HTTP_PORT, httpPort, true);
    Objects.requireNonNull(version, "version");
  }

  /** The TXT record, in a stable order. */
  public Map<String, String> txt() {
    Map<String, String> txt = new LinkedHashMap<>();
    txt.put(TXT_GRPC_PORT, Integer.toString(grpcPort));
    txt.put(TXT_HTTP_PORT, Integer.toString(httpPort));
    txt.put(TXT_VERSION, version);
    return txt;
  }

  /**
   * Reads an announcement from a resolved service: its SRV port and TXT record. A missing {@code
   * grpc_port} falls back to the SRV port (they are the same in what hg-coord announces); a missing
   * {@code http_port} reads as 0 and a missing {@code version} as {@code unknown}.
   *
   * @throws IllegalArgumentException naming the TXT key whose value is not usable
   */
  public static CoordinatorAnnouncement fromTxt(int srvPort, Map<String, String> txt) {
    int grpc =
        txt.containsKey(TXT_GRPC_PORT) ? port(TXT_GRPC_PORT, txt.get(TXT_GRPC_PORT)) : srvPort;
    int http = txt.containsKey(TXT_HTTP_PORT) ? port(TXT_HTTP_PORT, txt.get(TXT_HTTP_PORT)) : 0;
    String version = txt.getOrDefault(TXT_VERSION, "unknown");
    return new CoordinatorAnnouncement(grpc, http, version == null ? "unknown" : version);
  }

  private static int port(String key, String value) {
    try {
      return Integer.parseInt(value == null ? "" : value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("TXT " + key + "='" + value + "' is not a port number", e);
    }
  }

  private static void checkPort(String key, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new IllegalArgumentException(
          "TXT " + key + "=" + port + " is outside " + (zeroAllowed ? "0" : "1") + "-65535");
    }
  }
}
