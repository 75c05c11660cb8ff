package io.hybridgrid.worker.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.discovery.CoordinatorAnnouncement;
import io.hybridgrid.common.discovery.DiscoveredCoordinator;
import io.hybridgrid.common.discovery.RetryingLookup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoordinatorResolverTest {
  private final AtomicInteger lookups = new AtomicInteger();
  private final List<Duration> waits = new ArrayList<>();
  private final CoordinatorResolver resolver =
      new CoordinatorResolver(
          new RetryingLookup(
              timeout ->
                  lookups.incrementAndGet() < 3
                      ? Optional.empty()
                      : Optional.of(
                          new DiscoveredCoordinator(
                              "hg-coord on a",
                              "10.213.0.1",
                              new CoordinatorAnnouncement(19000, 18080, "0.1.0"))),
              Duration.ofSeconds(3),
              Duration.ofSeconds(1),
              Duration.ofSeconds(30),
              waits::add));

  @Test
  void explicitFlagWinsOverEverything() throws Exception {
    assertEquals(
        "coord:9000",
        resolver.resolve("coord:9000", Map.of("HG_COORDINATOR", "env:1"), false).target());
    assertEquals(0, lookups.get());
  }

  @Test
  void environmentWinsOverDiscovery() throws Exception {
    assertEquals(
        "env:1", resolver.resolve(null, Map.of("HG_COORDINATOR", "env:1"), false).target());
    assertEquals(0, lookups.get());
  }

  @Test
  void withoutAddressDiscoversWithBackoff() throws Exception {
    assertEquals("10.213.0.1:19000", resolver.resolve(null, Map.of(), false).target());
    assertEquals(3, lookups.get());
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), waits);
  }

  @Test
  void noMdnsWithoutAddressIsAClearError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> resolver.resolve(null, Map.of(), true));
    assertTrue(e.getMessage().contains("--coordinator HOST:PORT"), e.getMessage());
    assertTrue(e.getMessage().contains("--no-mdns"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> resolver.resolve("", Map.of("HG_NO_MDNS", "1"), false));
    assertTrue(e.getMessage().contains("HG_NO_MDNS"), e.getMessage());
    assertEquals(0, lookups.get());
  }
}
