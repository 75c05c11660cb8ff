package io.hybridgrid.common.discovery;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Picks the local address mDNS binds to. JmDNS listens and answers on exactly one interface, so the
 * choice matters on hosts with several: an explicit address wins; otherwise the first IPv4 address
 * of an interface that is up, not loopback and multicast-capable, in the order the kernel lists
 * interfaces.
 */
public final class MdnsInterface {
  private MdnsInterface() {}

  /**
   * The address to bind mDNS to.
   *
   * @param explicit an address given by the user ({@code --mdns-interface}), or null
   * @return the address, or empty when this host has no interface mDNS could use
   * @throws IllegalArgumentException when {@code explicit} is not a local address
   */
  public static Optional<InetAddress> choose(String explicit) throws IOException {
    if (explicit != null && !explicit.isBlank()) {
      InetAddress a;
      try {
        a = InetAddress.getByName(explicit.strip());
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(
            "--mdns-interface '" + explicit + "' is not an address", e);
      }
      if (NetworkInterface.getByInetAddress(a) == null) {
        throw new IllegalArgumentException(
            "--mdns-interface " + explicit + " is not an address of this host");
      }
      return Optional.of(a);
    }
    return firstMulticastIpv4();
  }

  private static Optional<InetAddress> firstMulticastIpv4() throws SocketException {
    List<NetworkInterface> all = new ArrayList<>();
    var e = NetworkInterface.getNetworkInterfaces();
    if (e != null) {
      all.addAll(Collections.list(e));
    }
    all.sort(java.util.Comparator.comparingInt(NetworkInterface::getIndex));
    for (NetworkInterface ni : all) {
      if (!ni.isUp() || ni.isLoopback() || !ni.supportsMulticast()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
