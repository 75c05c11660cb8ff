package io.hybridgrid.common.discovery;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceEvent;
import javax.jmdns.ServiceInfo;
import javax.jmdns.ServiceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Browses for {@value CoordinatorAnnouncement#SERVICE_TYPE} with JmDNS and returns the first
 * coordinator that resolves, waiting at most the given timeout. Each call opens JmDNS on one
 * interface and closes it again on a daemon thread, so the caller never waits for JmDNS's shutdown.
 */
public final class MdnsLookup implements CoordinatorLookup {
  private static final Logger log = LoggerFactory.getLogger(MdnsLookup.class);

  private final String interfaceAddress;

  /**
   * @param interfaceAddress the local address to browse on, or null to pick one (see {@link
   *     MdnsInterface})
   */
  public MdnsLookup(String interfaceAddress) {
    this.interfaceAddress = interfaceAddress;
  }

  @Override
  public Optional<DiscoveredCoordinator> find(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<InetAddress> bind;
    try {
      bind = MdnsInterface.choose(interfaceAddress);
    } catch (IOException e) {
      log.warn("mDNS: cannot list network interfaces: {}", e.toString());
      return Optional.empty();
    }
    if (bind.isEmpty()) {
      log.debug("mDNS: no multicast-capable interface is up; not browsing");
      return Optional.empty();
    }
    JmDNS jmdns;
    try {
      jmdns = JmDNS.create(bind.get(), "hg-lookup-" + ProcessHandle.current().pid());
    } catch (IOException e) {
      log.warn("mDNS: cannot browse on {}: {}", bind.get().getHostAddress(), e.toString());
      return Optional.empty();
    }
    CompletableFuture<DiscoveredCoordinator> found = new CompletableFuture<>();
    AtomicReference<DiscoveredCoordinator> partial = new AtomicReference<>();
    try {
      jmdns.addServiceListener(
          CoordinatorAnnouncement.SERVICE_TYPE,
          new ServiceListener() {
            @Override
            public void serviceAdded(ServiceEvent event) {
              // Persistent: keep listening, so a TXT record arriving later resolves it again.
              event.getDNS().requestServiceInfo(event.getType(), event.getName(), true);
            }

            @Override
            public void serviceRemoved(ServiceEvent event) {}

            @Override
            public void serviceResolved(ServiceEvent event) {
              ServiceInfo info = event.getInfo();
              Optional<DiscoveredCoordinator> d = toDiscovered(info);
              if (d.isEmpty()) {
                return;
              }
              if (info.getPropertyString(CoordinatorAnnouncement.TXT_GRPC_PORT) != null) {
                found.complete(d.get());
              } else {
                partial.compareAndSet(null, d.get());
              }
            }
          });
      long remaining = Math.max(0, deadline - System.nanoTime());
      return Optional.of(found.get(remaining, TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.ofNullable(partial.get());
    } catch (ExecutionException e) {
      log.warn("mDNS: lookup failed: {}", e.getCause().toString());
      return Optional.empty();
    } finally {
      Thread closer = new Thread(() -> MdnsAnnouncer.closeQuietly(jmdns), "hg-mdns-close");
      closer.setDaemon(true);
      closer.start();
    }
  }

  /** A resolved service as a coordinator, or empty (logged) when it has no address or bad TXT. */
  static Optional<DiscoveredCoordinator> toDiscovered(ServiceInfo info) {
    String host = null;
    Inet4Address[] v4 = info.getInet4Addresses();
    if (v4.length > 0) {
      host = v4[0].getHostAddress();
    } else if (info.getInetAddresses().length > 0) {
      host = info.getInetAddresses()[0].getHostAddress();
    }
    if (host == null) {
      return Optional.empty();
    }
    Map<String, String> txt = new LinkedHashMap<>();
    for (String key : Collections.list(info.getPropertyNames())) {
      txt.put(key, info.getPropertyString(key));
    }
    try {
      return Optional.of(
          new DiscoveredCoordinator(
              info.getName(), host, CoordinatorAnnouncement.fromTxt(info.getPort(), txt)));
    } catch (IllegalArgumentException e) {
      log.warn("mDNS: ignoring '{}' at {}: {}", info.getName(), host, e.getMessage());
      return Optional.empty();
    }
  }
}
