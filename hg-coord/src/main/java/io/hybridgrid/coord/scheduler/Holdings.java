package io.hybridgrid.coord.scheduler;

/** What the coordinator believes a worker already holds in its CAS. */
public interface Holdings {
  /** A worker the coordinator knows nothing about. */
  Holdings NONE = inputs -> 0;

  /** Bytes of {@code inputs} the worker is believed to hold. */
  long bytesHeld(InputSet inputs);
}
