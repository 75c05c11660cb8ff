package io.hybridgrid.coord.registry;

import io.hybridgrid.coord.scheduler.Holdings;
import io.hybridgrid.coord.scheduler.InputSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input blobs the coordinator has sent to one worker, most recent last, bounded in count (the
 * oldest are forgotten first, as the worker's own bounded CAS would evict them). Mutated and read
 * only under the dispatcher's lock, like the rest of {@link WorkerState}.
 */
public final class SentInputs implements Holdings {
  /** Blobs remembered per worker: 16,384, about 1.5 MiB per worker at most. */
  public static final int DEFAULT_CAPACITY = 16_384;

  private final int capacity;
  private final LinkedHashMap<Long, Long> held;

  public SentInputs(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
    this.held =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > SentInputs.this.capacity;
          }
        };
  }

  /** The worker was sent a task with these inputs (it fetches what it lacks). */
  public void sent(InputSet inputs) {
    long[] keys = inputs.keys();
    long[] sizes = inputs.sizes();
    for (int i = 0; i < keys.length; i++) {
      held.put(keys[i], sizes[i]);
    }
  }

  @Override
  public long bytesHeld(InputSet inputs) {
    long[] keys = inputs.keys();
    long[] sizes = inputs.sizes();
    long bytes = 0;
    for (int i = 0; i < keys.length; i++) {
      if (held.containsKey(keys[i])) { // not get(): a lookup must not reorder the LRU
        bytes += sizes[i];
      }
    }
    return bytes;
  }

  public int size() {
    return held.size();
  }
}
