package io.hybridgrid.common.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Objects;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces a coordinator as {@value CoordinatorAnnouncement#SERVICE_TYPE} on one interface until
 * closed. {@link #start()} returns once JmDNS has probed for and registered the name (about a
 * second); {@link #close()} sends the goodbye so browsers drop the entry at once.
 */
public final class MdnsAnnouncer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MdnsAnnouncer.class);

  private final InetAddress bindAddress;
  private final String instanceName;
  private final CoordinatorAnnouncement announcement;
  private JmDNS jmdns;

  /**
   * @param bindAddress the interface address to announce on (and the address announced)
   * @param instanceName the service instance name, e.g. {@code hg-coord on build1}; JmDNS adds a
   *     suffix when another instance already uses it
   * @param announcement ports and version for the TXT record
   */
  public MdnsAnnouncer(
      InetAddress bindAddress, String instanceName, CoordinatorAnnouncement announcement) {
    this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
    this.instanceName = Objects.requireNonNull(instanceName, "instanceName");
    this.announcement = Objects.requireNonNull(announcement, "announcement");
  }

  /** Registers the service; returns the instance name actually used. */
  public synchronized String start() throws IOException {
    if (jmdns != null) {
      throw new IllegalStateException("already started");
    }
    JmDNS j = JmDNS.create(bindAddress, hostLabel(bindAddress));
    try {
      ServiceInfo info =
          ServiceInfo.create(
              CoordinatorAnnouncement.SERVICE_TYPE,
              instanceName,
              announcement.grpcPort(),
              0,
              0,
              announcement.txt());
      j.registerService(info);
      jmdns = j;
      log.info(
          "mDNS: announcing '{}' {} on {} (TXT {})",
          info.getName(),
          CoordinatorAnnouncement.SERVICE_TYPE,
          bindAddress.getHostAddress(),
          announcement.txt());
      return info.getName();
    } catch (IOException | RuntimeException e) {
      closeQuietly(j);
      throw e;
    }
  }

  /** Withdraws the announcement. */
  @Override
  public synchronized void close() {
    if (jmdns != null) {
      jmdns.unregisterAllServices();
      closeQuietly(jmdns);
      jmdns = null;
    }
  }

  /** The mDNS host name JmDNS answers for: derived from the address, so it never clashes. */
  static String hostLabel(InetAddress address) {
    return "hg-" + address.getHostAddress().replace('.', '-').replace(':', '-');
  }

  static void closeQuietly(JmDNS j) {
    try {
      j.close();
    } catch (IOException e) {
      log.debug("closing mDNS: {}", e.toString());
    }
  }
}
