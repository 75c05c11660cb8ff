package io.hybridgrid.common.grpc;

import java.util.Locale;

/**
 * How the coordinator and the workers compress the messages they send one another and clients
 * ({@code compression} in config.toml, {@code --compression}). Clients never compress: their CPU is
 * what a build grid saves.
 *
 * <p>{@link #NONE} is the default. On a wired LAN an object crosses a gigabit link faster than gzip
 * packs it: gzip (the JDK's, default level) packed libzmq's 106 objects, 41 MB, at about 40 MB/s on
 * one core, 4.5x smaller, where 1 Gbit/s carries about 115 MB/s. In a profile of the coordinator
 * during a Lua build with gzip on, deflating took about 7 % of its CPU and the worker's about 5 %,
 * on a machine that also ran the compiles. {@link #GZIP} is for slow links (Wi-Fi, a VPN), where
 * the smaller messages are worth the CPU.
 */
public enum WireCompression {
  NONE("identity"),
  GZIP("gzip");

  private final String encoding;

  WireCompression(String encoding) {
    this.encoding = encoding;
  }

  /** The gRPC message encoding: {@code identity} sends messages as they are. */
  public String encoding() {
    return encoding;
  }

  /** {@code none} or {@code gzip}, any case; anything else names the choices. */
  public static WireCompression parse(String text) {
    String v = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "none" -> NONE;
      case "gzip" -> GZIP;
      default ->
          throw new IllegalArgumentException(
              "compression must be none or gzip, not '" + text + "'");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
