package io.hybridgrid.coord.events;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A worker joined, left, timed out, was quarantined or released, or verification said something
 * about it.
 *
 * @param time when the coordinator noticed
 * @param type what happened
 * @param workerId the worker's id
 * @param hostname the host it reported
 * @param reason why (a human-readable line)
 */
public record ConnectivityEvent(
    Instant time, Type type, String workerId, String hostname, String reason) {
  /** What happened to the worker. */
  public enum Type {
    /** It registered. */
    JOIN,
    /** Its session ended (closed, broken, replaced, or the coordinator stopped). */
    LEAVE,
    /** It was dropped after sending no heartbeat for the heartbeat timeout. */
    TIMEOUT,
    /** A result of it failed verification: it gets no more tasks until an admin lifts this. */
    QUARANTINE,
    /** An admin lifted its quarantine. */
    RELEASE,
    /**
     * Result verification could not decide between it and another worker (nothing was stored), or
     * an admin purged its cache entries.
     */
    VERIFY;

    /** The lower-case name used in JSON and the API. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The type named {@code s} (case-insensitive). */
    public static Type parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  public ConnectivityEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(workerId, "workerId");
    hostname = hostname == null ? "" : hostname;
    reason = reason == null ? "" : reason;
  }
}
