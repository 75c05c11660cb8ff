package io.hybridgrid.common.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryingLookupTest {
  private static final DiscoveredCoordinator COORD =
      new DiscoveredCoordinator(
          "hg-coord on a", "10.0.0.5", new CoordinatorAnnouncement(9000, 8080, "0.1.0"));

  @Test
  void retriesWithCappedExponentialBackoffUntilFound() throws Exception {
    List<Duration> timeouts = new ArrayList<>();
    List<Duration> waits = new ArrayList<>();
    CoordinatorLookup lookup =
        timeout -> {
          timeouts.add(timeout);
          return timeouts.size() < 6 ? Optional.empty() : Optional.of(COORD);
        };
    RetryingLookup r =
        new RetryingLookup(
            lookup,
            Duration.ofSeconds(3),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            waits::add);
    assertEquals(COORD, r.await());
    assertEquals(6, timeouts.size());
    assertEquals(List.of(Duration.ofSeconds(3)), timeouts.stream().distinct().toList());
    assertEquals(List.of(1L, 2L, 4L, 5L, 5L), waits.stream().map(Duration::toSeconds).toList());
  }

  @Test
  void rejectsNonsenseDurations() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RetryingLookup(
                t -> Optional.empty(),
                Duration.ZERO,
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                d -> {}));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RetryingLookup(
                t -> Optional.empty(),
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                Duration.ofSeconds(2),
                d -> {}));
  }
}
