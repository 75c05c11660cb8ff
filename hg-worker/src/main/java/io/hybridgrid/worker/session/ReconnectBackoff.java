package io.hybridgrid.worker.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * How long the worker waits before dialling the coordinator again. Doubling from {@link #INITIAL}
 * with jitter (a uniform draw in [d/2, d], so a fleet does not reconnect in lockstep), reset by a
 * successful registration. While the worker has recently lost a coordinator it had (the coordinator
 * restarting), the wait is capped at {@link #FAST_PROBE_CAP}, so the worker is back within about
 * half a second of the coordinator answering; after {@link #FAST_PROBE_WINDOW} without success it
 * backs off to the configured maximum. Not thread-safe: the connection loop owns it.
 */
public final class ReconnectBackoff {
  /** The first wait. */
  public static final Duration INITIAL = Duration.ofMillis(250);

  /** The longest wait while a lost coordinator is expected back. */
  public static final Duration FAST_PROBE_CAP = Duration.ofMillis(500);

  /** How long after losing a coordinator the fast cap applies. */
  public static final Duration FAST_PROBE_WINDOW = Duration.ofMinutes(5);

  private final Duration max;
  private final Clock clock;
  private final Random random;
  private long nextMillis = INITIAL.toMillis();
  private Instant lostAt; // null: never registered, or not lost since

  public ReconnectBackoff(Duration max, Clock clock, Random random) {
    this.max = max.compareTo(INITIAL) < 0 ? INITIAL : max;
    this.clock = clock;
    this.random = random;
  }

  /** A registration succeeded: the next loss starts again from {@link #INITIAL}, fast. */
  public void registered() {
    nextMillis = INITIAL.toMillis();
    lostAt = null;
  }

  /** A registered session ended: from now on probe fast for a while. */
  public void lost() {
    nextMillis = INITIAL.toMillis();
    lostAt = clock.instant();
  }

  /** Starts over (the coordinator's address changed). */
  public void reset() {
    nextMillis = INITIAL.toMillis();
  }

  /** The wait before the next attempt (jittered), and doubles the base for the one after. */
  public Duration next() {
    long base = Math.min(nextMillis, capMillis());
    long wait = base / 2 + (long) (random.nextDouble() * (base - base / 2));
    nextMillis = Math.min(nextMillis * 2, max.toMillis());
    return Duration.ofMillis(wait);
  }

  private long capMillis() {
    boolean recentlyLost =
        lostAt != null
            && Duration.between(lostAt, clock.instant()).compareTo(FAST_PROBE_WINDOW) < 0;
    return recentlyLost ? Math.min(FAST_PROBE_CAP.toMillis(), max.toMillis()) : max.toMillis();
  }
}
