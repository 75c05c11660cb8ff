package io.hybridgrid.common.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CoordinatorAnnouncementTest {

  @Test
  void txtRoundTrips() {
    CoordinatorAnnouncement a = new CoordinatorAnnouncement(19000, 18080, "0.1.0");
    assertEquals(Map.of("grpc_port", "19000", "http_port", "18080", "version", "0.1.0"), a.txt());
    assertEquals(a, CoordinatorAnnouncement.fromTxt(1, a.txt()));
  }

  @Test
  void missingKeysFallBackToSrvPortAndDefaults() {
    CoordinatorAnnouncement a = CoordinatorAnnouncement.fromTxt(9000, Map.of());
    assertEquals(new CoordinatorAnnouncement(9000, 0, "unknown"), a);
  }

  @Test
  void badPortNamesTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CoordinatorAnnouncement.fromTxt(9000, Map.of("grpc_port", "nine")));
    assertTrue(e.getMessage().contains("grpc_port='nine'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CoordinatorAnnouncement.fromTxt(9000, Map.of("http_port", "70000")));
    assertTrue(e.getMessage().contains("http_port=70000"), e.getMessage());
  }

  @Test
  void discoveredGivesTheGrpcAddress() {
    DiscoveredCoordinator d =
        new DiscoveredCoordinator(
            "hg-coord on a", "10.0.0.5", new CoordinatorAnnouncement(9000, 8080, "0.1.0"));
    assertEquals("10.0.0.5:9000", d.grpcAddress().target());
    assertTrue(d.describe().contains("'hg-coord on a' at 10.0.0.5:9000"), d.describe());
  }
}
