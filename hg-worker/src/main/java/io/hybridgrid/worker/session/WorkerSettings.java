package io.hybridgrid.worker.session;

import io.hybridgrid.common.grpc.HostPort;
import io.hybridgrid.common.grpc.WireCompression;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable worker configuration, parsed once in {@code main}.
 *
 * @param coordinator where hg-coord listens
 * @param workerId the id this worker registers under
 * @param hostname the host name it reports
 * @param maxParallel how many compiles run at once
 * @param heartbeatInterval how often to send a heartbeat
 * @param maxBackoff the longest wait between reconnection attempts
 * @param drainTimeout how long to let running compiles finish on shutdown
 * @param compression how what the worker sends the coordinator is compressed
 */
public record WorkerSettings(
    HostPort coordinator,
    String workerId,
    String hostname,
    int maxParallel,
    Duration heartbeatInterval,
    Duration maxBackoff,
    Duration drainTimeout,
    WireCompression compression) {
  public WorkerSettings {
    Objects.requireNonNull(coordinator, "coordinator");
    Objects.requireNonNull(compression, "compression");
    if (workerId == null || workerId.isBlank()) {
      throw new IllegalArgumentException("worker id must not be empty");
    }
    if (maxParallel < 1 || maxParallel > 1024) {
      throw new IllegalArgumentException("--max-parallel must be 1-1024, not " + maxParallel);
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeat interval must be positive");
    }
  }
}
