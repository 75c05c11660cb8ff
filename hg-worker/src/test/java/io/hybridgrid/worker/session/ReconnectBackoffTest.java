package io.hybridgrid.worker.session;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");

  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @Test
  void neverRegisteredBacksOffToTheMaximumWithJitter() {
    ReconnectBackoff b = new ReconnectBackoff(Duration.ofSeconds(30), clock, new Random(1));
    Duration last = Duration.ZERO;
    for (int i = 0; i < 12; i++) {
      last = b.next();
    }
    assertTrue(last.compareTo(Duration.ofSeconds(15)) >= 0, "grown to [max/2, max]: " + last);
    assertTrue(last.compareTo(Duration.ofSeconds(30)) <= 0, last.toString());
  }

  @Test
  void afterLosingACoordinatorItProbesAtLeastEverySecondForAWhile() {
    ReconnectBackoff b = new ReconnectBackoff(Duration.ofSeconds(30), clock, new Random(2));
    b.registered();
    b.lost();
    Duration first = b.next();
    assertTrue(first.compareTo(ReconnectBackoff.INITIAL) <= 0, first.toString());
    for (int i = 0; i < 50; i++) {
      now = now.plusSeconds(1);
      Duration d = b.next();
      assertTrue(d.compareTo(ReconnectBackoff.FAST_PROBE_CAP) <= 0, "attempt " + i + ": " + d);
      assertTrue(d.compareTo(ReconnectBackoff.FAST_PROBE_CAP.dividedBy(2)) >= 0 || i < 2, "" + d);
    }
    now = now.plus(ReconnectBackoff.FAST_PROBE_WINDOW);
    Duration late = b.next();
    assertTrue(late.compareTo(Duration.ofSeconds(15)) >= 0, "back to the slow cap: " + late);
  }

  @Test
  void jitterSpreadsAFleet() {
    java.util.Set<Long> waits = new java.util.HashSet<>();
    for (int seed = 0; seed < 20; seed++) {
      ReconnectBackoff b = new ReconnectBackoff(Duration.ofSeconds(30), clock, new Random(seed));
      b.lost();
      b.next();
      b.next();
      waits.add(b.next().toMillis());
    }
    assertTrue(waits.size() > 10, "20 workers should not all wait the same: " + waits);
  }
}
