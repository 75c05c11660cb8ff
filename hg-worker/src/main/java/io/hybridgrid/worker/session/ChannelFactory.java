package io.hybridgrid.worker.session;

import io.grpc.ManagedChannel;
import io.hybridgrid.common.grpc.HostPort;

/**
 * Opens the channel a session dials the coordinator on: Netty in production ({@code
 * Channels::forAddress}), an in-process channel in tests. The session shuts each channel down when
 * its stream ends.
 */
@FunctionalInterface
public interface ChannelFactory {
  ManagedChannel open(HostPort target);
}
