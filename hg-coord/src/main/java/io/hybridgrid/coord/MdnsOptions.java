package io.hybridgrid.coord;

import io.hybridgrid.common.discovery.CoordinatorAnnouncement;
import io.hybridgrid.common.discovery.MdnsAnnouncer;
import io.hybridgrid.common.discovery.MdnsInterface;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code hg-coord serve}'s mDNS options, and starting the announcement they ask for. Announcing is
 * best effort: a host without a usable multicast interface still serves, with a warning.
 */
final class MdnsOptions {
  private static final Logger log = LoggerFactory.getLogger(MdnsOptions.class);

  @Option(
      names = "--no-mdns",
      description = "Do not announce _hybridgrid-coord._tcp.local. over mDNS.")
  boolean noMdns;

  @Option(
      names = "--mdns-interface",
      paramLabel = "ADDR",
      description =
          "Local address to announce on (default: --bind when it is one address, else the first"
              + " IPv4 address of an up, multicast-capable, non-loopback interface).")
  String mdnsInterface;

  /** An announcement to withdraw on shutdown. */
  interface Announcement extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Announces the coordinator unless {@code --no-mdns}.
   *
   * @return what to close on shutdown (does nothing when nothing was announced)
   */
  Announcement announce(String bind, int grpcPort, int httpPort, String version) {
    if (noMdns) {
      log.info("mDNS: off (--no-mdns)");
      return () -> {};
    }
    try {
      String explicit = mdnsInterface;
      if (explicit == null && !InetAddress.getByName(bind).isAnyLocalAddress()) {
        explicit = bind;
      }
      Optional<InetAddress> address = MdnsInterface.choose(explicit);
      if (address.isEmpty()) {
        log.warn("mDNS: no up, multicast-capable interface; not announcing (see --mdns-interface)");
        return () -> {};
      }
      MdnsAnnouncer announcer =
          new MdnsAnnouncer(
              address.get(),
              "hg-coord on " + InetAddress.getLocalHost().getHostName() + " port " + grpcPort,
              new CoordinatorAnnouncement(grpcPort, Math.max(httpPort, 0), version));
      announcer.start();
      return announcer::close;
    } catch (IOException e) {
      log.warn("mDNS: cannot announce: {}", e.toString());
      return () -> {};
    }
  }
}
