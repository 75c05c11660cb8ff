package io.hybridgrid.cli.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.discovery.CoordinatorAnnouncement;
import io.hybridgrid.common.discovery.CoordinatorLookup;
import io.hybridgrid.common.discovery.DiscoveredCoordinator;
import io.hybridgrid.common.grpc.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution order: explicit > env > remembered > lookup > default, with a fake lookup. */
class CoordinatorDiscoveryTest {
  private static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");
  private static final DiscoveredCoordinator FOUND =
      new DiscoveredCoordinator(
          "hg-coord on a port 19000",
          "10.213.0.1",
          new CoordinatorAnnouncement(19000, 18080, "0.1.0"));

  @TempDir Path home;

  /** A lookup that answers from a queue and records the timeouts it was given. */
  private final List<Optional<DiscoveredCoordinator>> answers = new ArrayList<>();

  private final List<Duration> lookups = new ArrayList<>();
  private final CoordinatorLookup lookup =
      timeout -> {
        lookups.add(timeout);
        return answers.isEmpty() ? Optional.empty() : answers.remove(0);
      };
  private final List<Runnable> background = new ArrayList<>();
  private Instant now = T0;

  private CoordinatorDiscovery discovery() {
    return new CoordinatorDiscovery(
        lookup,
        memory(),
        Clock.fixed(now, ZoneOffset.UTC),
        Duration.ofMinutes(5),
        Duration.ofMillis(1500),
        background::add);
  }

  private RememberedCoordinator memory() {
    return RememberedCoordinator.inHome(Map.of("HOME", home.toString()));
  }

  @Test
  void explicitAddressWinsAndNeverLooks() throws Exception {
    answers.add(Optional.of(FOUND));
    var r = discovery().resolve("coord:7000", Map.of("HG_COORDINATOR", "env:8000"), false);
    assertEquals(new HostPort("coord", 7000), r.address());
    assertEquals("-C", r.source());
    assertEquals(List.of(), lookups);
  }

  @Test
  void environmentWinsOverMdns() throws Exception {
    answers.add(Optional.of(FOUND));
    var r = discovery().resolve(null, Map.of("HG_COORDINATOR", "env:8000"), false);
    assertEquals(new HostPort("env", 8000), r.address());
    assertEquals(List.of(), lookups);
  }

  @Test
  void firstCompileLooksOnceBoundedAndRemembers() throws Exception {
    answers.add(Optional.of(FOUND));
    var r = discovery().resolve(null, Map.of(), false);
    assertEquals(new HostPort("10.213.0.1", 19000), r.address());
    assertEquals("mDNS", r.source());
    assertEquals(List.of(Duration.ofMillis(1500)), lookups);
    String file = Files.readString(home.resolve(".hybridgrid/coordinator"));
    assertTrue(file.contains("address=10.213.0.1:19000"), file);

    // Later compiles within the refresh interval use the file and never look.
    now = T0.plus(Duration.ofMinutes(4));
    var again = discovery().resolve(null, Map.of(), false);
    assertEquals(new HostPort("10.213.0.1", 19000), again.address());
    assertEquals("mDNS (remembered)", again.source());
    assertEquals(1, lookups.size());
    assertEquals(List.of(), background);
  }

  @Test
  void nothingFoundFallsBackToDefaultAndRemembersThat() throws Exception {
    var r = discovery().resolve(null, Map.of(), false);
    assertEquals(new HostPort("127.0.0.1", 9000), r.address());
    assertEquals("default", r.source());
    assertEquals(1, lookups.size());
    now = T0.plus(Duration.ofMinutes(1));
    assertEquals("default", discovery().resolve(null, Map.of(), false).source());
    assertEquals(1, lookups.size(), "a negative answer is remembered too");
  }

  @Test
  void staleAnswerIsUsedWhileOneBackgroundLookupRefreshesIt() throws Exception {
    answers.add(Optional.of(FOUND));
    discovery().resolve(null, Map.of(), false);
    now = T0.plus(Duration.ofMinutes(6));
    DiscoveredCoordinator moved =
        new DiscoveredCoordinator(
            "hg-coord on b port 9000",
            "10.213.0.9",
            new CoordinatorAnnouncement(9000, 8080, "0.1.0"));
    answers.add(Optional.of(moved));

    var r = discovery().resolve(null, Map.of(), false);
    assertEquals(new HostPort("10.213.0.1", 19000), r.address(), "stale answer used at once");
    assertEquals(1, lookups.size(), "the lookup runs in the background, not in the compile");
    assertEquals(1, background.size());
    // A compile starting now sees the stamped file and does not start a second refresh.
    discovery().resolve(null, Map.of(), false);
    assertEquals(1, background.size());

    background.remove(0).run();
    assertEquals(2, lookups.size());
    assertEquals(
        Optional.of(new HostPort("10.213.0.9", 9000)), memory().read().orElseThrow().address());
    assertEquals(
        new HostPort("10.213.0.9", 9000), discovery().resolve(null, Map.of(), false).address());
  }

  @Test
  void refreshThatFindsNothingKeepsTheLastCoordinator() throws Exception {
    answers.add(Optional.of(FOUND));
    discovery().resolve(null, Map.of(), false);
    now = T0.plus(Duration.ofMinutes(6));
    discovery().resolve(null, Map.of(), false);
    background.remove(0).run();
    assertEquals(2, lookups.size());
    RememberedCoordinator.Answer a = memory().read().orElseThrow();
    assertEquals(Optional.of(new HostPort("10.213.0.1", 19000)), a.address());
    assertEquals(now, a.checkedAt());
  }

  @Test
  void noMdnsIgnoresRememberedAnswerAndNeverLooks() throws Exception {
    answers.add(Optional.of(FOUND));
    discovery().resolve(null, Map.of(), false);
    assertEquals("default", discovery().resolve(null, Map.of(), true).source());
    assertEquals("default", discovery().resolve(null, Map.of("HG_NO_MDNS", "1"), false).source());
    assertEquals(1, lookups.size());
  }

  @Test
  void corruptFileCountsAsNothingRemembered() throws Exception {
    Files.createDirectories(home.resolve(".hybridgrid"));
    Files.writeString(home.resolve(".hybridgrid/coordinator"), "address=not an address\n");
    answers.add(Optional.of(FOUND));
    assertEquals("mDNS", discovery().resolve(null, Map.of(), false).source());
    assertFalse(memory().read().isEmpty());
  }
}
